// Appends the leaf of a record (signed entry, audit record) to the device's Merkle
// log. Must run inside the transaction that writes the record, so both commit or
// neither does. The leaf is a salted hash: health data is low-entropy, and only
// hashes ever leave the device.
//
// The record keeps its own leaf: the caller writes the returned leaf index and salt
// into the record's row (entries.leaf_index/leaf_salt, audit_log.leaf_index/leaf_salt,
// see migration 0005). The rest of the preimage (kind, id, content hash) is the
// record itself, so a leaf costs no table or index page of its own.
//
// Two appends run for every committed entry, so each connection keeps the log's
// right edge (MerkleFrontier) in memory: an append then computes its row without
// reading the tree and writes it with one INSERT. The edge is used only while
// nothing else can have changed the log behind it:
// - another connection or process committed: PRAGMA data_version changes (read on
//   every append; it is the pager's counter, no table is read);
// - an append on this connection that did not come through here (a MerkleLog over
//   SqliteMerkleNodeStore): nodeStoreWrites(db) changes;
// - the transaction (or savepoint) of an append made here was rolled back: the log
//   is then shorter than the edge, and the INSERT of the next leaf fails on its
//   foreign key (each merkle_log row must follow the row of the leaf before it;
//   migration 0007), writing nothing. Foreign keys are on for every connection
//   openEncryptedDatabase opens (on a connection without them no edge is kept).
// In any of these cases the append reads the edge from the store instead, like any
// MerkleLog append, and keeps that. Each leaf's nodes commit in its record's
// transaction either way.
import type { Statement } from 'better-sqlite3-multiple-ciphers';
import { LeafDataEncoder, MerkleLog, newLeafSalt, type FrontierNode, type MerkleFrontier } from '../../../anchor-queue';
import { hashPrefixedLeaf, nativeMerkleHasher } from '../crypto/merkle-hasher';
import type { Db } from '../database';
import { requireMeta } from '../repositories/meta';
import { insertLeafRow, nodeStoreWrites, SqliteMerkleNodeStore } from './sqlite-node-store';

export type LeafRecordKind = 'entry' | 'audit';

interface Edge {
  frontier: MerkleFrontier;
  /** PRAGMA data_version when the edge was read from the store. */
  dataVersion: number;
  /** nodeStoreWrites(db) then. */
  storeWrites: number;
}

interface RecordLog {
  log: MerkleLog;
  origin: string;
  /** This device's leaves of each kind: origin and kind encoded once. */
  encoders: Record<LeafRecordKind, LeafDataEncoder>;
  /** The log's right edge after the last append here; null: read it from the store. */
  edge: Edge | null;
}

const logs = new WeakMap<Db, RecordLog>();

export function merkleLogOf(db: Db): { log: MerkleLog; origin: string } {
  return recordLogOf(db);
}

function recordLogOf(db: Db): RecordLog {
  let l = logs.get(db);
  if (!l) {
    const origin = requireMeta(db, 'device.id');
    l = {
      log: new MerkleLog(new SqliteMerkleNodeStore(db), nativeMerkleHasher),
      origin,
      encoders: { entry: new LeafDataEncoder(origin, 'entry'), audit: new LeafDataEncoder(origin, 'audit') },
      edge: null,
    };
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
  const l = recordLogOf(db);
  const salt = newLeafSalt();
  // Validates every field (and throws) before anything is appended.
  const leafHash = hashLeaf(l.encoders[kind], recordId, contentHash, salt);
  // Cleared until this append has written its row: if anything below throws, the
  // next append reads the store.
  const edge = l.edge;
  l.edge = null;
  if (edge && edge.storeWrites === nodeStoreWrites(db) && dataVersion(db) === edge.dataVersion) {
    const leafIndex = edge.frontier.size;
    if (insertFollowingRow(db, leafIndex, edge.frontier.append(leafHash, nativeMerkleHasher))) {
      l.edge = edge;
      return { leafIndex, salt };
    }
  }
  const frontier = l.log.frontier();
  const leafIndex = frontier.size;
  insertLeafRow(db, leafIndex, rowOf(frontier.append(leafHash, nativeMerkleHasher)));
  // Without foreign keys a rollback here would go unnoticed: keep no edge then.
  if (foreignKeysEnforced(db)) {
    l.edge = { frontier, dataVersion: dataVersion(db), storeWrites: nodeStoreWrites(db) };
  }
  return { leafIndex, salt };
}

// PRAGMA data_version reads the pager's counter: no table, no page.
const dataVersionStatements = new WeakMap<Db, Statement<[], number>>();
function dataVersion(db: Db): number {
  let statement = dataVersionStatements.get(db);
  if (!statement) {
    statement = db.prepare<[], number>('PRAGMA data_version').pluck();
    dataVersionStatements.set(db, statement);
  }
  return statement.get() as number;
}

// Not cheap (SQLite prepares this pragma again on every run), so it is read when the
// edge is read from the store. foreign_keys cannot change inside a transaction, and
// Sijill never turns it off on a connection it opened.
const foreignKeysEnforced = (db: Db): boolean => db.pragma('foreign_keys', { simple: true }) === 1;

/** One append's nodes as its merkle_log row: their hashes, level 0 first. */
function rowOf(nodes: readonly FrontierNode[]): Uint8Array {
  const row = new Uint8Array(32 * nodes.length);
  for (let i = 0; i < nodes.length; i++) row.set((nodes[i] as FrontierNode).hash, 32 * i);
  return row;
}

/**
 * Inserts the row of leaf `leafIndex`; false, having written nothing, if the log does
 * not end at leafIndex - 1 (the row before is missing: rolled back; or this leaf is
 * taken).
 */
function insertFollowingRow(db: Db, leafIndex: number, nodes: readonly FrontierNode[]): boolean {
  try {
    insertLeafRow(db, leafIndex, rowOf(nodes));
    return true;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return false;
    throw error;
  }
}

// 0x00 ‖ leaf data, encoded in place and hashed without a copy (grown for long ids).
let leafInput = new Uint8Array(512);

function hashLeaf(encoder: LeafDataEncoder, recordId: string, contentHash: Uint8Array, salt: Uint8Array): Uint8Array {
  let length = encoder.encodeInto(recordId, contentHash, salt, leafInput, 1);
  if (length + 1 > leafInput.length) {
    leafInput = new Uint8Array(2 * (length + 1));
    length = encoder.encodeInto(recordId, contentHash, salt, leafInput, 1);
  }
  leafInput[0] = 0x00;
  return hashPrefixedLeaf(leafInput.subarray(0, length + 1));
}
