// Entry of the bulk decode worker thread (see bulk-decoder.ts).
import { register } from 'tsx/esm/api';

register();
await import('./bulk-decode-worker.ts');
