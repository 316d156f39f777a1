// What the share policy (sync/policy) needs to know, from this host's tables.
//
// As wired today every enrolled device is a device of the clinic's one facility,
// and every chart belongs to that facility: an active device may hold every chart,
// a revoked or unknown one nothing. The roster and catalog documents go to every
// active device. Field-team assignment and patient consent (which mayHold already
// implements) need chart fields and an administrator screen that do not exist yet.
import type { DeviceFacts, DocumentFacts, ShareFacts } from '../../../sync';
import type { Db } from '../../store/database';
import { stmt } from '../../store/statements';

export function hostShareFacts(args: {
  db: Db;
  clinicId: string;
  isActive: (deviceId: string) => boolean;
  /** Roster and catalog: every device of the clinic holds them. */
  clinicDocs: () => ReadonlySet<string>;
}): ShareFacts {
  return {
    device(deviceId): DeviceFacts | undefined {
      if (!args.isActive(deviceId)) return undefined;
      return { deviceId, role: 'clinic', facilityIds: [args.clinicId], teamIds: [] };
    },
    document(documentId): DocumentFacts | undefined {
      if (args.clinicDocs().has(documentId)) return { kind: 'roster' };
      const row = stmt(args.db, 'SELECT id FROM patients WHERE document_id = ?').get(documentId) as
        { id: string } | undefined;
      if (!row) return undefined;
      return {
        kind: 'patient',
        patientId: row.id,
        facilityId: args.clinicId,
        fieldTeamIds: [],
        consent: { fieldCopies: true, regionalHub: true },
      };
    },
  };
}
