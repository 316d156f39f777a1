// Lab results of the chart, grouped as they were run: one group per sample (or,
// without a sample ID, per analyzer and observation time), newest first. Results
// corrected by a later entry are left out, like superseded vitals.
import type { Entry } from '../../main/api';
import { labFlag, type FlagView } from '../lab/lab-flags';
import { isSuperseded } from './entries';
import { readObservation } from './observation';

export interface LabRow {
  entryId: string;
  name: string;
  value: string;
  unit: string | null;
  referenceRange: string | null;
  flag: FlagView;
}

export interface LabGroup {
  key: string;
  sampleId: string | null;
  analyzer: string | null;
  /** When the sample was observed (or, failing that, recorded). */
  time: string;
  rows: LabRow[];
}

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

export function labGroups(entries: readonly Entry[]): LabGroup[] {
  const results = entries
    .filter((e) => e.kind === 'lab-result' && !isSuperseded(e))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  const groups = new Map<string, LabGroup>();
  for (const entry of results) {
    const body = entry.body;
    const sampleId = text(body.sampleId);
    const analyzer = text(body.analyzer);
    const time = text(body.observedAt) ?? entry.createdAt;
    const key = `${analyzer ?? ''}\u0000${sampleId !== null ? `s:${sampleId}` : `t:${time}`}`;
    let group = groups.get(key);
    if (!group) {
      group = { key, sampleId, analyzer, time, rows: [] };
      groups.set(key, group);
    }
    const o = readObservation(body);
    group.rows.push({
      entryId: entry.id,
      name: o.name,
      value: o.value,
      unit: o.unit,
      referenceRange: o.referenceRange,
      flag: labFlag(body.abnormalFlag),
    });
  }
  return [...groups.values()].sort((a, b) => timeOf(b.time) - timeOf(a.time) || a.key.localeCompare(b.key));
}

function timeOf(iso: string): number {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : t;
}
