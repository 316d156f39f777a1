import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeCapture,
  LineFramer,
  parseMasimoLine,
  type LineEvent,
  type NumericObservation,
  type OximeterStatus,
} from '../../device-bridge/index';
import { ascii, feed, plain, repoFixture, splitAt } from './helpers';

const nums = (items: { kind: string }[]) => items.filter((i): i is NumericObservation => i.kind === 'numeric');
const status = (items: { kind: string }[]) => items.find((i): i is OximeterStatus => i.kind === 'oximeter-status');

const LINE =
  '05/05/26 10:21:33 SN=0000012345 SPO2=098% BPM=097 PI=03.60% SPCO=--.-% SPMET=--.-% DESAT=-- PIDELTA=+-- ALARM=0000 EXC=000000';

describe('Masimo ASCII lines', () => {
  it('parses every present field; dashes mean no reading', () => {
    const { items, errors } = parseMasimoLine(LINE, 7);
    expect(errors).toEqual([]);
    expect(nums(items).map((n) => [n.code.code, n.value, n.unit, n.observedAt])).toEqual([
      ['59408-5', 98, '%', '2026-05-05T10:21:33'],
      ['8889-8', 97, '/min', '2026-05-05T10:21:33'],
      ['MASIMO-PI', 3.6, '%', '2026-05-05T10:21:33'],
    ]);
    expect(nums(items)[0]!.altCodes).toContainEqual({ system: 'MDC', code: '150456', display: 'MDC_PULS_OXIM_SAT_O2' });
    expect(nums(items)[0]!.source).toEqual({ protocol: 'masimo', offset: 7, ref: 'SPO2' });
    expect(status(items)).toMatchObject({
      device: 'masimo',
      serialNumber: '0000012345',
      observedAt: '2026-05-05T10:21:33',
      flags: { alarm: 0, alarmHex: '0000', exc: 0, excHex: '000000', invalid: 'SPCO,SPMET,DESAT,PIDELTA' },
    });
  });

  it('all-invalid line, SpCO/SpMet/DESAT/PIDELTA with values, hex status words, unknown fields kept', () => {
    const bad = parseMasimoLine('05/05/26 10:21:35 SN=1 SPO2=---% BPM=--- PI=--.--% ALARM=0020 EXC=000020');
    expect(nums(bad.items)).toEqual([]);
    expect(status(bad.items)!.flags).toMatchObject({ invalid: 'SPO2,BPM,PI', alarm: 0x20, exc: 0x20 });
    const full = parseMasimoLine(
      '05/05/26 10:21:36 SN=1 SPO2=100% BPM=180 SPCO=01.5% SPMET=00.8% DESAT=02 PIDELTA=-05 SPHB=13.2 FOO=bar X=7 EXC=000800',
    );
    expect(nums(full.items).map((n) => [n.code.code, n.value])).toEqual([
      ['59408-5', 100],
      ['8889-8', 180],
      ['MASIMO-SPCO', 1.5],
      ['MASIMO-SPMET', 0.8],
      ['MASIMO-DESAT', 2],
      ['MASIMO-PIDELTA', -5],
      ['MASIMO-SPHB', 13.2],
    ]);
    expect(status(full.items)!.flags).toMatchObject({ foo: 'bar', x: 7, exc: 0x800, excHex: '000800' });
    expect(full.errors).toEqual([]);
  });

  it('reports garbage, impossible dates and malformed values without throwing', () => {
    expect(parseMasimoLine('hello world', 3).errors).toEqual([
      { offset: 3, message: "not a Masimo data line: 'hello world'" },
    ]);
    const date = parseMasimoLine('13/45/26 10:21:33 SPO2=097%');
    expect(date.errors[0]?.message).toMatch(/impossible date/);
    expect(nums(date.items)[0]?.observedAt).toBeUndefined();
    const v = parseMasimoLine('05/05/26 10:21:33 SPO2=9x7% ALARM=zz');
    expect(v.errors.map((e) => e.message)).toEqual(['SPO2=9x7% is not a number', 'ALARM=zz is not hexadecimal']);
    const noDate = parseMasimoLine('SPO2=095% BPM=060');
    expect(nums(noDate.items).map((n) => n.value)).toEqual([95, 60]);
  });
});

describe('line framer', () => {
  const file = repoFixture('device/masimo-rad8.txt');
  const lines = (evs: LineEvent[]) => evs.filter((e) => e.type === 'line').map((e) => (e as { text: string }).text);

  it('CR, LF and CR LF line ends; blank lines skipped; last line without an end kept', () => {
    expect(lines(feed(new LineFramer(), [ascii('a\rb\nc\r\n\r\n\nd')]))).toEqual(['a', 'b', 'c', 'd']);
  });

  it('any split of the capture gives the same lines', () => {
    const whole = plain(feed(new LineFramer(), [file]));
    fc.assert(
      fc.property(fc.array(fc.nat({ max: file.length }), { maxLength: 30 }), (cuts) => {
        expect(plain(feed(new LineFramer(), splitAt(file, cuts)))).toEqual(whole);
      }),
      { numRuns: 150 },
    );
  });

  it('bounds line length: an endless line is reported once, the next line is read', () => {
    const f = new LineFramer({ maxLineBytes: 64 });
    const evs: LineEvent[] = [];
    for (let i = 0; i < 100; i++) {
      evs.push(...f.push(ascii('z'.repeat(50))));
      expect(f.bufferedBytes).toBeLessThanOrEqual(64);
    }
    evs.push(...f.push(ascii('\r\nSPO2=099%\r\n')));
    expect(evs.filter((e) => e.type === 'error')).toEqual([
      { type: 'error', offset: 0, message: 'line longer than 64 bytes (skipped)' },
    ]);
    expect(lines(evs)).toEqual(['SPO2=099%']);
  });
});

describe('decodeCapture masimo', () => {
  it('decodes the sample capture', () => {
    const r = decodeCapture('masimo', repoFixture('device/masimo-rad8.txt'));
    expect(r.errors).toEqual([]);
    const spo2 = nums(r.items).filter((n) => n.code.code === '59408-5');
    expect(spo2.map((n) => [n.value, n.observedAt])).toEqual([
      [98, '2026-05-05T10:21:33'],
      [97, '2026-05-05T10:21:34'],
      [100, '2026-05-05T10:21:36'],
    ]);
    expect(r.items.filter((i) => i.kind === 'oximeter-status')).toHaveLength(4);
    const third = r.items.filter((i): i is OximeterStatus => i.kind === 'oximeter-status')[2]!;
    expect(third.flags).toMatchObject({ alarm: 0x20, exc: 0x20, invalid: 'SPO2,BPM,PI,SPCO,SPMET,DESAT,PIDELTA' });
  });
});
