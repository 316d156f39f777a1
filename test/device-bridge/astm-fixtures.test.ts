// The SENAITE analyser captures (GPL-labelled: read in place from ../shared, never copied).
import { describe, expect, it } from 'vitest';
import {
  AstmLinkReceiver,
  decodeCapture,
  type DecodedItem,
  type MessageSummary,
  type NumericObservation,
  type TextObservation,
} from '../../device-bridge/index';
import { feed, rRecordsByRegex, sharedFixture } from './helpers';

type Result = NumericObservation | TextObservation;
const results = (items: DecodedItem[]) => items.filter((i): i is Result => i.kind === 'numeric' || i.kind === 'text');
const byCode = (items: DecodedItem[], code: string) => {
  const r = results(items).filter((i) => i.code.code === code);
  expect(r, `exactly one result coded ${code}`).toHaveLength(1);
  return r[0] as Result;
};

const FILES = {
  'astm/senaite/cobas_c111.txt': { results: 1, frames: 7 },
  'astm/senaite/pentra_xlr.txt': { results: 21, frames: 28 },
  'astm/senaite/sysmex_xn550.txt': { results: 41, frames: 1 },
  'astm/senaite/sysmex_xp100.txt': { results: 20, frames: 1 },
} as const;

describe('SENAITE captures: every R record', () => {
  for (const [file, expected] of Object.entries(FILES)) {
    it(`${file}: all ${expected.results} results decoded with value, units, flag and test code; no errors`, () => {
      const bytes = sharedFixture(file);
      const { items, errors } = decodeCapture('astm', bytes);
      expect(errors).toEqual([]);
      const rs = results(items);
      expect(rs).toHaveLength(expected.results);
      // an independent, regex-based reading of the same bytes
      const oracle = rRecordsByRegex(bytes);
      expect(oracle).toHaveLength(expected.results);
      oracle.forEach((fields, i) => {
        const r = rs[i] as Result;
        const value = (fields[3] ?? '').trim();
        const testId = (fields[2] ?? '').split('^');
        expect(r.source?.ref).toBe(`R|${fields[1]}`);
        expect(r.code.code).toBe(testId.slice(3).find((c) => c !== '') ?? testId[0]);
        if (/^-?\d+(\.\d+)?$/.test(value)) {
          expect(r.kind).toBe('numeric');
          expect(r.value).toBe(Number(value));
        } else {
          expect(r.kind).toBe('text');
          expect(r.value).toBe(value.replace(/&R&/g, '\\'));
        }
        expect(r.unit ?? '').toBe((fields[4] ?? '').trim());
        expect(r.abnormalFlag ?? '').toBe((fields[6] ?? '').trim());
        expect(r.status ?? '').toBe((fields[8] ?? '').trim());
      });
      // frames: every one ACKed, none NAKed
      const link = feed(new AstmLinkReceiver(), [bytes]);
      expect(link.filter((e) => e.type === 'frame')).toHaveLength(expected.frames);
      expect(link.filter((e) => e.type === 'send').every((e) => (e as { bytes: Uint8Array }).bytes[0] === 0x06)).toBe(
        true,
      );
    });
  }
});

