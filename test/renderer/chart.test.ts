import { describe, expect, it } from 'vitest';
import type { Entry } from '../../main/api';
import { isAmendable, isSuperseded, newestFirst } from '../../renderer/chart/entries';
import { readObservation } from '../../renderer/chart/observation';
import { readVitals, vitalsRows } from '../../renderer/chart/vitals-rows';

function entry(id: string, over: Partial<Entry>): Entry {
  return {
    id,
    patientId: 'p1',
    kind: 'vitals',
    body: {},
    authorId: 'u1',
    authorName: 'Nurse Zainab',
    authorRole: 'nurse',
    createdAt: '2025-03-01T08:00:00.000Z',
    amends: null,
    amendReason: null,
    amendedBy: [],
    contentHash: 'h',
    signatureValid: true,
    ...over,
  };
}

const original = entry('e1', {
  createdAt: '2025-03-01T08:00:00.000Z',
  body: { spo2: 19, spo2Scale: 1 },
  amendedBy: ['e3'],
});
const note = entry('e2', { kind: 'note', createdAt: '2025-03-01T09:00:00.000Z', body: { text: 'Stable' } });
const amendment = entry('e3', {
  createdAt: '2025-03-01T10:00:00.000Z',
  body: { spo2: 91, spo2Scale: 2, supplementalOxygen: true },
  amends: 'e1',
  amendReason: 'Typing error',
});
const later = entry('e4', { createdAt: '2025-03-02T07:30:00.000Z', body: { heartRate: 90, consciousness: 'A' } });

describe('vitalsRows', () => {
  it('has one row per vitals entry in force, newest first, leaving out amended ones and other kinds', () => {
    const rows = vitalsRows([original, note, amendment, later]);
    expect(rows.map((r) => r.entryId)).toEqual(['e4', 'e3']);
    expect(rows[1]?.reading).toEqual({ spo2: 91, spo2Scale: 2, supplementalOxygen: true });
    expect(rows[0]?.reading).toEqual({ heartRate: 90, consciousness: 'A', spo2Scale: 1, supplementalOxygen: false });
  });
});

describe('readVitals', () => {
  it('keeps only well-formed values', () => {
    expect(
      readVitals({ heartRate: '90', spo2: 97, consciousness: 'X', temperatureC: Number.POSITIVE_INFINITY }),
    ).toEqual({
      spo2: 97,
      spo2Scale: 1,
      supplementalOxygen: false,
    });
  });
});

describe('timeline order', () => {
  it('lists every entry, amended ones included, newest first', () => {
    expect(newestFirst([original, later, note, amendment]).map((e) => e.id)).toEqual(['e4', 'e3', 'e2', 'e1']);
    expect([original, amendment].map(isSuperseded)).toEqual([true, false]);
  });
});

describe('device readings and lab results', () => {
  it('show what was measured, the value with its unit, the flag and the source', () => {
    expect(
      readObservation({
        code: { system: 'MDC', code: '150456', display: 'SpO2' },
        value: 86,
        unit: '%',
        observedAt: '2025-03-01T08:00:00Z',
        device: { profile: 'cms50d', connectionId: 'c1', label: 'Bed 3 oximeter' },
        abnormal: true,
      }),
    ).toEqual({ name: 'SpO2', value: '86', unit: '%', flagged: true, source: 'Bed 3 oximeter', referenceRange: null });
    const lab = readObservation({
      code: { system: 'LOINC', code: '2345-7' },
      value: 5.4,
      comparator: '<',
      unit: 'mmol/L',
      referenceRange: '3.9-5.5',
      abnormalFlag: 'N',
      analyzer: 'Mindray BS-240',
    });
    expect(lab).toEqual({
      name: 'LOINC 2345-7',
      value: '<5.4',
      unit: 'mmol/L',
      flagged: false,
      source: 'Mindray BS-240',
      referenceRange: '3.9-5.5',
    });
    expect(readObservation({ value: 'positive', abnormalFlag: 'A' })).toMatchObject({
      name: '—',
      value: 'positive',
      flagged: true,
    });
    expect(readObservation({})).toMatchObject({ name: '—', value: '—', unit: null, flagged: false, source: null });
  });

  it('are not amended with a form: only what a person records is', () => {
    expect(
      ['vitals', 'note', 'encounter', 'device-reading', 'lab-result'].map((k) => isAmendable(k as Entry['kind'])),
    ).toEqual([true, true, true, false, false]);
  });
});
