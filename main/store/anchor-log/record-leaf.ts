// Appends the leaf of a record (signed entry, audit record) to the device's Merkle
// log. Must run inside the transaction that writes the record, so both commit or
// neither does. The leaf is a salted hash: health data is low-entropy, and only
// hashes ever leave the device.
//
// The record keeps its own leaf: the caller writes the returned leaf index and salt
// into the record's row (entries.leaf_index/leaf_salt, audit_log.leaf_index/leaf_salt,
// see migration 0005). The rest of the preimage (kind, id, content hash) is the
// record itself, so a leaf costs no table or index page of its own.
import { leafData, MerkleLog, newLeafSalt } from '../../../anchor-queue';
import { nativeMerkleHasher } from '../crypto/merkle-hasher';
import type { Db } from '../database';
import { requireMeta } from '../repositories/meta';
import { SqliteMerkleNodeStore } from './sqlite-node-store';

export type LeafRecordKind = 'entry' | 'audit';

const logs = new WeakMap<Db, { log: MerkleLog; origin: string }>();

export function merkleLogOf(db: Db): { log: MerkleLog; origin: string } {
  let l = logs.get(db);
  if (!l) {
    l = { log: new MerkleLog(new SqliteMerkleNodeStore(db), nativeMerkleHasher), origin: requireMeta(db, 'device.id') };
    logs.set(db, l);
  }
  return l;
}

export interface RecordLeaf {
  /** The leaf's position in the device's log; store it in the record's leaf_index. */
  leafIndex: number;
  /** The leaf's random salt; store it in the record's leaf_salt. */
  salt: Uint8Array;
}

/** The leaf id of an audit record: its sequence number, as text. */
export const auditLeafId = (seq: number): string => String(seq);

export function appendRecordLeaf(db: Db, kind: LeafRecordKind, recordId: string, contentHash: Uint8Array): RecordLeaf {
  if (!db.inTransaction)
    throw new Error('a record leaf must be appended inside the transaction that writes the record');
  const { log, origin } = merkleLogOf(db);
  const salt = newLeafSalt();
  // leafData validates every field (and throws) before anything is appended.
  const { index } = log.append(leafData({ originDeviceId: origin, recordKind: kind, recordId, contentHash, salt }));
  return { leafIndex: index, salt };
}
