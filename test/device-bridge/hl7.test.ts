import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildHl7Ack,
  decodeCapture,
  escapeHl7,
  FS,
  hl7Components,
  hl7Get,
  hl7MessageToItems,
  hl7Segment,
  hl7Unit,
  Hl7DuplicateDetector,
  MllpFramer,
  mllpWrap,
  parseHl7,
  unescapeHl7,
  VT,
  type DecodedItem,
  type Hl7Message,
  type MllpEvent,
  type NumericObservation,
  type TextObservation,
  type WaveformChunk,
} from '../../device-bridge/index';
import { ascii, concat, feed, plain, repoFixture, splitAt } from './helpers';

const text = (b: Uint8Array) => String.fromCharCode(...b);
const oru = text(repoFixture('hl7/oru.hl7'));
const waveformMsg = text(repoFixture('hl7/oru-waveform.hl7'));

function parsed(t: string): Hl7Message {
  const r = parseHl7(t);
  expect(r.errors).toEqual([]);
  return r.message as Hl7Message;
}
type Result = NumericObservation | TextObservation;
const results = (items: DecodedItem[]) => items.filter((i): i is Result => i.kind === 'numeric' || i.kind === 'text');

describe('HL7 structure', () => {
  it('takes delimiters from MSH-1/MSH-2 and numbers MSH fields from the separator', () => {
    const m = parsed(oru);
    const msh = m.segments[0]!;
    expect(m.delimiters).toEqual({ field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&' });
    expect(hl7Get(msh, 1, m.delimiters)).toBe('|');
    expect(hl7Get(msh, 2, m.delimiters)).toBe('^~\\&');
    expect(hl7Get(msh, 3, m.delimiters)).toBe('XXXX');
    expect(hl7Get(msh, 9, m.delimiters, { comp: 2 })).toBe('R01');
    expect(hl7Get(msh, 10, m.delimiters)).toBe('Q335939501T337311002');
    expect(m.segments.map((s) => s.name)).toEqual(['MSH', 'PID', 'PD1', 'OBR', 'OBX', 'OBX', 'OBX', 'OBX', 'OBX']);
    const obr = hl7Segment(m, 'OBR')!;
    expect(hl7Get(obr, 3, m.delimiters, { rep: 1, comp: 2 })).toBe('ACC_NUM');
  });

  it('works with any declared delimiters and decodes every escape', () => {
    const m = parsed('MSH#$%!*#APP#FAC\rOBX#1#ST#X$Y##a!F!b!S!c!T!d!R!e!E!f!X4849!!.br!g!H!h!N!\r');
    expect(m.delimiters).toMatchObject({ field: '#', component: '$', repetition: '%', escape: '!', subcomponent: '*' });
    const obx = m.segments[1]!;
    expect(hl7Components(obx, 3, m.delimiters)).toEqual(['X', 'Y']);
    expect(hl7Get(obx, 5, m.delimiters)).toBe('a#b$c*d%e!fHI\ngh');
    expect(unescapeHl7('\\Zx\\ \\C2842\\', parsed(oru).delimiters)).toBe('\\Zx\\ \\C2842\\');
    expect(escapeHl7('a|b^c~d\\e&f', parsed(oru).delimiters)).toBe('a\\F\\b\\S\\c\\R\\d\\E\\e\\T\\f');
  });

  it('tolerates LF and CR LF segment ends and reports malformed segments', () => {
    const r = parseHl7('MSH|^~\\&|A\r\nPID|1||X\nbad segment\rOBX|1|NM|A||1\r');
    expect(r.message?.segments.map((s) => s.name)).toEqual(['MSH', 'PID', 'OBX']);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]?.message).toMatch(/malformed segment/);
    expect(parseHl7('PID|1').errors[0]?.message).toMatch(/does not start with MSH/);
    expect(parseHl7('MSH|^^\\&|').errors[0]?.message).toMatch(/delimiters/);
    expect(parseHl7('').errors[0]?.message).toMatch(/empty/);
  });

  it('maps OBX-6 units: UCUM identifiers, local code with text, MDC dimensions', () => {
    expect(hl7Unit(['CD:289', 'mg/dL'])).toBe('mg/dL');
    expect(hl7Unit(['mg/dL', 'milligram per decilitre', 'UCUM'])).toBe('mg/dL');
    expect(hl7Unit(['262688', 'MDC_DIM_PERCENT', 'MDC'])).toBe('%');
    expect(hl7Unit(['264864', 'MDC_DIM_BEAT_PER_MIN', 'MDC'])).toBe('/min');
    expect(hl7Unit(['mmol/L'])).toBe('mmol/L');
    expect(hl7Unit([''])).toBeUndefined();
  });
});

