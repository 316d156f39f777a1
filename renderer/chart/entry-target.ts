// A clinical entry form either records a new entry for a patient or amends an
// existing one; the body it builds is the same, only the call differs.
import { contract, type Entry, type EntryKind, type Input } from '../../main/api';
import type { HostClient } from '../api/client';

export type EntryTarget = { type: 'new'; patientId: string } | { type: 'amend'; entry: Entry };

export type EntryBody =
  | { kind: 'vitals'; body: Input<'entries.recordVitals'>['vitals'] }
  | { kind: 'note'; body: Input<'entries.addNote'>['note'] }
  | { kind: 'encounter'; body: Input<'entries.recordEncounter'>['encounter'] };

/** The reason schema of entries.amend, used to check the reason field before sending. */
export const AMEND_REASON = contract['entries.amend'].input.shape.reason;

export function saveEntry(client: HostClient, target: EntryTarget, entry: EntryBody, reason: string): Promise<Entry> {
  if (target.type === 'amend') {
    return client.call('entries.amend', { entryId: target.entry.id, reason, body: entry.body });
  }
  const { patientId } = target;
  switch (entry.kind) {
    case 'vitals':
      return client.call('entries.recordVitals', { patientId, vitals: entry.body });
    case 'note':
      return client.call('entries.addNote', { patientId, note: entry.body });
    case 'encounter':
      return client.call('entries.recordEncounter', { patientId, encounter: entry.body });
  }
}

/** The form field that holds the amendment's reason (apart from an encounter's own "reason"). */
export const AMEND_REASON_FIELD = 'amendReason';

/**
 * Maps a host issue path onto the entry form's fields: `vitals.spo2` → `spo2` for a
 * new entry; `body.spo2` → `spo2` and `reason` → `amendReason` for an amendment.
 * Other paths are left alone (the form shows them as general problems).
 */
export function entryFormPath(target: EntryTarget, kind: EntryKind): (path: string) => string {
  const stripPrefix = (prefix: string) => (path: string) =>
    path.startsWith(`${prefix}.`) ? path.slice(prefix.length + 1) : path;
  if (target.type === 'new') return stripPrefix(kind);
  const fromBody = stripPrefix('body');
  return (path) => (path === 'reason' ? AMEND_REASON_FIELD : path.startsWith('body.') ? fromBody(path) : path);
}
