// Fuzz: the ASTM E1381 link receiver. Random and mutated byte streams never make it throw or stall, its
// buffers stay within maxFrameBytes + maxMessageBytes, and a well-formed session (ENQ, frames, EOT) sent after
// the garbage is received whole: every frame ACKed, no NAK, every record delivered as a complete message.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ACK,
  AstmLinkReceiver,
  astmCbcRecords,
  encodeAstmRecords,
  ENQ,
  EOT,
  ETB,
  ETX,
  NAK,
  STX,
  type AstmLinkEvent,
} from '../../../device-bridge/index';
import { ascii, check, concat, cuts, fcParams, FuzzStats, garbage, RUNS, splitAt } from './fuzz-support';

const CR = 0x0d;
const LF = 0x0a;
const at = new Date('2026-05-05T10:21:33Z');

function session(records: readonly string[], maxText?: number, enq = true): Uint8Array {
  const { frames } = encodeAstmRecords(records.map(ascii), maxText === undefined ? {} : { maxText });
  return concat(...(enq ? [Uint8Array.of(ENQ)] : []), ...frames, ...(enq ? [Uint8Array.of(EOT)] : []));
}

const corpus = [
  session(astmCbcRecords(1, at)),
  session(astmCbcRecords(2, at), 40), // intermediate (ETB) frames
  session(['H|\\^&', 'R|1|^^^GLU|5.1|mmol/L', 'L|1'], undefined, false), // capture style, no ENQ/EOT
  session(['H|@~!%|||X', 'R|1|!!!K!1|4.2', 'L|1']), // other delimiters
];

const VALID_RECORDS = [
  'H|\\^&|||FUZZ^ANALYSER^1|||||||P|LIS2-A2|20260505102133',
  'P|1||FUZZ-0001||FUZZ^PATIENT',
  'R|1|^^^GLU|5.4|mmol/L|3.9-5.5|N||F',
  'L|1|N',
];
const VALID = session(VALID_RECORDS, 24); // every record spans several frames
const VALID_FRAMES = encodeAstmRecords(VALID_RECORDS.map(ascii), { maxText: 24 }).frames.length;

const configs = fc.record({
  lenient: fc.boolean(),
  capture: fc.boolean(),
  maxFrameBytes: fc.constantFrom(64, 64 * 1024),
  maxMessageBytes: fc.constantFrom(128, 1024 * 1024),
});

describe('fuzz: ASTM E1381 link receiver', () => {
  it(`survives ${RUNS} random and mutated streams, stays bounded, and still receives a valid session after them`, () => {
    const stats = new FuzzStats();
    fc.assert(
      fc.property(
        garbage({ corpus, specials: [ENQ, ACK, NAK, EOT, STX, ETX, ETB, CR, LF, 0x30, 0x31, 0x37, 0x7c] }),
        configs,
        cuts,
        fc.nat(),
        (g, config, garbageCuts, validCut) => {
          const bound = config.maxFrameBytes + config.maxMessageBytes;
          const { rx, after } = stats.time(g, VALID.length, () => {
            const rx = new AstmLinkReceiver(config);
            const after: AstmLinkEvent[] = [];
            for (const chunk of splitAt(g.bytes, garbageCuts)) {
              rx.push(chunk);
              check(rx.bufferedBytes <= bound, () => `buffered ${rx.bufferedBytes} > ${bound}`);
            }
            for (const chunk of splitAt(VALID, [validCut])) {
              after.push(...rx.push(chunk));
              check(rx.bufferedBytes <= bound, () => `buffered ${rx.bufferedBytes} > ${bound}`);
            }
            rx.finish();
            return { rx, after };
          });
          const sent = after.filter((e) => e.type === 'send').map((e) => (e as { bytes: Uint8Array }).bytes[0]);
          // ENQ answered, every frame ACKed, nothing refused
          const acks = sent.filter((b) => b === ACK).length;
          const naks = sent.filter((b) => b === NAK).length;
          check(acks === 1 + VALID_FRAMES && naks === 0, () => `valid session answered ${acks} ACK, ${naks} NAK`);
          const messages = after.filter((e): e is Extract<AstmLinkEvent, { type: 'message' }> => e.type === 'message');
          check(
            messages.length === VALID_RECORDS.length &&
              messages.every((m, i) => m.complete && m.text === `${VALID_RECORDS[i]}\r`),
            () => `valid session delivered ${JSON.stringify(messages.map((m) => m.text))}`,
          );
          check(!rx.sessionOpen, () => 'session still open after EOT');
        },
      ),
      fcParams(),
    );
    console.log(stats.summary('ASTM link receiver'));
    expect(stats.runs).toBeGreaterThanOrEqual(RUNS);
  });

  it('a long run of garbage with no frame end is discarded at the frame bound, never buffered whole', () => {
    const rx = new AstmLinkReceiver({ maxFrameBytes: 64, maxMessageBytes: 128 });
    const flood = concat(Uint8Array.of(ENQ, STX, 0x31), new Uint8Array(1_000_000).fill(0x41));
    let max = 0;
    for (const chunk of splitAt(flood, [1000, 50_000, 999_000])) {
      rx.push(chunk);
      max = Math.max(max, rx.bufferedBytes);
    }
    expect(max).toBeLessThanOrEqual(64 + 128);
    const events = rx.push(VALID);
    expect(events.filter((e) => e.type === 'message')).toHaveLength(VALID_RECORDS.length);
  });
});