describe('ORU^R01 fixture (hitgeek/simple-hl7, MIT): every OBX', () => {
  const expected = [
    { code: 'JHDL', display: 'HDL Cholesterol (CAD)', value: 62, referenceRange: '>40', abnormalFlag: undefined },
    { code: 'JTRIG', display: 'Triglyceride (CAD)', value: 72, referenceRange: '35-150', abnormalFlag: undefined },
    { code: 'JVLDL', display: 'VLDL-C (calc - CAD)', value: 14, referenceRange: undefined, abnormalFlag: undefined },
    { code: 'JLDL', display: 'LDL-C (calc - CAD)', value: 134, referenceRange: '0-100', abnormalFlag: 'H' },
    { code: 'JCHO', display: 'Cholesterol (CAD)', value: 210, referenceRange: '90-200', abnormalFlag: 'H' },
  ];

  it('decodes values, units, ranges, flags, status, time, patient and order ids', () => {
    const m = parsed(oru);
    const { items, errors } = hl7MessageToItems(m, (i) => i);
    expect(errors).toEqual([]);
    const rs = results(items);
    expect(rs).toHaveLength(5);
    rs.forEach((r, i) => {
      const e = expected[i]!;
      expect(r.kind).toBe('numeric');
      expect(r.code).toEqual({ system: 'local', code: e.code, display: e.display });
      expect(r.value).toBe(e.value);
      expect(r.unit).toBe('mg/dL');
      expect(r.referenceRange).toBe(e.referenceRange);
      expect(r.abnormalFlag).toBe(e.abnormalFlag);
      expect(r.status).toBe('F');
      expect(r.observedAt).toBe('2008-05-11T10:35:00');
      expect(r.patientIds).toEqual(['94000000000']);
      expect(r.sampleId).toBe('185L29839X64489JLPF');
      expect(oru.slice(r.source!.offset, r.source!.offset + 6)).toBe(`OBX|${i + 1}|`);
    });
    expect(items[0]).toMatchObject({
      kind: 'message',
      messageType: 'ORU^R01',
      controlId: 'Q335939501T337311002',
      version: '2.3',
      sender: 'XXXX/C',
      timestamp: '2008-05-11T10:35:30',
    });
  });
});

describe('ORU value types, codes and waveforms (project fixture)', () => {
  const { items, errors } = decodeCapture('hl7', repoFixture('hl7/oru-waveform.hl7'));

  it('decodes without errors', () => {
    expect(errors).toEqual([]);
  });

  it('MDC-coded numerics with MDC units, NTE comments, time zone offsets', () => {
    const spo2 = results(items)[0] as NumericObservation;
    expect(spo2).toMatchObject({
      kind: 'numeric',
      code: { system: 'MDC', code: '150456', display: 'MDC_PULS_OXIM_SAT_O2' },
      value: 97,
      unit: '%',
      referenceRange: '90-100',
      abnormalFlag: 'N',
      status: 'F',
      observedAt: '2026-05-05T10:21:31+03:00',
      patientIds: ['P-7731'],
      sampleId: 'SPEC-88',
      comments: ['probe on left index finger'],
    });
    expect(results(items)[1]).toMatchObject({ code: { system: 'MDC', code: '149530' }, value: 72, unit: '/min' });
  });

  it('SN with a comparator, ST holding a number, ST holding escaped text', () => {
    const [, , glucose, temp, note] = results(items);
    expect(glucose).toMatchObject({
      kind: 'numeric',
      code: { system: 'LOINC', code: '2345-7' },
      value: 11.1,
      comparator: '>',
      unit: 'mmol/L',
      status: 'P',
    });
    expect(glucose?.observedAt).toBe('2026-05-05T10:21:30+03:00'); // from OBR-7
    expect(temp).toMatchObject({
      kind: 'numeric',
      value: 37.2,
      unit: 'Cel',
      code: { system: 'LOINC', code: '8310-5' },
    });
    expect(note).toMatchObject({ kind: 'text', value: 'Value & note | with ^ delimiters \\ escaped' });
  });

  it('NA arrays become waveform chunks with the sample rate of their group', () => {
    const waves = items.filter((i): i is WaveformChunk => i.kind === 'waveform');
    expect(waves).toHaveLength(1);
    expect(waves[0]).toMatchObject({
      code: { system: 'MDC', code: '150452' },
      sampleRate: 75,
      samples: [10, 20, 35, 50, 42, 30, 18, 12],
      t0: '2026-05-05T10:21:31+03:00',
    });
  });

  it('MA arrays are demultiplexed per channel; sample rate null when not sent; bad samples reported', () => {
    const msg =
      'MSH|^~\\&|A|B|C|D|20260101||ORU^R01|1|P|2.5\rOBR|1\rOBX|1|MA|ECG^ecg^L||1^10~2^20~3^30||||||F\rOBX|2|NA|X^x^L||1^two^3||||||F\r';
    const r = decodeCapture('hl7', ascii(msg));
    const waves = r.items.filter((i): i is WaveformChunk => i.kind === 'waveform');
    expect(waves.map((w) => [w.channel, w.samples, w.sampleRate])).toEqual([
      [1, [1, 2, 3], null],
      [2, [10, 20, 30], null],
      [undefined, [1, NaN, 3], null],
    ]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]?.message).toMatch(/OBX 2: 1 NA sample/);
    expect(r.errors[0]?.offset).toBe(msg.indexOf('OBX|2'));
  });

  it('NM that is not a number, CE answers and explicit nulls', () => {
    const msg =
      'MSH|^~\\&|A|B|C|D|20260101||ORU^R01|1|P|2.5\rOBX|1|NM|A^a^L||abc\rOBX|2|CWE|B^b^L||POS^Positive^L\rOBX|3|NM|C^c^L||""|mg|""|""|||X\r';
    const r = decodeCapture('hl7', ascii(msg));
    const rs = results(r.items);
    expect(rs.map((x) => [x.kind, x.value])).toEqual([
      ['text', 'abc'],
      ['text', 'Positive'],
      ['text', ''],
    ]);
    expect(rs[2]).toMatchObject({ unit: 'mg', status: 'X' });
    expect(rs[2]?.referenceRange).toBeUndefined();
    expect(r.errors.map((e) => e.message)).toEqual(["OBX 1: NM value 'abc' is not a number"]);
  });
});

