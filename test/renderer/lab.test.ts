import { describe, expect, it } from 'vitest';
import { LabInboxItem, type Entry } from '../../main/api';
import { labGroups } from '../../renderer/chart/lab-groups';
import { appendChunks, chunkStartSeconds, emptySeries, isEpochSeries } from '../../renderer/chart/recording-data';
import { ar } from '../../renderer/i18n/ar';
import { en } from '../../renderer/i18n/en';
import { translate } from '../../renderer/i18n/translate';
import { abnormalCount, confirmFilingText, formatLabValue, inboxResultRows } from '../../renderer/lab/inbox-model';
import { KNOWN_LAB_FLAGS, labFlag } from '../../renderer/lab/lab-flags';

const item = LabInboxItem.parse({
  id: 'i1',
  receivedAt: '2026-03-01T08:00:00.000Z',
  analyzer: 'Mindray BS-240',
  sampleId: 'S-1042',
  patientIds: ['MRN-99999'],
  results: [
    { test: 'GLU', value: 7.9, unit: 'mmol/L', abnormalFlag: 'H' },
    { test: 'K', value: 4.1, unit: ' mmol/L ', abnormalFlag: 'N' },
    { test: 'HIV', value: 'negative', unit: null, abnormalFlag: null },
    { test: 'NA', value: 118, unit: 'mmol/L', abnormalFlag: 'LL' },
    { test: '', value: '', unit: '', abnormalFlag: 'W' },
  ],
  status: 'pending',
  patientId: null,
});

describe('lab flags', () => {
  it('reads N as normal, every other flag as abnormal, LL/HH/AA as critical', () => {
    expect(labFlag('N')).toEqual({ code: 'N', abnormal: false, label: 'lab.flag.N', critical: false });
    expect(labFlag(' h ')).toEqual({ code: 'h', abnormal: true, label: 'lab.flag.H', critical: false });
    expect(labFlag('HH')).toMatchObject({ abnormal: true, critical: true });
    expect(labFlag('<')).toMatchObject({ abnormal: true, label: 'lab.flag.below' });
    expect(labFlag('W')).toEqual({ code: 'W', abnormal: true, label: null, critical: false });
    expect(labFlag(null)).toEqual({ code: null, abnormal: false, label: null, critical: false });
    expect(labFlag('')).toMatchObject({ code: null, abnormal: false });
  });

  it('have a meaning in both languages', () => {
    for (const flag of KNOWN_LAB_FLAGS) {
      const label = labFlag(flag).label;
      expect(label, flag).not.toBeNull();
      if (label) expect(ar[label]).toMatch(/[\u0600-\u06FF]/);
    }
  });
});

describe('lab inbox rows', () => {
  it('shows each result with its value, unit and flag', () => {
    const rows = inboxResultRows(item);
    expect(rows.map((r) => [r.test, r.value, r.unit, r.flag.code, r.flag.abnormal])).toEqual([
      ['GLU', '7.9', 'mmol/L', 'H', true],
      ['K', '4.1', 'mmol/L', 'N', false],
      ['HIV', 'negative', null, null, false],
      ['NA', '118', 'mmol/L', 'LL', true],
      ['—', '—', null, 'W', true],
    ]);
    expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
    expect(abnormalCount(item)).toBe(3);
    expect([formatLabValue(0.1 + 0.2), formatLabValue(Number.POSITIVE_INFINITY), formatLabValue(' ')]).toEqual([
      '0.30000000000000004',
      '—',
      '—',
    ]);
  });

  it('asks before filing, naming the sample when there is one', () => {
    const patient = { name: 'Zainab Ali', mrn: 'MRN-00017' };
    const withSample = confirmFilingText(item, patient);
    expect(translate(en, withSample.key, withSample.vars)).toBe(
      'File 5 results of sample S-1042 under Zainab Ali (MRN MRN-00017)?',
    );
    const without = confirmFilingText({ ...item, sampleId: null }, patient);
    expect(translate(en, without.key, without.vars)).toBe('File 5 results under Zainab Ali (MRN MRN-00017)?');
    expect(translate(ar, without.key, without.vars)).toBe('إلحاق 5 نتيجة بالمريض Zainab Ali (رقم السجل MRN-00017)؟');
  });
});

function labEntry(id: string, body: Record<string, unknown>, over: Partial<Entry> = {}): Entry {
  return {
    id,
    patientId: 'p1',
    kind: 'lab-result',
    body: { analyzer: 'Mindray BS-240', unit: 'mmol/L', referenceRange: null, abnormalFlag: null, ...body },
    authorId: 'u1',
    authorName: 'Lab',
    authorRole: 'lab_technician',
    createdAt: '2026-03-01T09:00:00.000Z',
    amends: null,
    amendReason: null,
    amendedBy: [],
    contentHash: 'h',
    signatureValid: true,
    ...over,
  };
}

