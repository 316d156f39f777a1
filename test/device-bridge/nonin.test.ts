import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeCapture,
  decodeNoninPacket,
  encodeNoninPacket,
  NoninFramer,
  noninPacketToItems,
  noninStatusFlags,
  type NoninEvent,
  type NoninFrame,
  type NoninPacket,
  type NumericObservation,
  type OximeterStatus,
  type WaveformChunk,
} from '../../device-bridge/index';
import { concat, feed, plain, splitAt } from './helpers';

const packets = (evs: NoninEvent[]) =>
  evs.filter((e): e is { type: 'packet'; packet: NoninPacket } => e.type === 'packet').map((e) => e.packet);
const errs = (evs: NoninEvent[]) => evs.filter((e) => e.type === 'error') as { offset: number; message: string }[];

/** A frame built by hand from the documented layout. */
function frame(status: number, pleth: number, data: number): number[] {
  return [0x01, status, pleth, data, (0x01 + status + pleth + data) & 0xff];
}

describe('Nonin format 7 layout', () => {
  it('decodes a packet built by hand: HR across frames 1-2, SpO2 frame 3, revision frame 4', () => {
    // HR 300 = 1_0010_1100: MSB frame bits 1-0 = 0b10, LSB frame bits 6-0 = 0b010_1100 (44)
    const data = [2, 44, 96, 0x35, 0, 0, 0, 0, 95, 94, 93, 0, 0, 1, 1, 92, 91, 0, 0, 0, 70, 0, 65, 0, 0];
    const bytes: number[] = [];
    data.forEach((d, i) => bytes.push(...frame(0x80 | (i === 0 ? 0x01 : 0) | 0x02, 100 + i, d)));
    const evs = feed(new NoninFramer(), [Uint8Array.from(bytes)]);
    expect(errs(evs)).toEqual([]);
    const [p] = packets(evs);
    expect(p).toMatchObject({
      offset: 0,
      heartRate: 300,
      spo2: 96,
      firmwareRevision: 0x35,
      spo2Display: 95,
      spo2Fast: 94,
      spo2BeatToBeat: 93,
      extendedHeartRate: 129,
      extendedSpo2: 92,
      extendedSpo2Display: 91,
      heartRateDisplay: 70,
      extendedHeartRateDisplay: 65,
      flags: { perfusion: 'green', sensorDisconnected: false, artifact: false, outOfTrack: false, sensorAlarm: false },
    });
    expect(p!.pleth).toEqual(Array.from({ length: 25 }, (_, i) => 100 + i));
  });

  it('reads the status bits: SNSD, ARTF, OOT, SNSA and the perfusion colour', () => {
    expect(noninStatusFlags(0x80 | 0x40)).toMatchObject({ sensorDisconnected: true, artifact: false });
    expect(noninStatusFlags(0x80 | 0x20)).toMatchObject({ artifact: true, outOfTrack: false });
    expect(noninStatusFlags(0x80 | 0x10)).toMatchObject({ outOfTrack: true, sensorAlarm: false });
    expect(noninStatusFlags(0x80 | 0x08)).toMatchObject({ sensorAlarm: true, sensorDisconnected: false });
    expect(noninStatusFlags(0x80 | 0x02).perfusion).toBe('green');
    expect(noninStatusFlags(0x80 | 0x04).perfusion).toBe('red');
    expect(noninStatusFlags(0x80 | 0x06).perfusion).toBe('yellow');
    expect(noninStatusFlags(0x80).perfusion).toBe('none');
  });

  it('missing values: HR 511 and SpO2 127 decode as null', () => {
    const bytes = encodeNoninPacket({ heartRate: null, spo2: null });
    // frame 1 data byte carries HR bits 8-7 = 0b11, frame 2 bits 6-0 = 0x7F, frame 3 SpO2 = 0x7F
    expect([bytes[3], bytes[8], bytes[13]]).toEqual([0x03, 0x7f, 0x7f]);
    const [p] = packets(feed(new NoninFramer(), [bytes]));
    expect(p).toMatchObject({ heartRate: null, spo2: null, extendedHeartRate: null, heartRateDisplay: null });
  });

  it('a packet aggregates flags over its frames; perfusion is the worst shown', () => {
    const status = Array.from({ length: 25 }, (_, i) => (i === 3 ? 0x20 : i === 7 ? 0x06 : i === 8 ? 0x04 : 0x02));
    const [p] = packets(feed(new NoninFramer(), [encodeNoninPacket({ heartRate: 60, spo2: 99, status })]));
    expect(p!.flags).toEqual({
      sensorDisconnected: false,
      artifact: true,
      outOfTrack: false,
      sensorAlarm: false,
      perfusion: 'red',
    });
  });

  it('encode/decode round trip', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 510 }),
        fc.integer({ min: 0, max: 126 }),
        fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 25, maxLength: 25 }),
        fc.integer({ min: 0, max: 0x7f }),
        (heartRate, spo2, pleth, st) => {
          const [p] = packets(feed(new NoninFramer(), [encodeNoninPacket({ heartRate, spo2, pleth, status: st })]));
          expect(p).toMatchObject({ heartRate, spo2, pleth, extendedHeartRate: heartRate, spo2Display: spo2 });
          const f = noninStatusFlags(0x80 | st);
          expect(p!.flags).toMatchObject({
            sensorDisconnected: f.sensorDisconnected,
            artifact: f.artifact,
            perfusion: f.perfusion,
          });
        },
      ),
    );
  });
});