describe('ACK builder and duplicate detector', () => {
  it('builds MSA|AA echoing MSH-10, with sender and receiver swapped', () => {
    const m = parsed(oru);
    const ack = buildHl7Ack(m, { now: new Date(2026, 4, 5, 10, 21, 33), controlId: 'ACK0001' });
    expect(ack).toBe(
      'MSH|^~\\&|PRIORITYHEALTH|PRIORITYHEALTH|XXXX|C|20260505102133||ACK^R01^ACK|ACK0001|P|2.3\rMSA|AA|Q335939501T337311002\r',
    );
    const back = parsed(ack);
    expect(hl7Get(hl7Segment(back, 'MSA')!, 2, back.delimiters)).toBe('Q335939501T337311002');
  });

  it('AE/AR with escaped text, same delimiters as the message', () => {
    const m = parsed('MSH#$%!*#APP#FAC#ME#HERE#20260101##ORU$R01#C-9#P#2.5\r');
    const ack = buildHl7Ack(m, { code: 'AE', text: 'bad # value', now: new Date(2026, 0, 1) });
    expect(ack).toMatch(
      /^MSH#\$%!\*#ME#HERE#APP#FAC#20260101000000##ACK\$R01\$ACK#AC-9#P#2\.5\rMSA#AE#C-9#bad !F! value\r$/,
    );
  });

  it('detects duplicates by MSH-10 with bounded memory', () => {
    const dd = new Hl7DuplicateDetector(3);
    expect(dd.check('a')).toBe(false);
    expect(dd.check('a')).toBe(true);
    expect(dd.check('a', 'other-sender')).toBe(false);
    dd.check('b');
    dd.check('c');
    dd.check('d');
    expect(dd.size).toBe(3);
    expect(dd.check('a')).toBe(false); // forgotten (oldest)
    for (let i = 0; i < 10_000; i++) dd.check(`id${i}`);
    expect(dd.size).toBe(3);
    const m = parsed(oru);
    const fresh = new Hl7DuplicateDetector();
    expect(fresh.checkMessage(m)).toBe(false);
    expect(fresh.checkMessage(m)).toBe(true);
    expect(() => new Hl7DuplicateDetector(0)).toThrow(RangeError);
  });
});

