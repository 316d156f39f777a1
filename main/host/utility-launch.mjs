// Entry of the host when Electron runs it as a utility process.
import { register } from 'tsx/esm/api';

register();
await import('./utility-process.ts');
