import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  crc16CcittFalse,
  crc32Ieee,
  decodeCapture,
  ECG_MAX_FRAME_BYTES,
  EcgStreamFramer,
  encodeEcgFrame,
  readEcgHeader,
  type EcgFrame,
  type EcgStreamEvent,
  type WaveformChunk,
} from '../../device-bridge/index';
import { ascii, concat, feed, plain, splitAt } from './helpers';

const frames = (evs: EcgStreamEvent[]) =>
  evs.filter((e): e is { type: 'frame'; frame: EcgFrame } => e.type === 'frame').map((e) => e.frame);
const errs = (evs: EcgStreamEvent[]) => evs.filter((e) => e.type === 'error') as { offset: number; message: string }[];

function frameSeq(seq: number, n = 8, channels = 2): Uint8Array {
  return encodeEcgFrame({
    sequence: seq,
    sampleRate: 360,
    scaleNv: 5000,
    channels: Array.from({ length: channels }, (_, c) =>
      Array.from({ length: n }, (_, i) => ((seq * 31 + i * 7 + c * 1000) % 2000) - 1000),
    ),
  });
}

describe('CRC-32 (IEEE)', () => {
  it('matches the standard check value', () => {
    expect(crc32Ieee(ascii('123456789'))).toBe(0xcbf43926);
    expect(crc32Ieee(new Uint8Array())).toBe(0);
  });
});

describe('CRC-16/CCITT-FALSE', () => {
  it('has the catalogued check value 0x29B1 for "123456789"', () => {
    expect(crc16CcittFalse(ascii('123456789'))).toBe(0x29b1);
    expect(crc16CcittFalse(new Uint8Array())).toBe(0xffff);
  });
});

describe('ECG stream encoding', () => {
  it('lays out the header as documented (little-endian) and interleaves samples', () => {
    const f = encodeEcgFrame({
      sequence: 0x1234,
      sampleRate: 500,
      scaleNv: 1000,
      channels: [
        [1, -2],
        [3, -32768],
      ],
      leadOff: true,
    });
    expect(Array.from(f.subarray(0, 13))).toEqual([0xa5, 0x5a, 1, 0x01, 0x34, 0x12, 0xf4, 0x01, 0xe8, 0x03, 2, 2, 0]);
    expect(Array.from(f.subarray(13, 21))).toEqual([1, 0, 3, 0, 0xfe, 0xff, 0x00, 0x80]);
    const crc = crc32Ieee(f, 0, 21);
    expect([f[21], f[22], f[23], f[24]]).toEqual([crc & 0xff, (crc >>> 8) & 0xff, (crc >>> 16) & 0xff, crc >>> 24]);
    expect(f.length).toBe(25); // 13 header + 8 samples + 4 CRC
    expect(readEcgHeader(f)).toMatchObject({
      version: 1,
      sequence: 0x1234,
      sampleRate: 500,
      scaleNv: 1000,
      channels: 2,
      samplesPerChannel: 2,
    });
  });

  it('rejects what the format cannot carry', () => {
    expect(() => encodeEcgFrame({ sequence: 70000, sampleRate: 1, channels: [[0]] })).toThrow(RangeError);
    expect(() => encodeEcgFrame({ sequence: 0, sampleRate: 0, channels: [[0]] })).toThrow(RangeError);
    expect(() => encodeEcgFrame({ sequence: 0, sampleRate: 1, channels: [[40000]] })).toThrow(RangeError);
    expect(() => encodeEcgFrame({ sequence: 0, sampleRate: 1, channels: [[1, 2], [3]] })).toThrow(RangeError);
    expect(() => encodeEcgFrame({ sequence: 0, sampleRate: 1, channels: [new Array(4097).fill(0)] })).toThrow(
      RangeError,
    );
    expect(() => encodeEcgFrame({ sequence: 0, sampleRate: 1, channels: [] })).toThrow(RangeError);
  });

  it('round trip: any frame decodes to the samples that were encoded', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 65535 }),
        fc.integer({ min: 1, max: 65535 }),
        fc.integer({ min: 1, max: 4 }).chain((ch) =>
          fc.integer({ min: 1, max: 64 }).chain((n) =>
            fc.array(fc.array(fc.integer({ min: -32768, max: 32767 }), { minLength: n, maxLength: n }), {
              minLength: ch,
              maxLength: ch,
            }),
          ),
        ),
        fc.boolean(),
        (sequence, sampleRate, channels, saturated) => {
          const [f] = frames(
            feed(new EcgStreamFramer(), [encodeEcgFrame({ sequence, sampleRate, channels, saturated })]),
          );
          expect(f).toBeDefined();
          expect(f!.sequence).toBe(sequence);
          expect(f!.sampleRate).toBe(sampleRate);
          expect(f!.saturated).toBe(saturated);
          expect(f!.channelSamples.map((c) => Array.from(c))).toEqual(channels);
        },
      ),
    );
  });

  it('the largest frame fits the framer buffer', () => {
    const big = encodeEcgFrame({ sequence: 1, sampleRate: 1000, channels: [new Array(4096).fill(-1)] });
    expect(big.length).toBe(ECG_MAX_FRAME_BYTES);
    expect(frames(feed(new EcgStreamFramer(), [big]))[0]!.channelSamples[0]).toHaveLength(4096);
  });
});