describe('MLLP framer', () => {
  const msgs = (evs: MllpEvent[]) => evs.filter((e) => e.type === 'message').map((e) => (e as { text: string }).text);
  const errs = (evs: MllpEvent[]) => evs.filter((e) => e.type === 'error');

  it('frames VT … FS CR, several per chunk, and tolerates a missing final CR', () => {
    const a = mllpWrap(oru);
    const b = mllpWrap(waveformMsg).subarray(0, -1); // no CR after FS
    const evs = feed(new MllpFramer(), [concat(a, b, a)]);
    expect(msgs(evs)).toEqual([oru, waveformMsg, oru]);
    expect(errs(evs)).toEqual([]);
    expect(evs.map((e) => e.offset)).toEqual([0, a.length, a.length + b.length]);
  });

  it('any split of the stream gives the same messages', () => {
    const stream = concat(mllpWrap(oru), mllpWrap(waveformMsg), mllpWrap('MSH|^~\\&|X\r'));
    const whole = plain(feed(new MllpFramer(), [stream]));
    fc.assert(
      fc.property(fc.array(fc.nat({ max: stream.length }), { maxLength: 30 }), (cuts) => {
        expect(plain(feed(new MllpFramer(), splitAt(stream, cuts)))).toEqual(whole);
      }),
      { numRuns: 200 },
    );
  });

  it('skips garbage between blocks (one error per run) and restarts on a VT inside a block', () => {
    const junk = fc.uint8Array({ minLength: 1, maxLength: 40 }).map((g) => g.map((x) => (x === VT ? 0x41 : x)));
    fc.assert(
      fc.property(junk, junk, (g1, g2) => {
        const evs = feed(new MllpFramer(), [concat(g1, mllpWrap(oru), g2, mllpWrap(oru))]);
        expect(msgs(evs)).toEqual([oru, oru]);
        const nonBlank = (g: Uint8Array) => g.some((x) => x !== 0x0d && x !== 0x0a);
        expect(errs(evs).length).toBeLessThanOrEqual(2);
        if (nonBlank(g1)) expect(errs(evs)[0]?.offset).toBe(g1.findIndex((x) => x !== 0x0d && x !== 0x0a));
      }),
      { numRuns: 200 },
    );
    const cut = feed(new MllpFramer(), [concat(Uint8Array.of(VT), ascii('MSH|^~\\&|partial'), mllpWrap(oru))]);
    expect(msgs(cut)).toEqual([oru]);
    expect(errs(cut)[0]).toMatchObject({ offset: 0, message: expect.stringMatching(/interrupted/) });
  });

  it('bounds the buffer: an endless block is reported once and the next block decodes', () => {
    const f = new MllpFramer({ maxMessageBytes: 1000 });
    const evs: MllpEvent[] = [...f.push(Uint8Array.of(VT))];
    for (let i = 0; i < 100; i++) {
      evs.push(...f.push(ascii('x'.repeat(333))));
      expect(f.bufferedBytes).toBeLessThanOrEqual(1000);
    }
    evs.push(...f.push(Uint8Array.of(FS, 0x0d)), ...f.push(mllpWrap('MSH|^~\\&|OK\r')));
    expect(errs(evs)).toHaveLength(1);
    expect(msgs(evs)).toEqual(['MSH|^~\\&|OK\r']);
  });

  it('reports a block cut off by the end of input', () => {
    const evs = feed(new MllpFramer(), [concat(mllpWrap(oru), Uint8Array.of(VT), ascii('MSH|'))]);
    expect(msgs(evs)).toEqual([oru]);
    expect(errs(evs)[0]?.offset).toBe(mllpWrap(oru).length);
  });
});

describe('decodeCapture for HL7: bare and MLLP files give the same observations', () => {
  it('bare file, MLLP file, several messages, batch envelope', () => {
    const bare = decodeCapture('hl7', repoFixture('hl7/oru.hl7'));
    const framed = decodeCapture('hl7', concat(mllpWrap(oru), mllpWrap(oru)));
    expect(bare.errors).toEqual([]);
    expect(framed.errors).toEqual([]);
    const strip = (items: DecodedItem[]) => plain(items.map((i) => ({ ...i, source: undefined })));
    expect(strip(framed.items)).toEqual(strip([...bare.items, ...bare.items]));
    const batch = decodeCapture('hl7', ascii(`FHS|^~\\&|X\rBHS|^~\\&|X\r${oru}\n${oru}BTS|2\rFTS|1\r`));
    expect(batch.errors).toEqual([]);
    expect(results(batch.items)).toHaveLength(10);
    expect(batch.items.filter((i) => i.kind === 'message')).toHaveLength(2);
  });

  it('segments before the first MSH are reported with their offset', () => {
    const r = decodeCapture('hl7', ascii(`PID|1||X\r${oru}`));
    expect(r.errors).toEqual([{ offset: 0, message: 'HL7 segments before the first MSH (skipped)' }]);
    expect(results(r.items)).toHaveLength(5);
  });
});
