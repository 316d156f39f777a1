// Reading and writing a document straight from/to the automerge-repo chunks in
// SQLite, without the Repo: the bundle importer needs the receiver's current state
// synchronously (sync/bundles/import.ts), and the bulk transfer (bulk-transfer.ts)
// sends and stores whole documents a peer lacks without loading them into the Repo.
// The chunk layout is automerge-repo's: [documentId, 'snapshot' | 'incremental', hash]
// (and [documentId, 'sync-state', storageId], which is never a document's content).
import * as A from '@automerge/automerge';
import { createHash } from 'node:crypto';
import type { Db } from '../../store/database';
import { stmt } from '../../store/statements';

const SEP = '\u001f';

interface ChunkRow {
  key: string;
  data: Buffer;
}

/** The document's content chunks, snapshots first (incremental chunks build on them). */
function contentChunks(db: Db, documentId: string): ChunkRow[] {
  const rows = stmt(db, 'SELECT key, data FROM automerge_chunks WHERE key >= ? AND key < ? ORDER BY key').all(
    `${documentId}${SEP}`,
    `${documentId}\u0020`,
  ) as ChunkRow[];
  const kind = (r: ChunkRow) => r.key.split(SEP)[1];
  return rows
    .filter((r) => kind(r) === 'snapshot' || kind(r) === 'incremental')
    .sort((a, b) => (kind(a) === 'snapshot' ? 0 : 1) - (kind(b) === 'snapshot' ? 0 : 1));
}

export function loadStoredDoc(db: Db, documentId: string): A.Doc<unknown> | undefined {
  const chunks = contentChunks(db, documentId);
  if (chunks.length === 0) return undefined;
  let doc = A.init<unknown>();
  for (const c of chunks) doc = A.loadIncremental(doc, new Uint8Array(c.data));
  return doc;
}

/**
 * The stored bytes of a document as one binary automerge can load (its chunks
 * concatenated, as automerge-repo itself loads them), or undefined if none.
 */
export function storedDocBytes(db: Db, documentId: string): Uint8Array | undefined {
  const chunks = contentChunks(db, documentId);
  if (chunks.length === 0) return undefined;
  if (chunks.length === 1) return new Uint8Array(chunks[0]!.data);
  return new Uint8Array(Buffer.concat(chunks.map((c) => c.data)));
}

/**
 * Stores a whole document this device did not hold (in the caller's transaction).
 * `bytes` must already have loaded (checked by the caller); it becomes the
 * document's one snapshot chunk, named by its heads as automerge-repo names them.
 */
export function storeNewDoc(db: Db, documentId: string, bytes: Uint8Array, heads: string[]): void {
  const name = createHash('sha256').update(heads.join(',')).digest('hex');
  stmt(
    db,
    'INSERT INTO automerge_chunks (key, data) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET data = excluded.data',
  ).run(`${documentId}${SEP}snapshot${SEP}${name}`, bytes);
}
