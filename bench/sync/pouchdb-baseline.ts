// The baseline for the sync benchmark: PouchDB (the engine the Community Health
// Toolkit syncs with) replicating the same documents over HTTP on loopback, one
// in-memory PouchDB pushing to another served by pouchdb-express-router. Bytes are
// counted on the server's sockets, both directions, like the Sijill side.
import express from 'express';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import PouchDB from 'pouchdb-core';
import httpAdapter from 'pouchdb-adapter-http';
import memoryAdapter from 'pouchdb-adapter-memory';
import replication from 'pouchdb-replication';
import expressRouter from 'pouchdb-express-router';

PouchDB.plugin(memoryAdapter).plugin(httpAdapter).plugin(replication);
// In-memory databases for both ends; the remote is reached through HTTP only.
const MemoryPouch = PouchDB.defaults({ adapter: 'memory' });

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
): Promise<PouchBaseline> {
  const run = ++instance;
  const app = express();
  app.use('/', expressRouter(MemoryPouch));
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
  const local = new MemoryPouch(`bench-local-${run}`);
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
  }
}
