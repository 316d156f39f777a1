// What a conflict from the review queue means for a clinician: which field of the
// chart, the competing values in words, and where each came from. Pure: tested on
// its own.
import type { ConflictSummary } from '../../main/api';
import type { MessageKey, Text } from '../i18n/translate';

/** Chart document paths (main/store/charts/chart-doc.ts) and the labels the chart already uses for them. */
const DEMOGRAPHIC_LABELS: Readonly<Record<string, MessageKey>> = {
  givenName: 'register.given',
  fatherName: 'register.father',
  familyName: 'register.family',
  latinName: 'register.latin',
  sex: 'register.sex',
  birthDate: 'register.birthdate',
  phone: 'register.phone',
  nationalId: 'register.nationalId',
  address: 'register.address',
};

const LIST_LABELS: Readonly<Record<string, MessageKey>> = {
  allergies: 'conflict.field.allergy',
  problems: 'conflict.field.problem',
  medications: 'conflict.field.medication',
};

/** The field in words; a path the UI does not know is shown as it is, never hidden. */
export function conflictField(conflict: Pick<ConflictSummary, 'path'>): Text {
  const [first, second] = conflict.path;
  if (first === 'demographics' && second !== undefined && DEMOGRAPHIC_LABELS[second]) {
    return { key: DEMOGRAPHIC_LABELS[second] };
  }
  if (first === 'mrn' && conflict.path.length === 1) return { key: 'chart.mrn' };
  if (first !== undefined && LIST_LABELS[first]) return { key: LIST_LABELS[first] };
  return { key: 'conflict.field.other', vars: { path: conflict.path.join('.') } };
}

export function conflictKindText(conflict: Pick<ConflictSummary, 'kind'>): Text {
  return { key: `conflict.kind.${conflict.kind}` };
}

export type ValueView = { kind: 'text'; text: string } | { kind: 'none'; label: Text };

/** A competing value as text. null is "removed" for an item removed on one side, "empty" otherwise. */
export function valueView(value: unknown, kind: ConflictSummary['kind']): ValueView {
  if (value === null || value === undefined || value === '') {
    return {
      kind: 'none',
      label: { key: kind === 'removed-vs-edited' ? 'conflict.value.removed' : 'conflict.value.empty' },
    };
  }
  if (typeof value === 'string') return { kind: 'text', text: value };
  if (typeof value === 'number' || typeof value === 'boolean') return { kind: 'text', text: String(value) };
  return { kind: 'text', text: JSON.stringify(value) };
}

/** Where a value came from: the side of the merge when the host says it. */
export function originText(side: 'ours' | 'theirs' | null): Text {
  if (side === 'ours') return { key: 'conflict.origin.ours' };
  if (side === 'theirs') return { key: 'conflict.origin.theirs' };
  return { key: 'conflict.origin.unknown' };
}

/** Open conflicts grouped by patient, in the order first detected (oldest first). */
export function groupByPatient(
  conflicts: readonly ConflictSummary[],
): { patientId: string | null; conflicts: ConflictSummary[] }[] {
  const open = conflicts.filter((c) => c.status === 'open').sort((a, b) => a.detectedAt.localeCompare(b.detectedAt));
  const groups = new Map<string | null, ConflictSummary[]>();
  for (const c of open) {
    const list = groups.get(c.patientId);
    if (list) list.push(c);
    else groups.set(c.patientId, [c]);
  }
  return [...groups].map(([patientId, list]) => ({ patientId, conflicts: list }));
}

export type ResolveProblem = 'chooseValue' | 'giveReason' | null;

/** Checked before anything is sent: a value must be picked and a reason given. */
export function resolveProblem(choice: number | null, reason: string): ResolveProblem {
  if (choice === null) return 'chooseValue';
  if (reason.trim() === '') return 'giveReason';
  return null;
}
