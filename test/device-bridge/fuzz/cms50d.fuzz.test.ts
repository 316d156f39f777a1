// Fuzz: the Contec CMS50D+ live-data framer. Random and mutated byte streams never make it throw or stall, it
// never holds more than one 5-byte packet, and valid packets sent after the garbage decode exactly.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cms50dSource,
  Cms50dFramer,
  encodeCms50dPacket,
  type Cms50dEvent,
  type Cms50dPacketFields,
} from '../../../device-bridge/index';
import { check, concat, cuts, fcParams, FuzzStats, garbage, RUNS, splitAt } from './fuzz-support';

const source = cms50dSource();
const stream = (from: number, n: number) => concat(...Array.from({ length: n }, (_, i) => source.packet(from + i)));
const corpus = [
  stream(0, 12),
  stream(100, 8),
  concat(encodeCms50dPacket({ pulseRate: null, spo2: null, sensorError: true }), stream(7, 3)),
];

const VALID_FIELDS: Cms50dPacketFields[] = [
  { signalStrength: 7, pulseBeep: true, pleth: 42, barGraph: 5, pulseRate: 133, spo2: 91 }, // pulse uses bit 7
  { signalStrength: 3, pleth: 100, barGraph: 1, pulseRate: 58, spo2: 99, spo2Dropping: true },
  { signalStrength: 0, pleth: 0, pulseRate: null, spo2: null, searchingPulse: true },
];
const VALID = concat(...VALID_FIELDS.map(encodeCms50dPacket));
const BOUND = 5;

describe('fuzz: CMS50D+ framer', () => {
  it(`survives ${RUNS} random and mutated streams, stays bounded, and still decodes valid packets after them`, () => {
    const stats = new FuzzStats();
    fc.assert(
      fc.property(
        garbage({ corpus, specials: [0x80, 0xff, 0x7f, 0x00, 0xc6, 0x16] }),
        cuts,
        fc.nat(),
        (g, garbageCuts, validCut) => {
          const { framer, after } = stats.time(g, VALID.length, () => {
            const framer = new Cms50dFramer();
            const after: Cms50dEvent[] = [];
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
          check(
            packets.length === VALID_FIELDS.length &&
              packets.every((p, i) => {
                const f = VALID_FIELDS[i]!;
                return (
                  p.pulseRate === (f.pulseRate ?? null) &&
                  p.spo2 === (f.spo2 ?? null) &&
                  p.pleth === (f.pleth ?? 0) &&
                  p.signalStrength === (f.signalStrength ?? 0) &&
                  p.pulseBeep === !!f.pulseBeep &&
                  p.spo2Dropping === !!f.spo2Dropping &&
                  p.searchingPulse === !!f.searchingPulse
                );
              }),
            () => `valid packets decoded as ${JSON.stringify(packets)}`,
          );
          check(framer.bufferedBytes === 0, () => 'bytes left after the last complete packet');
        },
      ),
      fcParams(),
    );
    console.log(stats.summary('CMS50D+ framer'));
    expect(stats.runs).toBeGreaterThanOrEqual(RUNS);
  });
});
