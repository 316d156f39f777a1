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
  leaf_index: number | null;
  leaf_salt: Buffer | null;
  content_hash: Buffer;
}

/** A record's leaf as its row holds it (migration 0005): index, salt and the content hash. */
function leafOfRecord(db: Db, recordKind: 'entry' | 'audit', recordId: string): LeafRow | undefined {
  if (recordKind === 'entry') {
    return stmt<[string], LeafRow>(db, 'SELECT leaf_index, leaf_salt, content_hash FROM entries WHERE id = ?').get(
      recordId,
    );
  }
  const seq = Number(recordId);
  if (!Number.isSafeInteger(seq)) return undefined;
  return stmt<[number], LeafRow>(
    db,
    'SELECT leaf_index, leaf_salt, hash AS content_hash FROM audit_log WHERE seq = ?',
  ).get(seq);
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
  const row = leafOfRecord(db, recordKind, recordId);
  if (!row || row.leaf_index === null || row.leaf_salt === null) {
    throw new ReceiptUnavailableError(`No ${recordKind} ${recordId} in this device's log.`);
  }
  const leaf = { leaf_index: row.leaf_index, salt: row.leaf_salt, content_hash: row.content_hash };
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
      recordKind,
      recordId,
      contentHash: toHex(new Uint8Array(leaf.content_hash)),
      salt: toHex(new Uint8Array(leaf.salt)),
      index: leaf.leaf_index,
    },
    checkpoint: { note: checkpoint.note, verifierKey: deviceVerifier(db).verifierKey },
    inclusionProof: log.inclusionProof(leaf.leaf_index, checkpoint.treeSize).map((h) => toHex(h)),
    anchored,
  };
}
