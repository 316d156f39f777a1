// Fuzz: the line framer and the Masimo line parser. Random and mutated byte streams never make them throw or
// stall, a line never buffers more than maxLineBytes, and valid lines sent after the garbage are found: a line
// protocol resynchronises at a line end, so the first valid line is found whenever the garbage ended with one
// (else it is glued to the garbage's last, unterminated line), and the second valid line is always found.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LineFramer,
  masimoLine,
  parseMasimoLine,
  type LineEvent,
  type NumericObservation,
} from '../../../device-bridge/index';
import { ascii, check, cuts, fcParams, FuzzStats, garbage, RUNS, splitAt } from './fuzz-support';

const corpus = [
  ascii(masimoLine(0)),
  ascii('05/05/26 10:21:34 SPO2=097% BPM=072\r\n05/05/26 10:21:35 SPO2=096% BPM=071\r\n'),
  ascii(masimoLine(17).replace('\r\n', '\n') + masimoLine(18).replace('\r\n', '\r')),
  ascii(masimoLine(40, { spo2: 84, pulseRate: 140, variability: false })),
  ascii('05/05/26 10:21:33 SN=0000012345 SPO2=--% BPM=---% PI=--.--% ALARM=0010 EXC=000200\r\n'),
];

// short lines (a Rad-8 prints more fields; the parser keeps whatever KEY=VALUE pairs it gets)
const L1 = '05/06/26 11:00:00 SPO2=091% BPM=123 PI=02.50% ALARM=0000';
const L2 = '05/06/26 11:00:01 SPO2=086% BPM=047 PI=01.25% ALARM=0000';
const VALID = ascii(`${L1}\r\n${L2}\r\n`);

const values = (line: string) =>
  parseMasimoLine(line)
    .items.filter((i): i is NumericObservation => i.kind === 'numeric')
    .map((o) => `${o.code.code}=${o.value}`)
    .join(' ');
const L2_VALUES = values(L2);

describe('fuzz: line framer (Masimo) and Masimo line parser', () => {
  it(`survives ${RUNS} random and mutated streams, stays bounded, and still finds valid lines after them`, () => {
    const stats = new FuzzStats();
    let firstGlued = 0;
    fc.assert(
      fc.property(
        garbage({ corpus, specials: [0x0d, 0x0a, 0x3d, 0x25, 0x20, 0x2f, 0x3a, 0x2d, 0x30, 0x39] }),
        fc.constantFrom(64, 1024),
        cuts,
        fc.nat(),
        (g, maxLineBytes, garbageCuts, validCut) => {
          const { framer, after } = stats.time(g, VALID.length, () => {
            const framer = new LineFramer({ maxLineBytes });
            const after: LineEvent[] = [];
            for (const chunk of splitAt(g.bytes, garbageCuts)) {
              for (const ev of framer.push(chunk)) if (ev.type === 'line') parseMasimoLine(ev.text, ev.offset);
              check(framer.bufferedBytes <= maxLineBytes, () => `buffered ${framer.bufferedBytes}`);
            }
            for (const chunk of splitAt(VALID, [validCut])) {
              for (const ev of framer.push(chunk)) {
                if (ev.type === 'line') parseMasimoLine(ev.text, ev.offset);
                after.push(ev);
              }
              check(framer.bufferedBytes <= maxLineBytes, () => `buffered ${framer.bufferedBytes}`);
            }
            framer.finish();
            return { framer, after };
          });
          const lines = after.flatMap((e) => (e.type === 'line' ? [e.text] : []));
          check(lines.at(-1) === L2, () => `second valid line not found: ${JSON.stringify(lines)}`);
          const last = g.bytes.at(-1);
          if (g.bytes.length === 0 || last === 0x0d || last === 0x0a) {
            check(
              lines.length === 2 && lines[0] === L1,
              () => `first valid line lost after a line end: ${JSON.stringify(lines)}`,
            );
          } else if (lines[0] !== L1) {
            firstGlued++;
          }
          check(framer.bufferedBytes === 0, () => 'bytes left after the last line end');
        },
      ),
      fcParams(),
    );
    console.log(
      `${stats.summary('line framer + Masimo parser')}; first line glued to unterminated garbage: ${firstGlued}`,
    );
    expect(L2_VALUES).toMatch(/=86 .*=47 /); // what the found line decodes to
    expect(stats.runs).toBeGreaterThanOrEqual(RUNS);
  });
});
