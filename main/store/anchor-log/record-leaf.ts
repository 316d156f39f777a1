// Appends the leaf of a record (signed entry, audit record) to the device's Merkle
// log. Must run inside the transaction that writes the record, so both commit or
// neither does. The leaf is a salted hash: health data is low-entropy, and only
// hashes ever leave the device.
import { createLeafPreimage, leafData, MerkleLog } from '../../../anchor-queue';
import type { Db } from '../database';
import { requireMeta } from '../repositories/meta';
import { stmt } from '../statements';
import { SqliteMerkleNodeStore } from './sqlite-node-store';

export type LeafRecordKind = 'entry' | 'audit';

const logs = new WeakMap<Db, { log: MerkleLog; origin: string }>();

export function merkleLogOf(db: Db): { log: MerkleLog; origin: string } {
  let l = logs.get(db);
  if (!l) {
    l = { log: new MerkleLog(new SqliteMerkleNodeStore(db)), origin: requireMeta(db, 'device.id') };
    logs.set(db, l);
  }
  return l;
}

export function recordLeaf(
  db: Db,
  kind: LeafRecordKind,
  recordId: string,
  contentHash: Uint8Array,
  at: string,
): number {
  if (!db.inTransaction) throw new Error('recordLeaf must run inside the transaction that writes the record');
  const { log, origin } = merkleLogOf(db);
  const preimage = createLeafPreimage({ originDeviceId: origin, recordKind: kind, recordId, contentHash });
  const { index, leafHash } = log.append(leafData(preimage));
  stmt(
    db,
    'INSERT INTO merkle_leaves (leaf_index, record_kind, record_id, content_hash, salt, leaf_hash, created_at) VALUES (?,?,?,?,?,?,?)',
  ).run(index, kind, recordId, preimage.contentHash, preimage.salt, leafHash, at);
  return index;
}
