// What the share policy (sync/policy) needs to know, from this host's tables.
//
// Devices: the role and field teams an administrator set in the signed roster
// (`set-device-role`, see device-roles.ts); a device without one is a clinic device.
// The clinic has one facility (its clinic id): a clinic device and a hub serve it.
// A revoked or unknown device gets nothing.
//
// Documents: the roster and catalog go to every active device. A chart's facts are
// its projection (migration 0008): the field teams the patient is assigned to, and
// the patient's choices about field copies and regional storage (defaults for charts
// that never recorded them: no teams, field copies allowed, no regional consent).
import { buildRoster, type DeviceFacts, type DocumentFacts, type Roster, type ShareFacts } from '../../../sync';
import type { Db } from '../../store/database';
import { sharingOfDocument } from '../../store/charts/projection';
import { getMembership, listRosterOps } from '../../store/sync/clinic-membership';
import { stmt } from '../../store/statements';

/**
 * The roster as stored in SQL, rebuilt only when the number of stored operations
 * changes (like RosterState, which the caller may pass instead).
 */
export function storedRoster(db: Db): () => Roster | undefined {
  let count = -1;
  let roster: Roster | undefined;
  return () => {
    const n = (stmt(db, 'SELECT count(*) AS n FROM sync_roster_ops').get() as { n: number }).n;
    if (n !== count) {
      const m = getMembership(db);
      roster = m ? buildRoster(listRosterOps(db), m.anchor) : undefined;
      count = n;
    }
    return roster;
  };
}

export function hostShareFacts(args: {
  db: Db;
  clinicId: string;
  isActive: (deviceId: string) => boolean;
  /** Roster and catalog: every device of the clinic holds them. */
  clinicDocs: () => ReadonlySet<string>;
  /** The verified roster (roles and teams); read from SQL when not given. */
  roster?: () => Roster | undefined;
}): ShareFacts {
  const roster = args.roster ?? storedRoster(args.db);
  return {
    device(deviceId): DeviceFacts | undefined {
      if (!args.isActive(deviceId)) return undefined;
      const d = roster()?.devices.get(deviceId);
      if (!d) return undefined;
      switch (d.role) {
        case 'clinic':
        case 'hub':
          return { deviceId, role: d.role, facilityIds: [args.clinicId], teamIds: [] };
        case 'field':
          return { deviceId, role: 'field', facilityIds: [], teamIds: [...d.teamIds] };
      }
    },
    document(documentId): DocumentFacts | undefined {
      if (args.clinicDocs().has(documentId)) return { kind: 'roster' };
      const row = sharingOfDocument(args.db, documentId);
      if (!row) return undefined;
      return {
        kind: 'patient',
        patientId: row.patientId,
        facilityId: args.clinicId,
        fieldTeamIds: row.sharing.fieldTeamIds,
        consent: { fieldCopies: row.sharing.fieldCopies, regionalHub: row.sharing.regionalHub },
      };
    },
  };
}