describe('Nonin framer', () => {
  const stream = concat(
    encodeNoninPacket({ heartRate: 61, spo2: 97, pleth: Array.from({ length: 25 }, (_, i) => i) }),
    encodeNoninPacket({ heartRate: 62, spo2: 98 }),
    encodeNoninPacket({ heartRate: 63, spo2: 99, status: 0x40 }),
  );

  it('any split gives the same packets', () => {
    const whole = feed(new NoninFramer(), [stream]);
    expect(packets(whole).map((p) => p.heartRate)).toEqual([61, 62, 63]);
    expect(errs(whole)).toEqual([]);
    fc.assert(
      fc.property(fc.array(fc.nat({ max: stream.length }), { maxLength: 40 }), (cuts) => {
        expect(plain(feed(new NoninFramer(), splitAt(stream, cuts)))).toEqual(plain(whole));
      }),
      { numRuns: 150 },
    );
  });

  it('a bad checksum drops that packet (reported), resynchronises and keeps the next packets', () => {
    const bad = stream.slice();
    bad[145 + 4] = bad[145 + 4]! ^ 0xff; // checksum of frame 5 of packet 2 (frame at 125 + 4·5)
    const evs = feed(new NoninFramer(), [bad]);
    expect(packets(evs).map((p) => p.heartRate)).toEqual([61, 63]);
    const e = errs(evs);
    expect(e[0]).toMatchObject({ offset: 125 + 20, message: expect.stringMatching(/invalid frame/) });
    expect(e[1]).toMatchObject({ offset: 125, message: expect.stringMatching(/packet lost a frame after 4 of 25/) });
    expect(e).toHaveLength(3); // plus the non-SYNC frames skipped until packet 3 starts
    expect(e[2]).toMatchObject({ offset: 125 + 25, message: expect.stringMatching(/without a packet start/) });
  });

  it('a capture starting mid-packet is reported and decoding starts at the next SYNC frame', () => {
    const evs = feed(new NoninFramer(), [stream.subarray(3 + 5 * 10)]);
    expect(packets(evs).map((p) => p.heartRate)).toEqual([62, 63]);
    expect(errs(evs).map((e) => e.offset)).toEqual([0, 2]);
  });

  it('a SYNC frame arriving early ends a short packet (reported)', () => {
    const evs = feed(new NoninFramer(), [concat(stream.subarray(0, 50), stream.subarray(125))]);
    expect(packets(evs).map((p) => p.heartRate)).toEqual([62, 63]);
    expect(errs(evs)).toEqual([{ type: 'error', offset: 0, message: 'short packet (10 of 25 frames) discarded' }]);
  });

  it('garbage never grows memory beyond one packet', () => {
    const f = new NoninFramer();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (g) => {
        f.push(g);
        expect(f.bufferedBytes).toBeLessThanOrEqual(25 * 5 + 5);
      }),
    );
  });

  it('can report each frame too', () => {
    const evs = feed(new NoninFramer({ emitFrames: true }), [stream.subarray(0, 125)]);
    const frames = evs.filter((e): e is { type: 'frame'; frame: NoninFrame } => e.type === 'frame');
    expect(frames).toHaveLength(25);
    expect(frames[1]!.frame).toEqual({ offset: 5, status: 0x80, pleth: 1, data: 61 });
  });
});

describe('Nonin observations', () => {
  it('each packet: 75 Hz pleth chunk, SpO2 and pulse, status flags', () => {
    const p = decodeNoninPacket(
      Array.from({ length: 25 }, (_, i) => ({
        offset: i * 5,
        status: 0x80 | (i === 0 ? 1 : 0) | 0x50,
        pleth: i,
        data: [0, 88, 95][i] ?? 0,
      })),
    );
    const items = noninPacketToItems(p, 50);
    expect(items[0]).toMatchObject({
      kind: 'waveform',
      sampleRate: 75,
      startSample: 50,
      code: { system: 'MDC', code: '150452' },
    });
    expect((items[0] as WaveformChunk).samples).toHaveLength(25);
    expect(
      items.filter((i): i is NumericObservation => i.kind === 'numeric').map((n) => [n.code.code, n.value, n.unit]),
    ).toEqual([
      ['59408-5', 95, '%'],
      ['8889-8', 88, '/min'],
    ]);
    expect((items.at(-1) as OximeterStatus).flags).toMatchObject({
      sensorDisconnected: true,
      outOfTrack: true,
      artifact: false,
    });
  });

  it('decodeCapture: packets, missing values, errors with offsets', () => {
    const bytes = concat(
      encodeNoninPacket({ heartRate: 70, spo2: 96 }),
      encodeNoninPacket({ heartRate: null, spo2: null, status: 0x40 }),
    );
    const r = decodeCapture('nonin', bytes);
    expect(r.errors).toEqual([]);
    const nums = r.items.filter((i): i is NumericObservation => i.kind === 'numeric');
    expect(nums.map((n) => n.value)).toEqual([96, 70]);
    const st = r.items.filter((i): i is OximeterStatus => i.kind === 'oximeter-status');
    expect(st[1]!.flags).toMatchObject({ spo2Missing: true, heartRateMissing: true, sensorDisconnected: true });
    const cut = decodeCapture('nonin', bytes.subarray(0, 140));
    expect(cut.errors).toEqual([{ offset: 125, message: 'input ends inside a packet (3 of 25 frames)' }]);
  });
});