describe('SENAITE captures: values checked by hand', () => {
  it('cobas c111: one chemistry result, sample id from O-4, comment and manufacturer records kept out', () => {
    const { items } = decodeCapture('astm', sharedFixture('astm/senaite/cobas_c111.txt'));
    const summary = items[0] as MessageSummary;
    expect(summary).toMatchObject({
      kind: 'message',
      sender: 'SENAITE^Roche^c111^4.2.2.1730^1^13147',
      receiver: 'host',
      processingId: 'P',
      timestamp: '2023-08-03T13:17:13',
      counts: { H: 1, P: 1, O: 1, R: 1, C: 1, M: 1, L: 1 },
      complete: true,
    });
    expect(byCode(items, '413')).toMatchObject({
      kind: 'numeric',
      value: 40.13,
      unit: 'g/L',
      abnormalFlag: 'N',
      status: 'F',
      observedAt: '2023-08-03T13:17:00',
      sampleId: 'T20 10134GA D28',
    });
  });

  it('Pentra XL/XLR: haematology with LOINC codes in the test id, flags and invalid values', () => {
    const { items } = decodeCapture('astm', sharedFixture('astm/senaite/pentra_xlr.txt'));
    const wbc = byCode(items, 'WBC');
    expect(wbc).toMatchObject({
      kind: 'numeric',
      value: 8.5,
      unit: '1',
      status: 'W',
      sampleId: 'S1234',
      observedAt: '2022-07-27T12:15:50',
    });
    expect(wbc.altCodes).toEqual([{ system: 'LOINC', code: '804-5' }]);
    expect(wbc.comments).toEqual(['Alarm_WBC^LMNE-^BASO+^LL^NL^LN^NO^SL1', 'LARGE IMMATURE CELL^NRBCs']);
    expect(byCode(items, 'MON#')).toMatchObject({ kind: 'numeric', value: 0.15, abnormalFlag: 'L' });
    expect(byCode(items, 'BAS#')).toMatchObject({ kind: 'text', value: '-----', abnormalFlag: 'HH', status: 'X' });
    expect(byCode(items, 'HGB')).toMatchObject({
      kind: 'numeric',
      value: 14.0,
      altCodes: [{ system: 'LOINC', code: '717-9' }],
    });
    expect(byCode(items, 'PLT')).toMatchObject({
      kind: 'numeric',
      value: 234,
      status: 'F',
      comments: ['PLATELET AGGREGATS'],
    });
    expect(byCode(items, 'RDWSD')).toMatchObject({ kind: 'numeric', value: 43 });
    expect(results(items).every((r) => r.patientIds === undefined)).toBe(true);
  });

  it('Sysmex XN-550: one 2.6 kB frame, patient id, sample id, escaped &R& values and empty flag results', () => {
    const { items } = decodeCapture('astm', sharedFixture('astm/senaite/sysmex_xn550.txt'));
    expect(items[0]).toMatchObject({ kind: 'message', sender: 'XN-550^00-24^22723^^^^BD634545', version: 'E1394-97' });
    expect(byCode(items, 'WBC')).toMatchObject({
      kind: 'numeric',
      value: 8.13,
      unit: '10*3/uL',
      abnormalFlag: 'N',
      status: 'F',
      patientIds: ['37182'],
      sampleId: '27',
      observedAt: '2024-06-27T13:54:07',
    });
    expect(byCode(items, 'HCT')).toMatchObject({ value: 22.7, unit: '%', abnormalFlag: 'L' });
    expect(byCode(items, 'EO%')).toMatchObject({ value: 22.1, unit: '%', abnormalFlag: 'H' });
    expect(byCode(items, 'PLT')).toMatchObject({ value: 99, unit: '10*3/uL' });
    expect(byCode(items, 'Eosinophilia')).toMatchObject({ kind: 'text', value: '', abnormalFlag: 'A' });
    expect(byCode(items, 'Blasts/Abn_Lympho?')).toMatchObject({ kind: 'numeric', value: 40 });
    expect(byCode(items, 'SCAT_WDF')).toMatchObject({
      kind: 'text',
      value: 'PNG\\20240628\\2024_06_27_13_54_27_WDF.PNG',
    });
  });

  it('Sysmex XP-100: values padded with spaces, no status field', () => {
    const { items } = decodeCapture('astm', sharedFixture('astm/senaite/sysmex_xp100.txt'));
    expect(byCode(items, 'WBC')).toMatchObject({
      kind: 'numeric',
      value: 5.5,
      unit: '10*3/uL',
      abnormalFlag: 'N',
      sampleId: '113',
    });
    expect(byCode(items, 'WBC').status).toBeUndefined();
    expect(byCode(items, 'MCHC')).toMatchObject({ value: 41.7, unit: 'g/dL', abnormalFlag: 'H' });
    expect(byCode(items, 'MCV')).toMatchObject({ value: 84.3, unit: 'fL', abnormalFlag: 'L' });
    expect(byCode(items, 'PLT')).toMatchObject({ value: 170 });
    expect(byCode(items, 'PCT')).toMatchObject({ value: 0.17, unit: '%', observedAt: '2024-07-23T17:24:52' });
  });

  it('record offsets point at the record in the file', () => {
    const bytes = sharedFixture('astm/senaite/pentra_xlr.txt');
    const { items } = decodeCapture('astm', bytes);
    for (const r of results(items)) {
      const at = r.source?.offset ?? -1;
      expect(String.fromCharCode(...bytes.subarray(at, at + 2))).toBe('R|');
    }
  });
});
