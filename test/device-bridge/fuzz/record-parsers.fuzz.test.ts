// Fuzz: the record-level parsers behind the link layers. HL7 v2 (parseHl7, hl7MessageToItems, buildHl7Ack,
// hl7MessageKey) and ASTM E1394 (AstmMessageAssembler, astmMessageToItems) get random and mutated message text:
// they report, never throw, never stall; a garbage segment inside a valid HL7 message costs none of its
// observations and its ACK still names the message; a valid ASTM message after garbage records is assembled
// complete and decodes to its results, and no message holds more records than the configured bound.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  astmCbcRecords,
  AstmMessageAssembler,
  astmMessageToItems,
  buildHl7Ack,
  cbcResults,
  hl7ControlId,
  hl7Get,
  hl7MessageKey,
  hl7MessageToItems,
  hl7Segment,
  hl7VitalsMessage,
  parseHl7,
  vitalsFor,
  type AstmMessage,
  type NumericObservation,
} from '../../../device-bridge/index';
import { ascii, check, fcParams, FuzzStats, garbage, RUNS } from './fuzz-support';

const at = new Date('2026-05-05T10:21:33Z');
const NOW = new Date('2026-05-05T10:22:00Z');
const latin1 = (b: Uint8Array): string => {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i] as number);
  return s;
};
const numerics = (items: readonly { kind: string }[]) =>
  (items.filter((i) => i.kind === 'numeric') as NumericObservation[]).map((o) => `${o.code.code}=${o.value}`);

// ---- HL7 ----

// MSH, PID and the first two OBX of a monitor's ORU (kept short: the fuzz budget is per byte)
const HL7_SEGMENTS = hl7VitalsMessage(3, at)
  .split('\r')
  .filter((s) => /^(MSH|PID|OBX\|[12]\|)/.test(s));
const HL7_MESSAGE = `${HL7_SEGMENTS.join('\r')}\r`;
const HL7_VALUES = numerics(hl7MessageToItems(parseHl7(HL7_MESSAGE).message!, (i) => i).items);
const hl7Corpus = [
  ascii(HL7_MESSAGE),
  ascii(hl7VitalsMessage(4, at).replace(/\r/g, '\r\n').slice(0, 400)),
  ascii(
    'MSH#@!$%#MON#BED#####ORU@R01#X9#P#2.5\rOBX#1#NM#150456@SpO2@MDC##95#%##N###F\r' +
      'NTE#1##probe $F$ moved $X41$ $.br$ end\rOBX#2#NA#131329@ECG@MDC##1!2!3^4@5#uV\r',
  ),
  ascii(
    'MSH|^~\\&|A|B|||20260505||ORU^R01|1|P|2.6\rPID|1||X^^^Y^MR~Z\rOBR|1||S1|||20260505\rOBX|1|ST|T^text||a\\F\\b|||A\r',
  ),
];

// ---- ASTM ----

// header, patient, order, two results, terminator (kept short: the fuzz budget is per byte)
const ASTM_RECORDS = [...astmCbcRecords(5, at).slice(0, 5), 'L|1|N'];
const ASTM_VALUES = cbcResults(5)
  .slice(0, 2)
  .map((r) => r.value);
const astmCorpus = [
  ascii(astmCbcRecords(1, at).slice(3).join('\r')),
  ascii(astmCbcRecords(2, at).slice(0, 4).join('\r\n')), // no L
  ascii('H|@~!%|||X\rP|1||ID@1~ID2\rO|1|S@1\rR|1|!!!K!1|4.2|mmol/L|3.5-5.0|N\rC|1|I|haemolysed&F&x\rL|1'),
  ascii('R|1|^^^NA|140\rR|2|^^^K|&X41&|mmol/L\rQ|1|^S1\rM|1|x\rH\rH|\\^&\rL|1\rL|1'),
];

