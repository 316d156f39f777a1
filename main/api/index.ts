// Public surface of the API contract: the only part of main/ the renderer may import.
export * from './schemas';
export * from './contract';
export * from './errors';
export * from './protocol';
