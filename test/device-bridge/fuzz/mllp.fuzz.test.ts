// Fuzz: the MLLP framer (HL7 v2 over serial). Random and mutated byte streams never make it throw or stall, the
// block buffer stays within maxMessageBytes, and a well-formed block sent after the garbage is delivered intact.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FS, hl7VitalsMessage, MllpFramer, mllpWrap, VT, type MllpEvent } from '../../../device-bridge/index';
import { ascii, check, concat, cuts, equalBytes, fcParams, FuzzStats, garbage, RUNS, splitAt } from './fuzz-support';

const at = new Date('2026-05-05T10:21:33Z');
const SMALL =
  'MSH|^~\\&|FUZZ-MON|BED-9|SIJILL|CLINIC|20260505102133||ORU^R01^ORU_R01|FUZZ000001|P|2.6\r' +
  'OBX|1|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1|93|262688^MDC_DIM_PERCENT^MDC|90-100|N|||F\r';
const VALID_BODY = ascii(SMALL);
const VALID = mllpWrap(SMALL);

const corpus = [
  mllpWrap(hl7VitalsMessage(1, at)),
  concat(mllpWrap(hl7VitalsMessage(2, at)), mllpWrap(SMALL)),
  concat(Uint8Array.of(VT), ascii(SMALL), Uint8Array.of(FS)), // no CR after FS
  concat(ascii('\r\n'), mllpWrap(SMALL), ascii('\r\n')),
];

describe('fuzz: MLLP framer', () => {
  it(`survives ${RUNS} random and mutated streams, stays bounded, and still delivers a valid block after them`, () => {
    const stats = new FuzzStats();
    fc.assert(
      fc.property(
        garbage({ corpus, specials: [VT, FS, 0x0d, 0x0a, 0x7c, 0x5e] }),
        fc.constantFrom(256, 1024 * 1024),
        cuts,
        fc.nat(),
        (g, maxMessageBytes, garbageCuts, validCut) => {
          const { framer, after } = stats.time(g, VALID.length, () => {
            const framer = new MllpFramer({ maxMessageBytes });
            const after: MllpEvent[] = [];
            for (const chunk of splitAt(g.bytes, garbageCuts)) {
              framer.push(chunk);
              check(
                framer.bufferedBytes <= maxMessageBytes,
                () => `buffered ${framer.bufferedBytes} > ${maxMessageBytes}`,
              );
            }
            for (const chunk of splitAt(VALID, [validCut])) {
              after.push(...framer.push(chunk));
              check(
                framer.bufferedBytes <= maxMessageBytes,
                () => `buffered ${framer.bufferedBytes} > ${maxMessageBytes}`,
              );
            }
            framer.finish();
            return { framer, after };
          });
          const messages = after.filter((e): e is Extract<MllpEvent, { type: 'message' }> => e.type === 'message');
          check(
            messages.length === 1 && equalBytes(messages[0]!.bytes, VALID_BODY) && messages[0]!.text === SMALL,
            () => `valid block delivered as ${JSON.stringify(messages.map((m) => m.text))}`,
          );
          check(framer.bufferedBytes === 0, () => 'bytes left buffered after a complete block');
        },
      ),
      fcParams(),
    );
    console.log(stats.summary('MLLP framer'));
    expect(stats.runs).toBeGreaterThanOrEqual(RUNS);
  });

  it('a block that never ends is dropped at the bound; the next block still arrives', () => {
    const framer = new MllpFramer({ maxMessageBytes: 256 });
    let max = 0;
    for (const chunk of splitAt(concat(Uint8Array.of(VT), new Uint8Array(1_000_000).fill(0x41)), [10, 300_000])) {
      framer.push(chunk);
      max = Math.max(max, framer.bufferedBytes);
    }
    expect(max).toBeLessThanOrEqual(256);
    expect(framer.push(VALID).filter((e) => e.type === 'message')).toHaveLength(1);
  });
});
