// `sijill verify-store`: recompute every leaf of the Merkle log from the records as
// they are stored now, and compare with the log (and the newest checkpoint's root).
// The first record whose content no longer matches its leaf is named.
import { leafHash, verifyCheckpoint } from '../../../anchor-queue';
import { sha256 } from '../crypto/hash';
import type { Db } from '../database';
import { requireMeta } from '../repositories/meta';
import { stmt } from '../statements';
import { deviceVerifier, latestCheckpoint } from './checkpoints';
import { merkleLogOf } from './record-leaf';

export interface StoreVerification {
  ok: boolean;
  leaves: number;
  firstMismatch: { leafIndex: number; recordKind: string; recordId: string; reason: string } | null;
  checkpoint: { treeSize: number; rootMatches: boolean; signatureValid: boolean } | null;
}

/**
 * `auditRecordHash(seq)` recomputes an audit record's hash from its stored fields
 * (the audit module owns that formula); it returns null when the record is gone.
 */
export function verifyStore(db: Db, auditRecordHash: (seq: number) => Uint8Array | null): StoreVerification {
  const origin = requireMeta(db, 'device.id');
  const { log } = merkleLogOf(db);
  const leaves = stmt<
    [],
    {
      leaf_index: number;
      record_kind: string;
      record_id: string;
      content_hash: Buffer;
      salt: Buffer;
      leaf_hash: Buffer;
    }
  >(db, 'SELECT * FROM merkle_leaves ORDER BY leaf_index').iterate();
  let count = 0;
  let firstMismatch: StoreVerification['firstMismatch'] = null;
  for (const l of leaves) {
    count++;
    const fail = (reason: string) => ({
      leafIndex: l.leaf_index,
      recordKind: l.record_kind,
      recordId: l.record_id,
      reason,
    });
    let current: Uint8Array | null = null;
    if (l.record_kind === 'entry') {
      const e = stmt<[string], { canonical: string }>(db, 'SELECT canonical FROM entries WHERE id = ?').get(
        l.record_id,
      );
      current = e ? sha256(e.canonical) : null;
    } else if (l.record_kind === 'audit') {
      current = auditRecordHash(Number(l.record_id));
    }
    const expected = leafHash({
      originDeviceId: origin,
      recordKind: l.record_kind,
      recordId: l.record_id,
      contentHash: new Uint8Array(l.content_hash),
      salt: new Uint8Array(l.salt),
    });
    if (!current) firstMismatch = fail('the record is missing');
    else if (!Buffer.from(current).equals(l.content_hash))
      firstMismatch = fail('the record was changed after its leaf was written');
    else if (!Buffer.from(expected).equals(Buffer.from(log.leafHash(l.leaf_index))))
      firstMismatch = fail('the leaf in the log does not match the record');
    if (firstMismatch) break;
  }
  if (!firstMismatch && count !== log.size) {
    firstMismatch = {
      leafIndex: count,
      recordKind: '?',
      recordId: '?',
      reason: `the log has ${log.size} leaves but ${count} leaf records`,
    };
  }
  const cp = latestCheckpoint(db);
  let checkpoint: StoreVerification['checkpoint'] = null;
  if (cp) {
    const { verifier, origin: logOriginLine } = deviceVerifier(db);
    const signatureValid = verifyCheckpoint(cp.note, [verifier], logOriginLine).ok;
    const rootMatches = cp.treeSize <= log.size && Buffer.from(log.root(cp.treeSize)).equals(Buffer.from(cp.root));
    checkpoint = { treeSize: cp.treeSize, rootMatches, signatureValid };
  }
  return {
    ok: !firstMismatch && (!checkpoint || (checkpoint.rootMatches && checkpoint.signatureValid)),
    leaves: count,
    firstMismatch,
    checkpoint,
  };
}
