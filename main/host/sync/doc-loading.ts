// Reading a document straight from the automerge-repo chunks in SQLite, without
// the Repo: the bundle importer needs the receiver's current state synchronously
// (sync/bundles/import.ts), and only for the few documents a bundle names. The
// chunk layout is automerge-repo's: [documentId, 'snapshot' | 'incremental', hash].
import * as A from '@automerge/automerge';
import type { Db } from '../../store/database';

const SEP = '\u001f';

export function loadStoredDoc(db: Db, documentId: string): A.Doc<unknown> | undefined {
  const rows = db
    .prepare('SELECT key, data FROM automerge_chunks WHERE key >= ? AND key < ? ORDER BY key')
    .all(`${documentId}${SEP}`, `${documentId}\u0020`) as { key: string; data: Buffer }[];
  const chunks = rows.filter((r) => {
    const kind = r.key.split(SEP)[1];
    return kind === 'snapshot' || kind === 'incremental';
  });
  if (chunks.length === 0) return undefined;
  // Snapshots first: incremental chunks build on them.
  chunks.sort((a, b) => (a.key.split(SEP)[1] === 'snapshot' ? 0 : 1) - (b.key.split(SEP)[1] === 'snapshot' ? 0 : 1));
  let doc = A.init<unknown>();
  for (const c of chunks) doc = A.loadIncremental(doc, new Uint8Array(c.data));
  return doc;
}
