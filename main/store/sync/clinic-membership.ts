// The clinic this device belongs to, as sync knows it: the pinned roster anchor,
// the clinic secret (sealed under the database key, like users' private keys), the
// ids of the two shared bookkeeping documents, and the signed roster operations.
import type { RosterAnchor, SignedRosterOp } from '../../../sync';
import { decodeRosterOp, encodeRosterOp, rosterOpHash } from '../../../sync';
import { sealPrivateKey, unsealPrivateKey } from '../data-dir';
import type { Db } from '../database';
import { stmt } from '../statements';

export interface Membership {
  anchor: RosterAnchor;
  rosterDocId: string;
  catalogDocId: string;
  joinedAt: string;
}

interface Row {
  clinic_id: string;
  genesis: string;
  clinic_key_enc: Buffer;
  roster_doc_id: string;
  catalog_doc_id: string;
  joined_at: string;
}

export function getMembership(db: Db): Membership | undefined {
  const r = stmt(db, 'SELECT * FROM sync_clinic WHERE id = 1').get() as Row | undefined;
  if (!r) return undefined;
  return {
    anchor: { clinicId: r.clinic_id, genesis: r.genesis },
    rosterDocId: r.roster_doc_id,
    catalogDocId: r.catalog_doc_id,
    joinedAt: r.joined_at,
  };
}

/** The clinic secret (bundles are encrypted to its public half); kept in host memory only. */
export function clinicSecretKey(db: Db, dataKey: Uint8Array): Uint8Array {
  const r = stmt(db, 'SELECT clinic_key_enc FROM sync_clinic WHERE id = 1').get() as
    { clinic_key_enc: Buffer } | undefined;
  if (!r) throw new Error('this device is not enrolled in a clinic');
  return unsealPrivateKey(dataKey, new Uint8Array(r.clinic_key_enc));
}

/** Records membership once; call inside the transaction that also stores the roster operations. */
export function saveMembership(db: Db, dataKey: Uint8Array, m: Membership & { clinicSecretKey: Uint8Array }): void {
  stmt(
    db,
    `INSERT INTO sync_clinic (id, clinic_id, genesis, clinic_key_enc, roster_doc_id, catalog_doc_id, joined_at)
     VALUES (1, ?, ?, ?, ?, ?, ?)`,
  ).run(
    m.anchor.clinicId,
    m.anchor.genesis,
    Buffer.from(sealPrivateKey(dataKey, m.clinicSecretKey)),
    m.rosterDocId,
    m.catalogDocId,
    m.joinedAt,
  );
}

/** Stores operations not yet held; returns how many were new. Validity is buildRoster's job. */
export function putRosterOps(db: Db, ops: Iterable<SignedRosterOp>, at: string): number {
  let added = 0;
  for (const op of ops) {
    const r = stmt(db, 'INSERT OR IGNORE INTO sync_roster_ops (hash, op, received_at) VALUES (?, ?, ?)').run(
      rosterOpHash(op),
      Buffer.from(encodeRosterOp(op)),
      at,
    );
    added += r.changes;
  }
  return added;
}

export function listRosterOps(db: Db): SignedRosterOp[] {
  const rows = stmt(db, 'SELECT op FROM sync_roster_ops ORDER BY rowid').all() as { op: Buffer }[];
  const out: SignedRosterOp[] = [];
  for (const r of rows) {
    try {
      out.push(decodeRosterOp(new Uint8Array(r.op)));
    } catch {
      // Stored before a format change or damaged: buildRoster would ignore it anyway.
    }
  }
  return out;
}
