// Bundle bookkeeping: ids imported (replay protection: a bundle id, or a sequence
// number at or below one already imported from that device, is refused) and the
// counter of bundles this device wrote.
import type { Db } from '../database';
import { getMeta, setMeta } from '../repositories/meta';
import { stmt } from '../statements';

export function bundleSeen(db: Db, b: { bundleId: string; fromDevice: string; sequence: number }): boolean {
  if (stmt(db, 'SELECT 1 FROM sync_bundle_imports WHERE bundle_id = ?').get(b.bundleId)) return true;
  const last = stmt(db, 'SELECT max(sequence) AS s FROM sync_bundle_imports WHERE from_device = ?').get(
    b.fromDevice,
  ) as { s: number | null };
  return last.s !== null && b.sequence <= last.s;
}

export function recordBundleImport(
  db: Db,
  b: { bundleId: string; fromDevice: string; sequence: number; docs: number; entries: number },
  at: string,
): void {
  stmt(
    db,
    'INSERT INTO sync_bundle_imports (bundle_id, from_device, sequence, imported_at, docs, entries) VALUES (?,?,?,?,?,?)',
  ).run(b.bundleId, b.fromDevice, b.sequence, at, b.docs, b.entries);
}

/** The next sequence number for a bundle this device writes; call inside the export's transaction. */
export function nextBundleSequence(db: Db): number {
  const next = Number(getMeta(db, 'sync.bundle_sequence') ?? '0') + 1;
  setMeta(db, 'sync.bundle_sequence', String(next));
  return next;
}
