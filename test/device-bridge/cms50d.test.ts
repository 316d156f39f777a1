import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Cms50dAggregator,
  Cms50dFramer,
  decodeCapture,
  decodeCms50dPacket,
  encodeCms50dPacket,
  type Cms50dEvent,
  type Cms50dPacket,
  type NumericObservation,
  type OximeterStatus,
  type WaveformChunk,
} from '../../device-bridge/index';
import { concat, feed, plain, splitAt } from './helpers';

const packets = (evs: Cms50dEvent[]) =>
  evs.filter((e): e is { type: 'packet'; packet: Cms50dPacket } => e.type === 'packet').map((e) => e.packet);
const errs = (evs: Cms50dEvent[]) => evs.filter((e) => e.type === 'error');

describe('CMS50D+ packet layout', () => {
  it('decodes a packet built by hand from the documented bits', () => {
    // byte1 1100_0101: sync, pulse beep, signal strength 5
    // byte2 0011_0010: pleth 50
    // byte3 0000_0111: pulse bit 7 = 0, bar graph 7
    // byte4 0100_1000: pulse 72
    // byte5 0110_0001: SpO2 97
    const p = decodeCms50dPacket([0xc5, 0x32, 0x07, 0x48, 0x61], 10);
    expect(p).toMatchObject({
      offset: 10,
      signalStrength: 5,
      pulseBeep: true,
      spo2Dropping: false,
      searchingTooLong: false,
      pleth: 50,
      barGraph: 7,
      sensorError: false,
      searchingPulse: false,
      pulseRate: 72,
      spo2: 97,
    });
  });

  it('takes bit 7 of the pulse rate from byte 3 bit 6 (pulse above 127)', () => {
    // pulse 150 = 1001_0110: byte3 bit 6 set, byte4 = 0001_0110
    const p = decodeCms50dPacket([0x80, 0x00, 0x40, 0x16, 0x62]);
    expect(p.pulseRate).toBe(150);
    expect(Array.from(encodeCms50dPacket({ pulseRate: 150, spo2: 98 }))).toEqual([0x80, 0x00, 0x40, 0x16, 0x62]);
  });

  it('reads every flag bit', () => {
    expect(decodeCms50dPacket([0x80 | 0x10, 0, 0, 0, 0]).searchingTooLong).toBe(true);
    expect(decodeCms50dPacket([0x80 | 0x20, 0, 0, 0, 0]).spo2Dropping).toBe(true);
    expect(decodeCms50dPacket([0x80 | 0x40, 0, 0, 0, 0]).pulseBeep).toBe(true);
    expect(decodeCms50dPacket([0x8f, 0, 0, 0, 0]).signalStrength).toBe(15);
    expect(decodeCms50dPacket([0x80, 0, 0x10, 0, 0]).sensorError).toBe(true);
    expect(decodeCms50dPacket([0x80, 0, 0x20, 0, 0]).searchingPulse).toBe(true);
    expect(decodeCms50dPacket([0x80, 0, 0x0f, 0, 0]).barGraph).toBe(15);
    const none = decodeCms50dPacket([0x80, 0, 0, 0, 0]);
    expect([none.searchingTooLong, none.spo2Dropping, none.pulseBeep, none.sensorError, none.searchingPulse]).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('treats pulse 255 and SpO2 127 (and SpO2 above 100) as invalid', () => {
    const p = decodeCms50dPacket([0x80, 0x00, 0x40 | 0x10 | 0x20, 0x7f, 0x7f]);
    expect(p).toMatchObject({
      pulseRate: null,
      spo2: null,
      rawPulseRate: 255,
      rawSpo2: 127,
      sensorError: true,
      searchingPulse: true,
    });
    expect(decodeCms50dPacket([0x80, 0, 0, 60, 101]).spo2).toBeNull();
    expect(decodeCms50dPacket([0x80, 0, 0, 60, 100]).spo2).toBe(100);
    expect(Array.from(encodeCms50dPacket({ pulseRate: null, spo2: null }))).toEqual([0x80, 0, 0x40, 0x7f, 0x7f]);
  });

  it('encode/decode round trip for any field values', () => {
    fc.assert(
      fc.property(
        fc.record({
          signalStrength: fc.integer({ min: 0, max: 15 }),
          searchingTooLong: fc.boolean(),
          spo2Dropping: fc.boolean(),
          pulseBeep: fc.boolean(),
          pleth: fc.integer({ min: 0, max: 100 }),
          barGraph: fc.integer({ min: 0, max: 15 }),
          sensorError: fc.boolean(),
          searchingPulse: fc.boolean(),
          pulseRate: fc.integer({ min: 0, max: 254 }),
          spo2: fc.integer({ min: 0, max: 100 }),
        }),
        (f) => {
          const bytes = encodeCms50dPacket(f);
          expect(bytes[0]! & 0x80).toBe(0x80);
          expect(Array.from(bytes.subarray(1)).every((b) => (b & 0x80) === 0)).toBe(true);
          expect(decodeCms50dPacket(bytes)).toMatchObject(f);
        },
      ),
    );
  });
});

describe('CMS50D+ framer', () => {
  const stream = concat(
    ...Array.from({ length: 30 }, (_, i) =>
      encodeCms50dPacket({ pleth: i * 3, pulseRate: 60 + i, spo2: 95 + (i % 5), pulseBeep: i % 10 === 0 }),
    ),
  );

  it('several packets per chunk; any split gives the same packets', () => {
    const whole = feed(new Cms50dFramer(), [stream]);
    expect(packets(whole)).toHaveLength(30);
    expect(packets(whole).map((p) => p.pulseRate)).toEqual(Array.from({ length: 30 }, (_, i) => 60 + i));
    expect(errs(whole)).toEqual([]);
    fc.assert(
      fc.property(fc.array(fc.nat({ max: stream.length }), { maxLength: 40 }), (cuts) => {
        expect(plain(feed(new Cms50dFramer(), splitAt(stream, cuts)))).toEqual(plain(whole));
      }),
      { numRuns: 200 },
    );
  });

  it('resynchronises on the sync bit: stray bytes and short packets are reported with offsets', () => {
    const p = encodeCms50dPacket({ pleth: 1, pulseRate: 70, spo2: 98 });
    const input = concat(Uint8Array.of(0x01, 0x02), p, p.subarray(0, 3), p, Uint8Array.of(0x05));
    const evs = feed(new Cms50dFramer(), [input]);
    expect(packets(evs)).toHaveLength(2);
    expect(packets(evs).map((x) => x.offset)).toEqual([2, 10]);
    expect(errs(evs)).toEqual([
      { type: 'error', offset: 0, message: 'bytes without a sync byte (skipped)' },
      { type: 'error', offset: 7, message: 'short packet (3 of 5 bytes) discarded' },
      { type: 'error', offset: 15, message: 'bytes without a sync byte (skipped)' },
    ]);
  });

  it('garbage anywhere never corrupts the packets that follow it intact', () => {
    const p = encodeCms50dPacket({ pleth: 42, pulseRate: 130, spo2: 96, sensorError: true });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 50 }), (g) => {
        const evs = feed(new Cms50dFramer(), [concat(g, p, p)]);
        const ps = packets(evs);
        expect(ps.length).toBeGreaterThanOrEqual(2);
        expect(ps.slice(-2).map((x) => [x.pleth, x.pulseRate, x.spo2, x.sensorError])).toEqual([
          [42, 130, 96, true],
          [42, 130, 96, true],
        ]);
      }),
    );
  });

  it('holds at most one packet in memory', () => {
    const f = new Cms50dFramer();
    f.push(Uint8Array.of(0x80, 1, 2, 3));
    expect(f.bufferedBytes).toBe(4);
    f.push(new Uint8Array(10_000).fill(0x81));
    expect(f.bufferedBytes).toBe(1);
  });
});

