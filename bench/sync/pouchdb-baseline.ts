// The baseline for the sync benchmark: PouchDB (the engine the Community Health
// Toolkit syncs with) replicating the same documents over HTTP on loopback, one
// PouchDB pushing to another served by pouchdb-express-router. Bytes are counted on
// the server's sockets, both directions, like the Sijill side. Two storages: the
// in-memory adapter (the target's baseline: nothing written to disk) and the LevelDB
// adapter (PouchDB's storage on Node: written to disk, as Sijill writes its encrypted
// database), so the report shows what durable storage costs each side.
import express from 'express';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import PouchDB from 'pouchdb-core';
import httpAdapter from 'pouchdb-adapter-http';
import leveldbAdapter from 'pouchdb-adapter-leveldb';
import memoryAdapter from 'pouchdb-adapter-memory';
import replication from 'pouchdb-replication';
import expressRouter from 'pouchdb-express-router';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

PouchDB.plugin(memoryAdapter).plugin(leveldbAdapter).plugin(httpAdapter).plugin(replication);

export type PouchStorage = 'memory' | 'leveldb';

export interface PouchDoc {
  _id: string;
  _rev?: string;
  [field: string]: unknown;
}

export interface ReplicationRun {
  ms: number;
  bytes: number;
  docs: number;
}

export interface PouchBaseline {
  initial: ReplicationRun;
  incremental: ReplicationRun;
}

let instance = 0;

/**
 * Replicates `docs` to an empty remote, then applies `change` to some of them
 * locally and replicates again. Returns the time and bytes of each replication.
 */
export async function pouchReplication(
  docs: PouchDoc[],
  change: (doc: PouchDoc) => PouchDoc,
  changedIds: string[],
  storage: PouchStorage = 'memory',
): Promise<PouchBaseline> {
  const run = ++instance;
  // Both ends on the same storage; the remote is reached through HTTP only.
  const dir = storage === 'leveldb' ? mkdtempSync(join(tmpdir(), 'sijill-bench-pouch-')) : undefined;
  const LocalPouch = PouchDB.defaults(dir ? { adapter: 'leveldb', prefix: `${dir}/` } : { adapter: 'memory' });
  const app = express();
  app.use('/', expressRouter(LocalPouch));
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const sockets = new Set<Socket>();
  let closedBytes = 0;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => {
      closedBytes += socket.bytesRead + socket.bytesWritten;
      sockets.delete(socket);
    });
  });
  const bytes = () => {
    let open = 0;
    for (const s of sockets) open += s.bytesRead + s.bytesWritten;
    return closedBytes + open;
  };
  const { port } = server.address() as AddressInfo;
  const local = new LocalPouch(`bench-local-${run}`);
  const remote = new PouchDB(`http://127.0.0.1:${port}/bench-remote-${run}`);
  try {
    await local.bulkDocs(docs);
    const replicate = async (): Promise<ReplicationRun> => {
      const before = bytes();
      const t = performance.now();
      const result = await local.replicate.to(remote, { batch_size: 100 });
      const ms = performance.now() - t;
      if (!result.ok) throw new Error(`PouchDB replication failed: ${JSON.stringify(result.errors)}`);
      return { ms, bytes: bytes() - before, docs: result.docs_written };
    };
    const initial = await replicate();
    const current = await local.allDocs({ keys: changedIds, include_docs: true });
    await local.bulkDocs(
      current.rows.map((row) => {
        if (!('doc' in row) || !row.doc) throw new Error(`document ${row.key} is missing`);
        return change(row.doc as PouchDoc);
      }),
    );
    const incremental = await replicate();
    const remoteCount = (await remote.info()).doc_count;
    if (remoteCount !== docs.length) throw new Error(`the remote holds ${remoteCount} of ${docs.length} documents`);
    return { initial, incremental };
  } finally {
    await local.destroy();
    await remote.destroy().catch(() => undefined);
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
