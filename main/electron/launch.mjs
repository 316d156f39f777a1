// Electron's entry: load the TypeScript main process through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
