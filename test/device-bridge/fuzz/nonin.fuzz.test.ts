// Fuzz: the Nonin format 7 framer. Random and mutated byte streams never make it throw or stall, it holds at
// most one packet in progress (24 frames and a 4-byte window), and valid packets sent after the garbage are
// found. Format 7 has no reserved sync byte: the garbage's last bytes can, rarely, form a frame (start byte,
// status bit 7, matching checksum) with the first bytes of the valid stream. Then, and only then, the first valid
// packet may be lost; the framer resynchronises within that packet, so the second one is always decoded.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeNoninPacket,
  NoninFramer,
  noninSource,
  type NoninEvent,
  type NoninPacket,
  type NoninPacketFields,
} from '../../../device-bridge/index';
import { check, concat, cuts, fcParams, FuzzStats, garbage, RUNS, splitAt } from './fuzz-support';

const source = noninSource();
const corpus = [
  concat(source.packet(0), source.packet(1)),
  source.packet(5),
  concat(source.packet(9).subarray(40), source.packet(10)), // starts mid-packet
  encodeNoninPacket({ heartRate: null, spo2: null, status: 0x40 }),
];

// Frame 1 of the first valid packet holds no 0x01 after its start byte, so no false frame can start inside it.
const VALID_FIELDS: NoninPacketFields[] = [
  {
    heartRate: 300,
    spo2: 88,
    firmwareRevision: 0x2b,
    status: 0x02,
    pleth: Array.from({ length: 25 }, (_, i) => 30 + i),
  },
  {
    heartRate: 61,
    spo2: 97,
    firmwareRevision: 0x2b,
    status: 0x06,
    pleth: Array.from({ length: 25 }, (_, i) => 200 - i),
  },
];
const PACKETS = VALID_FIELDS.map(encodeNoninPacket);
const VALID = concat(...PACKETS);
expect(Array.from(PACKETS[0]!.subarray(1, 5)).includes(0x01)).toBe(false);
const BOUND = 4 + 24 * 5;

const matches = (p: NoninPacket, f: NoninPacketFields) =>
  p.heartRate === f.heartRate && p.spo2 === f.spo2 && p.pleth.every((v, i) => v === f.pleth![i]);

describe('fuzz: Nonin format 7 framer', () => {
  it(`survives ${RUNS} random and mutated streams, stays bounded, and still decodes valid packets after them`, () => {
    const stats = new FuzzStats();
    let firstLost = 0;
    fc.assert(
      fc.property(
        garbage({ corpus, specials: [0x01, 0x80, 0x81, 0x82, 0x83, 0xff, 0x00] }),
        cuts,
        fc.nat(),
        (g, garbageCuts, validCut) => {
          const { framer, after } = stats.time(g, VALID.length, () => {
            const framer = new NoninFramer({ emitFrames: true });
            const after: NoninEvent[] = [];
            for (const chunk of splitAt(g.bytes, garbageCuts)) {
              framer.push(chunk);
              check(framer.bufferedBytes <= BOUND, () => `buffered ${framer.bufferedBytes}`);
            }
            for (const chunk of splitAt(VALID, [validCut])) {
              after.push(...framer.push(chunk));
              check(framer.bufferedBytes <= BOUND, () => `buffered ${framer.bufferedBytes}`);
            }
            return { framer, after };
          });
          const packets = after.flatMap((e) => (e.type === 'packet' ? [e.packet] : []));
          const last = packets.at(-1);
          check(
            !!last && matches(last, VALID_FIELDS[1]!),
            () => `second valid packet not decoded: ${JSON.stringify(packets)}`,
          );
          check(framer.bufferedBytes === 0, () => 'bytes left after the last complete packet');
          if (packets.length === 2 && matches(packets[0]!, VALID_FIELDS[0]!)) return;
          // the first packet may only be lost to a false frame straddling the garbage/valid boundary
          firstLost++;
          const boundary = g.bytes.length;
          const straddling = after.some(
            (e) => e.type === 'frame' && e.frame.offset < boundary && e.frame.offset + 5 > boundary,
          );
          check(
            straddling,
            () => `first valid packet lost without a false frame at the boundary: ${JSON.stringify(packets)}`,
          );
        },
      ),
      fcParams(),
    );
    console.log(`${stats.summary('Nonin framer')}; first valid packet lost to a boundary false frame: ${firstLost}`);
    expect(stats.runs).toBeGreaterThanOrEqual(RUNS);
  });
});
