import type { Entry, EntryKind } from '../../main/api';

/** An entry some later amendment corrects. It stays in the chart, marked as such. */
export function isSuperseded(entry: Entry): boolean {
  return entry.amendedBy.length > 0;
}

/** Newest first; entries made in the same instant keep a stable order. */
export function newestFirst(entries: readonly Entry[]): Entry[] {
  return [...entries].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
}

/** Kinds a person records, and so may amend with the same form; device and lab data are not. */
export function isAmendable(kind: EntryKind): boolean {
  return kind === 'vitals' || kind === 'note' || kind === 'encounter';
}