describe('CMS50D+ observations', () => {
  it('one-second chunks: pleth waveform, last valid SpO2 and pulse (LOINC + MDC), status flags', () => {
    const agg = new Cms50dAggregator();
    const out = [];
    for (let i = 0; i < 120; i++) {
      const bytes = encodeCms50dPacket({
        pleth: i % 100,
        pulseRate: i < 60 ? 72 : i < 110 ? 180 : null,
        spo2: i < 60 ? 97 : null,
        pulseBeep: i % 20 < 2,
        signalStrength: 4,
        sensorError: i === 100,
      });
      out.push(...agg.push(decodeCms50dPacket(bytes, i * 5)));
    }
    out.push(...agg.flush());
    const waves = out.filter((x): x is WaveformChunk => x.kind === 'waveform');
    expect(waves.map((w) => [w.sampleRate, w.startSample, w.samples.length, w.code.code])).toEqual([
      [60, 0, 60, '150452'],
      [60, 60, 60, '150452'],
    ]);
    expect(Array.from(waves[1]!.samples).slice(0, 3)).toEqual([60, 61, 62]);
    const nums = out.filter((x): x is NumericObservation => x.kind === 'numeric');
    expect(nums.map((n) => [n.code.code, n.value, n.unit])).toEqual([
      ['59408-5', 97, '%'],
      ['8889-8', 72, '/min'],
      ['8889-8', 180, '/min'], // second chunk: SpO2 invalid throughout → no SpO2 reading
    ]);
    expect(nums[0]!.altCodes?.[0]).toEqual({ system: 'MDC', code: '150456', display: 'MDC_PULS_OXIM_SAT_O2' });
    expect(nums[1]!.altCodes?.[0]).toEqual({ system: 'MDC', code: '149530', display: 'MDC_PULS_OXIM_PULS_RATE' });
    const status = out.filter((x): x is OximeterStatus => x.kind === 'oximeter-status');
    expect(status[0]!.flags).toMatchObject({
      sensorError: false,
      spo2Invalid: false,
      pulseBeeps: 3,
      signalStrength: 4,
    });
    expect(status[1]!.flags).toMatchObject({
      sensorError: true,
      spo2Invalid: true,
      pulseRateInvalid: false,
      pulseBeeps: 3,
    });
  });

  it('decodeCapture: chunks, partial last chunk, errors with offsets, never throws', () => {
    const good = concat(...Array.from({ length: 90 }, () => encodeCms50dPacket({ pleth: 5, pulseRate: 65, spo2: 99 })));
    const r = decodeCapture('cms50d', good);
    expect(r.errors).toEqual([]);
    expect(r.items.filter((i) => i.kind === 'waveform').map((w) => (w as WaveformChunk).samples.length)).toEqual([
      60, 30,
    ]);
    const bad = decodeCapture('cms50d', concat(good.subarray(0, 12), good.subarray(0, 10), Uint8Array.of(0x7f)));
    expect(bad.errors.map((e) => e.offset)).toEqual([10, 22]);
    expect(bad.items.filter((i) => i.kind === 'waveform').map((w) => (w as WaveformChunk).samples.length)).toEqual([4]);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (junk) => {
        const x = decodeCapture('cms50d', junk);
        for (const e of x.errors) expect(e.offset).toBeGreaterThanOrEqual(0);
        for (const e of x.errors) expect(e.offset).toBeLessThan(Math.max(1, junk.length));
      }),
    );
  });
});
