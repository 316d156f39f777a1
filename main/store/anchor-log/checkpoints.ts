// Sealing the Merkle log into signed checkpoints (C2SP tlog-checkpoint in a signed
// note, Ed25519 by the device key). A checkpoint commits to the log's size and root;
// it is what gets anchored, and what receipts prove inclusion against. Kept forever.
import {
  ed25519NoteSigner,
  ed25519NoteVerifier,
  formatVerifierKey,
  signCheckpoint,
  verifyCheckpoint,
  type NoteVerifier,
} from '../../../anchor-queue';
import { fromB64 } from '../crypto/encoding';
import type { Db } from '../database';
import { unsealPrivateKey } from '../data-dir';
import { requireMeta } from '../repositories/meta';
import { stmt } from '../statements';
import { merkleLogOf } from './record-leaf';

export interface StoredCheckpoint {
  treeSize: number;
  root: Uint8Array;
  note: string;
  createdAt: string;
}

/** The log's origin line: one log per device. Also the signing key's name. */
export const logOrigin = (deviceId: string) => `sijill.device/${deviceId}`;

export function deviceVerifier(db: Db): { verifier: NoteVerifier; verifierKey: string; origin: string } {
  const origin = logOrigin(requireMeta(db, 'device.id'));
  const publicKey = fromB64(requireMeta(db, 'device.public_key'));
  return {
    verifier: ed25519NoteVerifier(origin, publicKey),
    verifierKey: formatVerifierKey(origin, publicKey),
    origin,
  };
}

type Row = { tree_size: number; root: Buffer; note: string; created_at: string };
const toCheckpoint = (r: Row): StoredCheckpoint => ({
  treeSize: r.tree_size,
  root: new Uint8Array(r.root),
  note: r.note,
  createdAt: r.created_at,
});

export function latestCheckpoint(db: Db): StoredCheckpoint | null {
  const r = stmt<[], Row>(db, 'SELECT * FROM checkpoints ORDER BY tree_size DESC LIMIT 1').get();
  return r ? toCheckpoint(r) : null;
}

/** The first checkpoint that covers leaf `index` (its tree size is greater than the index). */
export function checkpointCovering(db: Db, index: number): StoredCheckpoint | null {
  const r = stmt<[number], Row>(db, 'SELECT * FROM checkpoints WHERE tree_size > ? ORDER BY tree_size LIMIT 1').get(
    index,
  );
  return r ? toCheckpoint(r) : null;
}

export function getCheckpoint(db: Db, treeSize: number): StoredCheckpoint | null {
  const r = stmt<[number], Row>(db, 'SELECT * FROM checkpoints WHERE tree_size = ?').get(treeSize);
  return r ? toCheckpoint(r) : null;
}

export function countCheckpoints(db: Db): number {
  return stmt<[], { n: number }>(db, 'SELECT count(*) AS n FROM checkpoints').get()!.n;
}

/**
 * Seals a checkpoint at the log's current size, unless the newest one already has
 * that size. Returns the new checkpoint or null. Runs in its own transaction.
 */
export function sealCheckpoint(db: Db, dataKey: Uint8Array, now = new Date()): StoredCheckpoint | null {
  return db.transaction(() => {
    const { log } = merkleLogOf(db);
    const size = log.size;
    const last = latestCheckpoint(db);
    if (size === 0 || (last && last.treeSize >= size)) return null;
    const deviceId = requireMeta(db, 'device.id');
    const origin = logOrigin(deviceId);
    const seed = unsealPrivateKey(dataKey, fromB64(requireMeta(db, 'device.private_key')));
    const root = log.root(size);
    const note = signCheckpoint({ origin, size, rootHash: root }, [ed25519NoteSigner(origin, seed)]);
    // Proves the note before it is kept: a checkpoint that does not verify must never be anchored.
    const check = verifyCheckpoint(note, [deviceVerifier(db).verifier], origin);
    if (!check.ok) throw new Error(`sealed checkpoint does not verify: ${check.message}`);
    const createdAt = now.toISOString();
    stmt(db, 'INSERT INTO checkpoints (tree_size, root, note, created_at) VALUES (?, ?, ?, ?)').run(
      size,
      root,
      note,
      createdAt,
    );
    return { treeSize: size, root, note, createdAt };
  })();
}
