// Fuzz: the raw ECG sample stream framer. Random and mutated byte streams never make it throw or stall, it never
// holds more than one largest frame, and a valid frame sent after the garbage is decoded. A false sync word and
// plausible header in the garbage can make the framer wait for the length that header announces; the valid frame's
// bytes must then still be held (never discarded), and they are decoded once the wait ends (here: end of input).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import {
  ECG_MAX_FRAME_BYTES,
  ECG_FRONT_END,
  ecgSource,
  encodeEcgFrame,
  EcgStreamFramer,
  type EcgStreamEvent,
} from '../../../device-bridge/index';
import { check, concat, cuts, fcParams, FuzzStats, garbage, RUNS, splitAt } from './fuzz-support';

const source = ecgSource();
const corpus = [
  concat(source.packet(0), source.packet(1), source.packet(2)),
  source.packet(40),
  encodeEcgFrame({ sequence: 65535, sampleRate: 500, channels: [[1, -1, 32767, -32768]], leadOff: true }),
  concat(source.packet(7), source.packet(7), source.packet(9)), // duplicate and gap
];

const CH1 = Array.from({ length: 10 }, (_, i) => 1000 - 37 * i);
const CH2 = Array.from({ length: 10 }, (_, i) => -500 + 11 * i);
const SEQ = 0xbeef;
const VALID = encodeEcgFrame({ sequence: SEQ, sampleRate: 250, scaleNv: 1000, channels: [CH1, CH2] });
const BOUND = ECG_MAX_FRAME_BYTES;

type FrameEvent = Extract<EcgStreamEvent, { type: 'frame' }>;
const isValidFrame = (e: EcgStreamEvent): e is FrameEvent =>
  e.type === 'frame' &&
  e.frame.sequence === SEQ &&
  e.frame.channels === 2 &&
  e.frame.channelSamples[0]!.every((v, i) => v === CH1[i]) &&
  e.frame.channelSamples[1]!.every((v, i) => v === CH2[i]);

describe('fuzz: ECG sample stream framer', () => {
  it(`survives ${RUNS} random and mutated streams, stays bounded, and still decodes a valid frame after them`, () => {
    const stats = new FuzzStats();
    let late = 0;
    fc.assert(
      fc.property(
        garbage({ corpus, specials: [0xa5, 0x5a, 0x01, 0x00, 0xfa, 0x0a, 0x02, 0xff] }),
        cuts,
        fc.nat(),
        (g, garbageCuts, validCut) => {
          const { framer, after, heldAfterPush, tail } = stats.time(g, VALID.length, () => {
            const framer = new EcgStreamFramer();
            const after: EcgStreamEvent[] = [];
            for (const chunk of splitAt(g.bytes, garbageCuts)) {
              framer.push(chunk);
              check(framer.bufferedBytes <= BOUND, () => `buffered ${framer.bufferedBytes}`);
            }
            for (const chunk of splitAt(VALID, [validCut])) {
              after.push(...framer.push(chunk));
              check(framer.bufferedBytes <= BOUND, () => `buffered ${framer.bufferedBytes}`);
            }
            const heldAfterPush = framer.bufferedBytes;
            return { framer, after, heldAfterPush, tail: framer.finish() };
          });
          if (after.some(isValidFrame)) {
            check(heldAfterPush === 0 || !tail.some(isValidFrame), () => 'valid frame decoded twice');
            return;
          }
          // not decoded yet: only because a false header is waiting, and then every valid byte is still held
          late++;
          check(
            heldAfterPush >= VALID.length,
            () => `valid frame lost: ${heldAfterPush} bytes held, ${JSON.stringify(after)}`,
          );
          check(tail.filter(isValidFrame).length === 1, () => 'valid frame not decoded at the end of input');
          check(framer.bufferedBytes === 0, () => 'bytes left after finish()');
        },
      ),
      fcParams(),
    );
    console.log(
      `${stats.summary('ECG stream framer')}; valid frame held behind a false header until end of input: ${late}`,
    );
    expect(stats.runs).toBeGreaterThanOrEqual(RUNS);
  });

  it('worst case — a false header every 13 bytes, each announcing the largest frame — still decodes faster than the line delivers', () => {
    // version 1, 1 channel, 4096 samples: a plausible header, then a CRC that never matches
    const header = Uint8Array.of(0xa5, 0x5a, 1, 0, 0, 0, 250, 0, 0, 0, 1, 0x00, 0x10);
    const attack = concat(...Array.from({ length: 5000 }, () => header)); // 65 000 bytes
    const framer = new EcgStreamFramer();
    const t = performance.now();
    for (const chunk of splitAt(attack, [16_384, 32_768, 49_152])) framer.push(chunk);
    const events = framer.push(VALID).concat(framer.finish());
    const seconds = (performance.now() - t) / 1000;
    const lineRate = ECG_FRONT_END.line.baudRate / 10; // 8N1: 10 bits a byte
    const multiple = attack.length / seconds / lineRate;
    console.log(
      `ECG framer under false-header flood: ${(attack.length / seconds / 1e6).toFixed(2)} MB/s = ${multiple.toFixed(0)}x line rate`,
    );
    expect(events.filter(isValidFrame)).toHaveLength(1);
    // each false header costs a CRC over, and a copy of, a whole largest frame: far slower than clean data, but
    // the framer never falls behind the wire (reported as a hardening item, not a hang)
    expect(multiple).toBeGreaterThan(1);
  });
});
