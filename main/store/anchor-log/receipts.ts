// Building a receipt for a record: its leaf preimage (with the salt, kept only on the
// device until now), an inclusion proof against the first checkpoint that covers it,
// and, once a later checkpoint is anchored, the consistency proof and the anchor.
import type { Receipt } from '../../../anchor-queue';
import { toHex } from '../crypto/encoding';
import type { Db } from '../database';
import { stmt } from '../statements';
import { checkpointCovering, deviceVerifier, getCheckpoint } from './checkpoints';
import { merkleLogOf } from './record-leaf';
import { requireMeta } from '../repositories/meta';

export interface AnchorInfo {
  treeSize: number;
  chainId: number;
  contract: string;
  batchId: string;
  txHash: string;
  blockNumber: number;
  blockHash: string;
}

export class ReceiptUnavailableError extends Error {}

interface LeafRow {
  leaf_index: number;
  record_kind: string;
  record_id: string;
  content_hash: Buffer;
  salt: Buffer;
}

/**
 * The receipt of a record. `anchor` is the newest final anchor, if any: when it
 * covers the record, the receipt carries the consistency proof to it.
 */
export function buildReceipt(
  db: Db,
  recordKind: 'entry' | 'audit',
  recordId: string,
  anchor: AnchorInfo | null,
): Receipt {
  const leaf = stmt<[string, string], LeafRow>(
    db,
    'SELECT * FROM merkle_leaves WHERE record_kind = ? AND record_id = ?',
  ).get(recordKind, recordId);
  if (!leaf) throw new ReceiptUnavailableError(`No ${recordKind} ${recordId} in this device's log.`);
  const checkpoint = checkpointCovering(db, leaf.leaf_index);
  if (!checkpoint) {
    throw new ReceiptUnavailableError(
      'The record is not yet covered by a sealed checkpoint. Seal one (it happens automatically within minutes) and try again.',
    );
  }
  const { log } = merkleLogOf(db);
  let record: Receipt['record'] = null;
  if (recordKind === 'entry') {
    const e = stmt<[string], { canonical: string; signature: Buffer }>(
      db,
      'SELECT canonical, signature FROM entries WHERE id = ?',
    ).get(recordId);
    if (e) {
      const authorKey = (JSON.parse(e.canonical) as { authorKey: string }).authorKey;
      record = { canonical: e.canonical, signature: toHex(new Uint8Array(e.signature)), authorKey };
    }
  }
  let anchored: Receipt['anchored'] = null;
  if (anchor && anchor.treeSize >= checkpoint.treeSize) {
    const anchoredCp = getCheckpoint(db, anchor.treeSize);
    if (anchoredCp) {
      anchored = {
        checkpointNote: anchoredCp.note,
        consistencyProof:
          anchor.treeSize === checkpoint.treeSize
            ? []
            : log.consistencyProof(checkpoint.treeSize, anchor.treeSize).map((h) => toHex(h)),
        anchor: {
          chainId: anchor.chainId,
          contract: anchor.contract,
          batchId: anchor.batchId,
          txHash: anchor.txHash,
          blockNumber: anchor.blockNumber,
          blockHash: anchor.blockHash,
        },
      };
    }
  }
  return {
    format: 'sijill-receipt',
    version: 1,
    record,
    leaf: {
      originDeviceId: requireMeta(db, 'device.id'),
      recordKind: leaf.record_kind,
      recordId: leaf.record_id,
      contentHash: toHex(new Uint8Array(leaf.content_hash)),
      salt: toHex(new Uint8Array(leaf.salt)),
      index: leaf.leaf_index,
    },
    checkpoint: { note: checkpoint.note, verifierKey: deviceVerifier(db).verifierKey },
    inclusionProof: log.inclusionProof(leaf.leaf_index, checkpoint.treeSize).map((h) => toHex(h)),
    anchored,
  };
}
