// The roster travels as an ordinary Automerge document (so the clinic's device list
// is synced like everything else): a map from operation hash to encoded operation.
// Map keys merge by union, which is exactly the roster's merge rule; whatever a peer
// writes into it is only data — buildRoster() decides what counts.
import type { SignedRosterOp } from './roster-ops';
import { decodeRosterOp, encodeRosterOp, rosterOpHash } from './roster-ops';

export interface RosterDoc {
  rosterOps: { [hash: string]: Uint8Array };
}

/** Operations held in a roster document; undecodable entries are skipped (buildRoster ignores them anyway). */
export function rosterOpsOf(doc: RosterDoc): SignedRosterOp[] {
  const out: SignedRosterOp[] = [];
  for (const data of Object.values(doc.rosterOps ?? {})) {
    try {
      out.push(decodeRosterOp(data));
    } catch {
      // Foreign or damaged entry: not an operation.
    }
  }
  return out;
}

/** Call inside handle.change(): adds operations not yet present. */
export function putRosterOps(doc: RosterDoc, ops: Iterable<SignedRosterOp>): void {
  if (!doc.rosterOps) doc.rosterOps = {};
  for (const op of ops) {
    const h = rosterOpHash(op);
    if (!(h in doc.rosterOps)) doc.rosterOps[h] = encodeRosterOp(op);
  }
}
