// Known peers (by device id) and, per peer, the heads of each document as last
// exchanged, so a later sync loads and sends only documents that changed since.
import type { Db } from '../database';
import { stmt } from '../statements';

export interface PeerRow {
  device_id: string;
  address: string | null;
  added_at: string;
  last_sync_at: string | null;
  last_error: string | null;
  /** The last connection that authenticated (migration 0012). */
  last_contact_at: string | null;
}

export function upsertPeer(db: Db, deviceId: string, address: string | null, at: string): void {
  stmt(
    db,
    `INSERT INTO sync_peers (device_id, address, added_at) VALUES (?, ?, ?)
     ON CONFLICT(device_id) DO UPDATE SET address = coalesce(excluded.address, sync_peers.address)`,
  ).run(deviceId, address, at);
}

export const listPeers = (db: Db): PeerRow[] =>
  stmt(db, 'SELECT * FROM sync_peers ORDER BY device_id').all() as PeerRow[];

export const getPeer = (db: Db, deviceId: string): PeerRow | undefined =>
  stmt(db, 'SELECT * FROM sync_peers WHERE device_id = ?').get(deviceId) as PeerRow | undefined;

/** A connection with this peer authenticated: data may move from now on. */
export function markPeerContact(db: Db, deviceId: string, at: string): void {
  stmt(db, 'UPDATE sync_peers SET last_contact_at = ? WHERE device_id = ?').run(at, deviceId);
}

/**
 * The last time this device exchanged data with a peer after `since` (a connection,
 * or a bundle from it imported here), or null: for a revoked peer, whether this
 * device dealt with it after its revocation, before it knew.
 */
export function lastContactAfter(db: Db, deviceId: string, since: string): string | null {
  const peer = stmt(db, 'SELECT last_contact_at AS at FROM sync_peers WHERE device_id = ?').get(deviceId) as
    { at: string | null } | undefined;
  const bundle = stmt(db, 'SELECT max(imported_at) AS at FROM sync_bundle_imports WHERE from_device = ?').get(
    deviceId,
  ) as { at: string | null };
  const after = [peer?.at, bundle.at].filter((t): t is string => typeof t === 'string' && t > since).sort();
  return after.pop() ?? null;
}

export function markPeerSynced(db: Db, deviceId: string, at: string): void {
  stmt(db, 'UPDATE sync_peers SET last_sync_at = ?, last_error = NULL WHERE device_id = ?').run(at, deviceId);
}

export function markPeerError(db: Db, deviceId: string, error: string): void {
  stmt(db, 'UPDATE sync_peers SET last_error = ? WHERE device_id = ?').run(error, deviceId);
}

/** Heads are stored sorted and JSON-encoded so equality is a string comparison. */
export const headsKey = (heads: readonly string[]): string => JSON.stringify([...heads].sort());

/**
 * headsKey of heads stored as JSON (`patients.heads`). Most charts have one head, and
 * its JSON already is the key: convergence checks and catalog scans read every chart's
 * heads, and parsing and sorting 10,000 of them showed in the incremental sync's time.
 */
export const storedHeadsKey = (json: string): string =>
  json.includes(',') ? headsKey(JSON.parse(json) as string[]) : json;

export function setPeerDocHeads(db: Db, deviceId: string, documentId: string, heads: readonly string[], at: string) {
  stmt(
    db,
    `INSERT INTO sync_peer_docs (device_id, document_id, heads, synced_at) VALUES (?, ?, ?, ?)
     ON CONFLICT(device_id, document_id) DO UPDATE SET heads = excluded.heads, synced_at = excluded.synced_at`,
  ).run(deviceId, documentId, headsKey(heads), at);
}

export function peerDocHeads(db: Db, deviceId: string, documentId: string): string[] {
  const r = stmt(db, 'SELECT heads FROM sync_peer_docs WHERE device_id = ? AND document_id = ?').get(
    deviceId,
    documentId,
  ) as { heads: string } | undefined;
  return r ? (JSON.parse(r.heads) as string[]) : [];
}

/**
 * Chart documents whose current heads differ from what this peer was last known to
 * hold: the only ones a sync or bundle needs to send. One indexed query; no document
 * is loaded to answer it.
 */
export function changedSince(db: Db, deviceId: string, limit = 1_000_000): string[] {
  return (
    stmt(
      db,
      `SELECT p.document_id AS id FROM patients p
       LEFT JOIN sync_peer_docs s ON s.device_id = ? AND s.document_id = p.document_id
       WHERE s.heads IS NULL OR s.heads <> p.heads ORDER BY p.document_id LIMIT ?`,
    ).all(deviceId, limit) as { id: string }[]
  ).map((r) => r.id);
}

/** Charts not yet acknowledged by any peer (the status bar's "unsent changes"). */
export function unsentCount(db: Db, deviceId?: string): number {
  const sql = deviceId
    ? `SELECT count(*) AS n FROM patients p LEFT JOIN sync_peer_docs s ON s.device_id = ? AND s.document_id = p.document_id
       WHERE s.heads IS NULL OR s.heads <> p.heads`
    : `SELECT count(*) AS n FROM patients p WHERE NOT EXISTS
         (SELECT 1 FROM sync_peer_docs s WHERE s.document_id = p.document_id AND s.heads = p.heads)`;
  const r = (deviceId ? stmt(db, sql).get(deviceId) : stmt(db, sql).get()) as { n: number };
  return r.n;
}
