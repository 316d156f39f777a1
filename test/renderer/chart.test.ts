import { describe, expect, it } from 'vitest';
import type { Entry } from '../../main/api';
import { isSuperseded, newestFirst } from '../../renderer/chart/entries';
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
