// Minimal types for the PouchDB packages the sync benchmark uses as its baseline
// (the community @types packages pull in DOM and older Node typings that break the
// project's Buffer types). Only what bench/sync/pouchdb-baseline.ts calls.
declare module 'pouchdb-core' {
  interface ReplicationResult {
    ok: boolean;
    docs_written: number;
    errors: unknown[];
  }
  interface Database {
    bulkDocs(docs: object[]): Promise<unknown>;
    allDocs(options: { keys: string[]; include_docs: true }): Promise<{
      rows: ({ key: string; doc?: object } | { key: string; error: string })[];
    }>;
    info(): Promise<{ doc_count: number }>;
    destroy(): Promise<unknown>;
    replicate: { to(target: Database, options?: { batch_size?: number }): Promise<ReplicationResult> };
  }
  interface PouchConstructor {
    new (name: string): Database;
    plugin(plugin: unknown): PouchConstructor;
    defaults(options: { adapter: string; prefix?: string }): PouchConstructor;
  }
  const PouchDB: PouchConstructor;
  export default PouchDB;
}
declare module 'pouchdb-adapter-http' {
  const plugin: unknown;
  export default plugin;
}
declare module 'pouchdb-adapter-memory' {
  const plugin: unknown;
  export default plugin;
}
declare module 'pouchdb-adapter-leveldb' {
  const plugin: unknown;
  export default plugin;
}
declare module 'pouchdb-replication' {
  const plugin: unknown;
  export default plugin;
}
declare module 'pouchdb-express-router' {
  import type { RequestListener } from 'node:http';
  /** An Express router serving every database of the given PouchDB constructor. */
  export default function expressRouter(pouch: unknown): RequestListener;
}
declare module 'express' {
  import type { RequestListener, Server } from 'node:http';
  interface Application {
    use(path: string, handler: RequestListener): void;
    listen(port: number, host: string): Server;
  }
  export default function express(): Application;
}