describe('lab results in the chart', () => {
  it('groups results by sample, newest sample first, results in the order recorded', () => {
    const glucose = labEntry('e1', {
      code: { system: 'LOINC', code: '2345-7', display: 'Glucose' },
      value: 7.9,
      referenceRange: '3.9-5.5',
      abnormalFlag: 'H',
      sampleId: 'S1',
      observedAt: '2026-03-01T08:00:00Z',
    });
    const potassium = labEntry(
      'e2',
      {
        code: { system: 'LOINC', code: '2823-3', display: 'Potassium' },
        value: 4.1,
        referenceRange: '3.5-5.1',
        abnormalFlag: 'N',
        sampleId: 'S1',
        observedAt: '2026-03-01T08:00:00Z',
      },
      { createdAt: '2026-03-01T09:00:01.000Z' },
    );
    const later = labEntry('e3', {
      code: { system: 'local', code: 'CRP', display: 'CRP' },
      value: 12,
      sampleId: 'S2',
      observedAt: '2026-03-02T08:00:00Z',
    });
    const noSample = labEntry(
      'e4',
      { code: { system: 'local', code: 'HB', display: 'Hb' }, value: 13.1, sampleId: null, observedAt: null },
      { createdAt: '2026-02-01T08:00:00.000Z' },
    );
    const corrected = labEntry(
      'e5',
      { code: { system: 'local', code: 'X' }, value: 1, sampleId: 'S2' },
      { amendedBy: ['e9'] },
    );
    const vitals = { ...labEntry('e6', {}), kind: 'vitals' as const };
    const groups = labGroups([later, potassium, noSample, glucose, corrected, vitals]);
    expect(groups.map((g) => [g.sampleId, g.time, g.rows.map((r) => r.entryId)])).toEqual([
      ['S2', '2026-03-02T08:00:00Z', ['e3']],
      ['S1', '2026-03-01T08:00:00Z', ['e1', 'e2']],
      [null, '2026-02-01T08:00:00.000Z', ['e4']],
    ]);
    expect(groups[1]?.rows[0]).toEqual({
      entryId: 'e1',
      name: 'Glucose',
      value: '7.9',
      unit: 'mmol/L',
      referenceRange: '3.9-5.5',
      flag: { code: 'H', abnormal: true, label: 'lab.flag.H', critical: false },
    });
    expect(groups[1]?.rows[1]?.flag.abnormal).toBe(false);
    expect(groups[1]?.analyzer).toBe('Mindray BS-240');
  });
});

describe('recording chunks', () => {
  it('reads t0 as epoch milliseconds, or as seconds when too small to be milliseconds', () => {
    expect(chunkStartSeconds(1_772_352_000_000)).toBe(1_772_352_000);
    expect(chunkStartSeconds(12)).toBe(12);
  });

  it('lays chunks end to end, ignoring jitter, and leaves a gap where the recording stopped', () => {
    const t0 = 1_772_352_000_000;
    const series = emptySeries();
    appendChunks(series, [
      { seq: 0, t0, sampleRate: 4, samples: [1, 2, 3, 4] },
      { seq: 1, t0: t0 + 1003, sampleRate: 4, samples: [5, 6, 7, 8] }, // 3 ms of clock jitter
    ]);
    appendChunks(series, [
      { seq: 2, t0: t0 + 10_000, sampleRate: 4, samples: [9, 10] }, // after an 8 s break
      { seq: 3, t0: t0 + 10_400, sampleRate: 0, samples: [99] }, // unusable: skipped
    ]);
    const start = t0 / 1000;
    expect(series.xs.slice(0, 8).map((x) => x - start)).toEqual([0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75]);
    expect(series.ys).toEqual([1, 2, 3, 4, 5, 6, 7, 8, null, 9, 10]);
    expect(series.xs[8]! - start).toBe(6); // the gap marker, halfway through the break
    expect(series.xs.slice(9).map((x) => x - start)).toEqual([10, 10.25]);
    expect([series.samples, series.seconds, series.lastSeq]).toEqual([10, 2.5, 2]);
    for (let i = 1; i < series.xs.length; i++) expect(series.xs[i]!).toBeGreaterThan(series.xs[i - 1]!);
    expect(isEpochSeries(series)).toBe(true);
  });

  it('never lets time go backwards when a chunk claims to start early', () => {
    const series = appendChunks(emptySeries(), [
      { seq: 0, t0: 100, sampleRate: 2, samples: [1, 2] },
      { seq: 1, t0: 99, sampleRate: 2, samples: [3] },
    ]);
    expect(series.xs).toEqual([100, 100.5, 101]);
    expect(isEpochSeries(series)).toBe(false);
  });
});