describe('fuzz: HL7 v2 record parser', () => {
  it(`parses ${RUNS} random and mutated messages without throwing; a garbage segment costs no valid observation`, () => {
    const stats = new FuzzStats();
    fc.assert(
      fc.property(
        garbage({
          corpus: hl7Corpus,
          specials: [0x7c, 0x5e, 0x7e, 0x5c, 0x26, 0x0d, 0x0a, 0x4d, 0x53, 0x48],
          maxRandom: 120,
        }),
        fc.integer({ min: 1, max: HL7_SEGMENTS.length }),
        (g, insertAt) => {
          const inserted = latin1(g.bytes).replace(/[\r\n]/g, '');
          const withGarbage = [...HL7_SEGMENTS.slice(0, insertAt), inserted, ...HL7_SEGMENTS.slice(insertAt)].join(
            '\r',
          );
          const result = stats.time(g, withGarbage.length, () => {
            const alone = parseHl7(latin1(g.bytes));
            if (alone.message) {
              hl7MessageToItems(alone.message, (i) => i);
              buildHl7Ack(alone.message, { code: 'AR', text: 'fuzz', now: NOW });
              hl7MessageKey(alone.message);
            }
            const parsed = parseHl7(withGarbage);
            const message = parsed.message!;
            return {
              items: hl7MessageToItems(message, (i) => i).items,
              ack: buildHl7Ack(message, { code: 'AA', now: NOW }),
              key: hl7MessageKey(message),
            };
          });
          const got = numerics(result.items);
          check(
            HL7_VALUES.every((v) => got.includes(v)),
            () => `observations lost: ${JSON.stringify(got)}`,
          );
          const ack = parseHl7(result.ack).message;
          const msa = ack && hl7Segment(ack, 'MSA');
          check(
            !!msa && hl7Get(msa, 1, ack.delimiters) === 'AA' && hl7Get(msa, 2, ack.delimiters) === hl7ControlId(3),
            () => `ACK does not name the message: ${JSON.stringify(result.ack)}`,
          );
          check(result.key === `hl7:SIM-MONITOR|BED-7|${hl7ControlId(3)}`, () => `message key ${result.key}`);
        },
      ),
      fcParams(),
    );
    console.log(stats.summary('HL7 parser (parseHl7, hl7MessageToItems, buildHl7Ack, hl7MessageKey)'));
    expect(HL7_VALUES).toHaveLength(2);
    expect(HL7_VALUES).toContain(`150456=${vitalsFor(3).spo2}`);
    expect(stats.runs).toBeGreaterThanOrEqual(RUNS);
  });
});

describe('fuzz: ASTM E1394 record parser and message assembler', () => {
  it(`assembles ${RUNS} random and mutated record streams without throwing, bounded, and a valid message after them`, () => {
    const stats = new FuzzStats();
    const MAX_RECORDS = 16;
    fc.assert(
      fc.property(
        garbage({
          corpus: astmCorpus,
          specials: [0x7c, 0x5c, 0x5e, 0x26, 0x0d, 0x0a, 0x48, 0x4c, 0x52, 0x50, 0x4f],
          maxRandom: 120,
        }),
        fc.boolean(),
        (g, splitRecords) => {
          const { valid, all } = stats.time(g, 0, () => {
            const assembler = new AstmMessageAssembler({ maxRecordsPerMessage: MAX_RECORDS });
            const all: AstmMessage[] = [];
            const text = latin1(g.bytes);
            // the link layer hands over one record per message, or several records in one (captures)
            for (const piece of splitRecords ? text.split('\r') : [text])
              all.push(...assembler.push(piece, (i) => i).messages);
            const valid: AstmMessage[] = [];
            for (const record of ASTM_RECORDS) valid.push(...assembler.push(`${record}\r`, (i) => i).messages);
            valid.push(...assembler.finish().messages);
            all.push(...valid);
            for (const m of all) astmMessageToItems(m);
            return { valid, all };
          });
          check(
            all.every((m) => m.records.length <= MAX_RECORDS),
            () => 'a message exceeds the record bound',
          );
          const complete = valid.filter((m) => m.complete);
          check(
            complete.length === 1 && complete[0]!.records.map((r) => r.raw).join('\r') === ASTM_RECORDS.join('\r'),
            () => `valid message not assembled: ${JSON.stringify(valid.map((m) => m.records.map((r) => r.raw)))}`,
          );
          const values = (
            astmMessageToItems(complete[0]!).items.filter((i) => i.kind === 'numeric') as NumericObservation[]
          ).map((o) => o.value);
          check(values.join() === ASTM_VALUES.join(), () => `valid results decoded as ${values.join()}`);
        },
      ),
      fcParams(),
    );
    console.log(stats.summary('ASTM assembler + astmMessageToItems'));
    expect(stats.runs).toBeGreaterThanOrEqual(RUNS);
  });
});
