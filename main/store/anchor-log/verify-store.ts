// `sijill verify-store`: recompute every leaf of the Merkle log from the records as
// they are stored now, and compare with the log (and the newest checkpoint's root).
// The first record (in log order) whose content no longer matches its leaf is named,
// and so is a leaf that no stored record accounts for (a deleted record).
import { leafHash, verifyCheckpoint } from '../../../anchor-queue';
import { sha256 } from '../crypto/hash';
import type { Db } from '../database';
import { requireMeta } from '../repositories/meta';
import { stmt } from '../statements';
import { deviceVerifier, latestCheckpoint } from './checkpoints';
import { auditLeafId, merkleLogOf, type LeafRecordKind } from './record-leaf';

export interface StoreMismatch {
  /** The leaf concerned; null for a record that has no leaf at all. */
  leafIndex: number | null;
  recordKind: string;
  recordId: string;
  reason: string;
}

export interface StoreVerification {
  ok: boolean;
  /** Records checked against their leaves. */
  leaves: number;
  firstMismatch: StoreMismatch | null;
  checkpoint: { treeSize: number; rootMatches: boolean; signatureValid: boolean } | null;
}

interface StoredLeaf {
  kind: LeafRecordKind;
  id: string;
  leafIndex: number | null;
  salt: Buffer | null;
  /** The record's content hash recomputed from what is stored now; null if it cannot be. */
  currentHash: Uint8Array | null;
}

/**
 * `auditRecordHash(seq)` recomputes an audit record's hash from its stored fields
 * (the audit module owns that formula); it returns null when the record is gone.
 */
export function verifyStore(db: Db, auditRecordHash: (seq: number) => Uint8Array | null): StoreVerification {
  const origin = requireMeta(db, 'device.id');
  const { log } = merkleLogOf(db);
  const size = log.size;
  // One byte per leaf (bounded: 10 million leaves are 10 MB) marks the leaves records claim.
  const claimed = new Uint8Array(size);
  let checked = 0;
  let firstMismatch: StoreMismatch | null = null;
  const order = (m: StoreMismatch) => m.leafIndex ?? Number.MAX_SAFE_INTEGER;
  const report = (m: StoreMismatch) => {
    if (!firstMismatch || order(m) < order(firstMismatch)) firstMismatch = m;
  };

  const check = (r: StoredLeaf) => {
    checked++;
    const fail = (reason: string) => report({ leafIndex: r.leafIndex, recordKind: r.kind, recordId: r.id, reason });
    if (r.leafIndex === null || r.salt === null)
      return fail('the record has no leaf in the log (written behind Sijill)');
    if (!Number.isSafeInteger(r.leafIndex) || r.leafIndex < 0 || r.leafIndex >= size) {
      return fail(`the record names leaf ${r.leafIndex}, beyond the log's ${size} leaves`);
    }
    if (claimed[r.leafIndex]) return fail('another record already claims this leaf');
    claimed[r.leafIndex] = 1;
    if (!r.currentHash) return fail('the record can no longer be read');
    let expected: Uint8Array;
    try {
      expected = leafHash({
        originDeviceId: origin,
        recordKind: r.kind,
        recordId: r.id,
        contentHash: r.currentHash,
        salt: new Uint8Array(r.salt),
      });
    } catch {
      return fail('the leaf salt stored with the record is invalid');
    }
    if (!Buffer.from(expected).equals(Buffer.from(log.leafHash(r.leafIndex)))) {
      fail('the record was changed after its leaf was written');
    }
  };

  for (const e of stmt<[], { id: string; canonical: string; leaf_index: number | null; leaf_salt: Buffer | null }>(
    db,
    'SELECT id, canonical, leaf_index, leaf_salt FROM entries',
  ).iterate()) {
    check({ kind: 'entry', id: e.id, leafIndex: e.leaf_index, salt: e.leaf_salt, currentHash: sha256(e.canonical) });
  }
  for (const a of stmt<[], { seq: number; leaf_index: number | null; leaf_salt: Buffer | null }>(
    db,
    'SELECT seq, leaf_index, leaf_salt FROM audit_log',
  ).iterate()) {
    check({
      kind: 'audit',
      id: auditLeafId(a.seq),
      leafIndex: a.leaf_index,
      salt: a.leaf_salt,
      currentHash: auditRecordHash(a.seq),
    });
  }
  const unclaimed = claimed.indexOf(0);
  if (unclaimed !== -1) {
    report({
      leafIndex: unclaimed,
      recordKind: '?',
      recordId: '?',
      reason: 'no stored record accounts for this leaf: the record was deleted',
    });
  }

  const cp = latestCheckpoint(db);
  let checkpoint: StoreVerification['checkpoint'] = null;
  if (cp) {
    const { verifier, origin: logOriginLine } = deviceVerifier(db);
    const signatureValid = verifyCheckpoint(cp.note, [verifier], logOriginLine).ok;
    const rootMatches = cp.treeSize <= size && Buffer.from(log.root(cp.treeSize)).equals(Buffer.from(cp.root));
    checkpoint = { treeSize: cp.treeSize, rootMatches, signatureValid };
  }
  return {
    ok: !firstMismatch && (!checkpoint || (checkpoint.rootMatches && checkpoint.signatureValid)),
    leaves: checked,
    firstMismatch,
    checkpoint,
  };
}