describe('ECG stream framer', () => {
  const stream = concat(...[65533, 65534, 65535, 0, 1].map((s) => frameSeq(s)));

  it('sequence wrap 65535 → 0 is not a gap; any split gives the same events', () => {
    const whole = feed(new EcgStreamFramer(), [stream]);
    expect(frames(whole).map((f) => f.sequence)).toEqual([65533, 65534, 65535, 0, 1]);
    expect(whole.filter((e) => e.type !== 'frame')).toEqual([]);
    fc.assert(
      fc.property(fc.array(fc.nat({ max: stream.length }), { maxLength: 40 }), (cuts) => {
        expect(plain(feed(new EcgStreamFramer(), splitAt(stream, cuts)))).toEqual(plain(whole));
      }),
      { numRuns: 150 },
    );
  });

  it('detects gaps (with the count missing, across the wrap) and duplicates', () => {
    const evs = feed(new EcgStreamFramer(), [
      concat(frameSeq(10), frameSeq(11), frameSeq(14), frameSeq(14), frameSeq(65534), frameSeq(2)),
    ]);
    const size = frameSeq(0).length;
    expect(evs.filter((e) => e.type === 'gap' || e.type === 'duplicate')).toEqual([
      { type: 'gap', offset: 2 * size, expected: 12, received: 14, missing: 2 },
      { type: 'duplicate', offset: 3 * size, sequence: 14 },
      { type: 'gap', offset: 4 * size, expected: 15, received: 65534, missing: 65519 },
      { type: 'gap', offset: 5 * size, expected: 65535, received: 2, missing: 3 },
    ]);
    expect(frames(evs).map((f) => f.sequence)).toEqual([10, 11, 14, 65534, 2]);
  });

  it('detects corruption by CRC anywhere in a frame and resynchronises on the next frame', () => {
    const a = frameSeq(1);
    const size = a.length;
    fc.assert(
      fc.property(fc.integer({ min: 2, max: size - 1 }), fc.integer({ min: 1, max: 255 }), (at, flip) => {
        const corrupt = frameSeq(2);
        corrupt[at] = corrupt[at]! ^ flip;
        const evs = feed(new EcgStreamFramer(), [concat(a, corrupt, frameSeq(3))]);
        expect(frames(evs).map((f) => f.sequence)).toEqual([1, 3]);
        expect(errs(evs).length).toBeGreaterThanOrEqual(1);
        expect(errs(evs)[0]!.offset).toBe(size);
        // a corrupted length field makes the frame look longer: it is cut by the end of input instead
        expect(errs(evs)[0]!.message).toMatch(/CRC mismatch|bad frame header|header announces/);
        // frame 3 follows a lost frame: the gap is reported
        expect(evs.filter((e) => e.type === 'gap')).toEqual([
          { type: 'gap', offset: 2 * size, expected: 2, received: 3, missing: 1 },
        ]);
      }),
      { numRuns: 200 },
    );
  });

  it('skips garbage and false sync words, reporting each run', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 60 }), fc.uint8Array({ maxLength: 60 }), (g1, g2) => {
        const evs = feed(new EcgStreamFramer(), [concat(g1, frameSeq(5), g2, frameSeq(6))]);
        expect(
          frames(evs)
            .map((f) => f.sequence)
            .slice(-2),
        ).toEqual([5, 6]);
        if (g1.length > 0 && !(g1.length === 1 && g1[0] === 0xa5)) expect(errs(evs).length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
    const junk = concat(Uint8Array.of(0xa5, 0x5a, 9, 0, 0, 0), frameSeq(7));
    const evs = feed(new EcgStreamFramer(), [junk]);
    expect(frames(evs).map((f) => f.sequence)).toEqual([7]);
    expect(errs(evs)[0]).toEqual({
      type: 'error',
      offset: 0,
      message: 'bad frame header: unsupported version 9; resynchronising',
    });
  });

  it('never holds more than one largest frame', () => {
    const f = new EcgStreamFramer();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), (g) => {
        f.push(g);
        expect(f.bufferedBytes).toBeLessThanOrEqual(ECG_MAX_FRAME_BYTES);
      }),
    );
    // a header promising a big frame that never completes
    const g = new EcgStreamFramer();
    g.push(encodeEcgFrame({ sequence: 1, sampleRate: 1, channels: [new Array(4096).fill(0)] }).subarray(0, 8000));
    expect(g.bufferedBytes).toBe(8000);
    expect(g.finish()[0]).toMatchObject({
      type: 'error',
      offset: 0,
      message: 'input ends inside a frame: header announces 8209 bytes, 8000 present',
    });
  });
});

describe('decodeCapture ecg', () => {
  it('one waveform chunk per channel with sample rate, scale and sequence; gaps and CRC errors located', () => {
    const a = frameSeq(1, 4, 3);
    const r = decodeCapture('ecg', concat(a, frameSeq(2, 4, 3), frameSeq(4, 4, 3)));
    const waves = r.items as WaveformChunk[];
    expect(waves).toHaveLength(9);
    expect(waves[0]).toMatchObject({
      kind: 'waveform',
      sampleRate: 360,
      scale: 5000,
      unit: 'nV',
      channel: 1,
      sequence: 1,
      code: { code: 'ECG-CH1' },
    });
    expect(Array.from(waves[2]!.samples)).toEqual([-969, -962, -955, -948]); // (31·seq + 7i + 1000c) mod 2000 − 1000
    expect(r.errors).toEqual([
      { offset: 2 * a.length, message: 'sequence gap: expected 3, received 4 (1 frame(s) missing)' },
    ]);
    const corrupt = concat(a, frameSeq(2, 4, 3));
    corrupt[a.length + 20] = corrupt[a.length + 20]! ^ 1;
    const c = decodeCapture('ecg', corrupt);
    expect(c.errors[0]?.offset).toBe(a.length);
    expect(c.errors[0]?.message).toMatch(/CRC mismatch in frame seq 2/);
    expect(c.items).toHaveLength(3);
  });
});
