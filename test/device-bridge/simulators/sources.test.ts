// The simulators' signals: what they send decodes to the values they claim, and the waveforms look like
// physiology (beats at the set rate, a QRS that dominates, values in range).
import { describe, expect, it } from 'vitest';
import {
  astmCbcRecords,
  cms50dSource,
  decodeCapture,
  ecgSource,
  encodeAstmRecords,
  hl7VitalsMessage,
  isLoincCode,
  masimoLine,
  noninSource,
  oximeterVitalsAt,
  plethShape,
  syntheticEcgMv,
  vitalsFor,
  type DecodedItem,
  type NumericObservation,
} from '../../../device-bridge/index';
import { ascii, concat } from '../helpers';

const numbers = (items: DecodedItem[], code: string) =>
  items.flatMap((i) => (i.kind === 'numeric' && i.code.code === code ? [(i as NumericObservation).value] : []));

/** Upward crossings of the midpoint: one per beat. */
function beats(samples: number[]): number {
  const mid = (Math.max(...samples) + Math.min(...samples)) / 2;
  let n = 0;
  for (let i = 1; i < samples.length; i++) if ((samples[i - 1] as number) < mid && (samples[i] as number) >= mid) n++;
  return n;
}

describe('simulated signals', () => {
  it('CMS50D+: 60 Hz pleth with one beep per beat, SpO2 and pulse drifting around the set values', () => {
    const src = cms50dSource({ spo2: 97, pulseRate: 72 });
    const bytes = concat(...Array.from({ length: 60 * 30 }, (_, i) => src.packet(i)));
    const { items, errors } = decodeCapture('cms50d', bytes);
    expect(errors).toEqual([]);
    const pleth = items.flatMap((i) => (i.kind === 'waveform' ? Array.from(i.samples) : []));
    expect(pleth).toHaveLength(1800);
    expect(Math.min(...pleth)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...pleth)).toBeLessThanOrEqual(100);
    expect(beats(pleth)).toBeGreaterThanOrEqual(34); // 72 ± 3 /min over 30 s
    expect(beats(pleth)).toBeLessThanOrEqual(38);
    const beeps = items.reduce((n, i) => n + (i.kind === 'oximeter-status' ? Number(i.flags.pulseBeeps) : 0), 0);
    expect(Math.abs(beeps - beats(pleth))).toBeLessThanOrEqual(1);
    const spo2 = numbers(items, '59408-5');
    expect(Math.min(...spo2)).toBeGreaterThanOrEqual(96);
    expect(Math.max(...spo2)).toBeLessThanOrEqual(98);
    const pulse = numbers(items, '8889-8');
    expect(Math.min(...pulse)).toBeGreaterThanOrEqual(69);
    expect(Math.max(...pulse)).toBeLessThanOrEqual(75);
    expect(pulse[10]).toBe(oximeterVitalsAt(10 + 59 / 60).pulseRate);
  });

  it('pleth shape: systolic peak early, a smaller diastolic wave after the notch', () => {
    const shape = Array.from({ length: 100 }, (_, i) => plethShape(i / 100));
    const peak = shape.indexOf(Math.max(...shape));
    expect(peak).toBeGreaterThanOrEqual(15);
    expect(peak).toBeLessThanOrEqual(20);
    const notch = Math.min(...shape.slice(peak, 45));
    const secondPeak = Math.max(...shape.slice(40, 60));
    expect(secondPeak).toBeGreaterThan(notch);
    expect(secondPeak).toBeLessThan(shape[peak] as number);
  });

  it('Nonin: three packets a second that decode to the set values', () => {
    const src = noninSource({ spo2: 94, pulseRate: 110, variability: false });
    expect(src.rate).toBe(3);
    const { items, errors } = decodeCapture('nonin', concat(...Array.from({ length: 9 }, (_, i) => src.packet(i))));
    expect(errors).toEqual([]);
    expect(numbers(items, '59408-5')).toEqual(Array(9).fill(94));
    expect(numbers(items, '8889-8')).toEqual(Array(9).fill(110));
    const pleth = items.flatMap((i) => (i.kind === 'waveform' ? Array.from(i.samples) : []));
    expect(beats(pleth)).toBeGreaterThanOrEqual(5); // 110/min over 3 s
    expect(beats(pleth)).toBeLessThanOrEqual(6);
  });

  it('Masimo: the Rad-8 ASCII 1 line layout', () => {
    const line = masimoLine(0, { spo2: 98, pulseRate: 64, variability: false });
    expect(line).toBe(
      '05/05/26 10:21:33 SN=0000012345 SPO2=098% BPM=064 PI=03.60% SPCO=--.-% SPMET=--.-% DESAT=-- ' +
        'PIDELTA=+-- ALARM=0000 EXC=000000\r\n',
    );
    const { items, errors } = decodeCapture('masimo', ascii(line + masimoLine(1, { variability: false })));
    expect(errors).toEqual([]);
    expect(numbers(items, '59408-5')).toEqual([98, 97]);
  });

  it('ECG: R peaks at the heart rate, QRS dominant, 250 and 500 Hz frames', () => {
    const mv = Array.from({ length: 2500 }, (_, i) => syntheticEcgMv(i / 250, 60));
    const r = mv.filter((v, i) => v > 0.8 && v >= (mv[i - 1] ?? -9) && v >= (mv[i + 1] ?? -9));
    expect(r).toHaveLength(10);
    expect(Math.max(...mv)).toBeGreaterThan(1.1);
    expect(Math.min(...mv)).toBeGreaterThan(-0.5);
    for (const rate of [250, 500]) {
      const src = ecgSource({ sampleRate: rate, channels: 1 });
      expect(src.samplesPerFrame).toBe(rate / 25);
      const { items, errors } = decodeCapture('ecg', concat(src.packet(0), src.packet(1), src.packet(2)));
      expect(errors).toEqual([]);
      expect(items.map((i) => (i.kind === 'waveform' ? [i.sampleRate, i.sequence, i.samples.length] : []))).toEqual([
        [rate, 0, rate / 25],
        [rate, 1, rate / 25],
        [rate, 2, rate / 25],
      ]);
    }
  });

  it('ASTM and HL7 messages decode to the values the simulators claim', () => {
    const at = new Date('2026-05-05T10:21:33Z');
    const { frames } = encodeAstmRecords(astmCbcRecords(3, at).map(ascii));
    const astm = decodeCapture('astm', concat(...frames));
    expect(astm.errors).toEqual([]);
    expect(astm.items.filter((i) => i.kind === 'numeric')).toHaveLength(6);
    const hl7 = decodeCapture('hl7', ascii(hl7VitalsMessage(4, at)));
    expect(hl7.errors).toEqual([]);
    expect(numbers(hl7.items, '150022')).toEqual([vitalsFor(4).diastolic]);
    expect(isLoincCode('6690-2')).toBe(true);
  });
});
