// The clinic roster as this host holds it: the SQL copy of the signed operations is
// the source of truth for who may connect (it works before any sync), the roster
// document is how operations travel. Every change rebuilds the roster from all
// operations (buildRoster verifies each against the pinned founding operation).
import { buildRoster, isActiveDevice, type Roster, type RosterAnchor, type SignedRosterOp } from '../../../sync';
import type { Db } from '../../store/database';
import { stmt } from '../../store/statements';
import { listRosterOps, putRosterOps } from '../../store/sync/clinic-membership';

export class RosterState {
  readonly anchor: RosterAnchor;
  readonly #db: Db;
  #roster: Roster;
  readonly #listeners = new Set<(r: Roster) => void>();

  constructor(db: Db, anchor: RosterAnchor) {
    this.#db = db;
    this.anchor = anchor;
    this.#roster = buildRoster(listRosterOps(db), anchor);
    this.#refresh();
  }

  get roster(): Roster {
    this.#refresh();
    return this.#roster;
  }

  #count = -1;

  /**
   * Another process on the same data directory (the command line revoking a device
   * while the host serves) writes operations to SQL: one count per check notices it.
   */
  #refresh(): void {
    // A prepared statement kept for the connection: this runs for every share decision.
    const n = (stmt(this.#db, 'SELECT count(*) AS n FROM sync_roster_ops').get() as { n: number }).n;
    if (n === this.#count) return;
    const first = this.#count === -1;
    this.#count = n;
    if (first) return;
    this.#roster = buildRoster(listRosterOps(this.#db), this.anchor);
    for (const l of this.#listeners) l(this.#roster);
  }

  /** Stores operations (in the caller's transaction, if any) and rebuilds; returns how many were new. */
  add(ops: Iterable<SignedRosterOp>): number {
    const added = putRosterOps(this.#db, ops, new Date().toISOString());
    if (added > 0) {
      this.#count += added;
      this.#roster = buildRoster(listRosterOps(this.#db), this.anchor);
      for (const l of this.#listeners) l(this.#roster);
    }
    return added;
  }

  onChange(l: (r: Roster) => void): () => void {
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  }

  /** The handshake's trust check: enrolled, not revoked, and this very key. */
  readonly trust = (deviceId: string, publicKey: Uint8Array): boolean =>
    isActiveDevice(this.roster, deviceId, publicKey);

  readonly isActive = (deviceId: string): boolean => isActiveDevice(this.roster, deviceId);
}
