// Appends the leaf of a record (signed entry, audit record) to the device's Merkle
// log. Must run inside the transaction that writes the record, so both commit or
// neither does. The leaf is a salted hash: health data is low-entropy, and only
// hashes ever leave the device.
//
// The record keeps its own leaf: the caller writes the returned leaf index and salt
// into the record's row (entries.leaf_index/leaf_salt, audit_log.leaf_index/leaf_salt,
// see migration 0005). The rest of the preimage (kind, id, content hash) is the
// record itself, so a leaf costs no table or index page of its own.
import { encodeLeafData, MerkleLog, newLeafSalt, type LeafPreimage } from '../../../anchor-queue';
import { hashPrefixedLeaf, nativeMerkleHasher } from '../crypto/merkle-hasher';
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
  // Validates every field (and throws) before anything is appended.
  const leafHash = hashLeaf({ originDeviceId: origin, recordKind: kind, recordId, contentHash, salt });
  return { leafIndex: log.appendLeafHash(leafHash), salt };
}

// 0x00 ‖ leaf data, encoded in place and hashed without a copy (grown for long ids).
let leafInput = new Uint8Array(512);

function hashLeaf(preimage: LeafPreimage): Uint8Array {
  let length = encodeLeafData(preimage, leafInput, 1);
  if (length + 1 > leafInput.length) {
    leafInput = new Uint8Array(2 * (length + 1));
    length = encodeLeafData(preimage, leafInput, 1);
  }
  leafInput[0] = 0x00;
  return hashPrefixedLeaf(leafInput.subarray(0, length + 1));
}
