// A lab inbox item as the inbox shows it: one row per result, value with its unit
// and flag; and what the "file under patient" confirmation says.
import type { LabInboxItem } from '../../main/api';
import type { Text } from '../i18n/translate';
import { labFlag, type FlagView } from './lab-flags';

export interface InboxResultRow {
  key: string;
  test: string;
  value: string;
  unit: string | null;
  flag: FlagView;
}

export function inboxResultRows(item: Pick<LabInboxItem, 'results'>): InboxResultRow[] {
  return item.results.map((r, i) => ({
    key: `${i}:${r.test}`,
    test: r.test.trim() === '' ? '—' : r.test,
    value: formatLabValue(r.value),
    unit: r.unit?.trim() ? r.unit.trim() : null,
    flag: labFlag(r.abnormalFlag),
  }));
}

/** A lab value: numbers as written by JavaScript (no rounding), text as sent. */
export function formatLabValue(value: number | string): string {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '—';
  return value.trim() === '' ? '—' : value;
}

/** How many results of an item are flagged abnormal. */
export function abnormalCount(item: Pick<LabInboxItem, 'results'>): number {
  return inboxResultRows(item).filter((r) => r.flag.abnormal).length;
}

/** The question asked before filing an item under a patient. */
export function confirmFilingText(
  item: Pick<LabInboxItem, 'results' | 'sampleId'>,
  patient: { name: string; mrn: string },
): Text {
  const vars = { n: item.results.length, name: patient.name, mrn: patient.mrn };
  return item.sampleId?.trim()
    ? { key: 'inbox.confirmText', vars: { ...vars, sample: item.sampleId.trim() } }
    : { key: 'inbox.confirmTextNoSample', vars };
}
