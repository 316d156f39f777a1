import { describe, expect, it } from 'vitest';
import {
  astmComponents,
  astmMessageToItems,
  astmRepeats,
  astmTestCode,
  astmText,
  AstmMessageAssembler,
  DEFAULT_ASTM_DELIMITERS,
  delimitersFromHeader,
  isLoincCode,
  parseAstmRecord,
  unescapeAstm,
  type NumericObservation,
  type TextObservation,
} from '../../device-bridge/index';

const d = DEFAULT_ASTM_DELIMITERS;

describe('E1394 delimiters and escapes', () => {
  it('reads field, repeat, component and escape delimiters from the H record', () => {
    expect(delimitersFromHeader('H|\\^&|||X')).toEqual({ field: '|', repeat: '\\', component: '^', escape: '&' });
    expect(delimitersFromHeader('H!@#$!!!X')).toEqual({ field: '!', repeat: '@', component: '#', escape: '$' });
    expect(delimitersFromHeader('H||||')).toBeUndefined();
    expect(delimitersFromHeader('P|1')).toBeUndefined();
  });

  it('decodes &F& &S& &R& &E& and &Xhh& and keeps unknown sequences', () => {
    expect(unescapeAstm('a&F&b&S&c&R&d&E&e', d)).toBe('a|b^c\\d&e');
    expect(unescapeAstm('&X4142&!', d)).toBe('AB!');
    expect(unescapeAstm('x&Q&y', d)).toBe('x&Q&y');
    expect(unescapeAstm('dangling&', d)).toBe('dangling&');
  });

  it('numbers fields as the standard does and keeps H-2 whole', () => {
    const h = parseAstmRecord('H|\\^&|||ABX|||||||P|E1394-97|20220727121551', d);
    expect(h.fields[0]).toBe('H');
    expect(h.fields[1]).toBe('\\^&');
    expect(astmText(h, 5)).toBe('ABX');
    expect(astmText(h, 12)).toBe('P');
    expect(astmText(h, 14)).toBe('20220727121551');
    const r = parseAstmRecord('R|2|^^^LYM#^731-0^1|3.29|1||||W', d);
    expect(astmComponents(r, 3)).toEqual(['', '', '', 'LYM#', '731-0', '1']);
    expect(astmText(r, 4)).toBe('3.29');
    expect(astmText(r, 30)).toBe('');
  });

  it('splits repeats before components and unescapes afterwards', () => {
    const r = parseAstmRecord('O|1||^^^WBC\\^^^RBC|R|a&R&b', d);
    expect(astmRepeats(r, 4)).toEqual([
      ['', '', '', 'WBC'],
      ['', '', '', 'RBC'],
    ]);
    expect(astmText(r, 6)).toBe('a\\b');
  });

  it('uses custom delimiters declared by the header for the rest of the message', () => {
    const asm = new AstmMessageAssembler();
    const { messages, errors } = asm.push('H!@#$\rR!1!###K!4$S$2!mmol/L\rL!1\r', (i) => i);
    expect(errors).toEqual([]);
    const items = astmMessageToItems(messages[0]!).items;
    const r = items.find((i) => i.kind === 'text') as TextObservation;
    expect(r.code.code).toBe('K');
    expect(r.value).toBe('4#2');
    expect(r.unit).toBe('mmol/L');
  });
});

describe('test id coding', () => {
  it('prefers the manufacturer code, then the universal id; LOINC codes are recognised by check digit', () => {
    expect(astmTestCode(['', '', '', '413']).code).toEqual({ system: 'local', code: '413' });
    expect(astmTestCode(['', '', '', '', 'WBC', '1']).code).toEqual({ system: 'local', code: 'WBC' });
    const pentra = astmTestCode(['', '', '', 'WBC', '804-5', '1']);
    expect(pentra.code).toEqual({ system: 'local', code: 'WBC' });
    expect(pentra.altCodes).toEqual([{ system: 'LOINC', code: '804-5' }]);
    expect(astmTestCode(['2345-7', 'Glucose']).code).toEqual({ system: 'LOINC', code: '2345-7', display: 'Glucose' });
    expect(astmTestCode(['2345-8']).code.system).toBe('local'); // wrong check digit
    expect(isLoincCode('59408-5')).toBe(true);
    expect(isLoincCode('8889-8')).toBe(true);
    expect(isLoincCode('8889-7')).toBe(false);
    expect(isLoincCode('RDW-SD')).toBe(false);
  });
});

describe('message assembly', () => {
  it('groups records H…L across link messages and attaches patient, sample and comments', () => {
    const asm = new AstmMessageAssembler();
    const parts = [
      'H|\\^&|||LAB\r',
      'P|1|PRAC-1|LAB-2|ID3\r',
      'O|1|SPEC-7^A^B||^^^GLU\r',
      'R|1|^^^GLU|<0.5|mmol/L|3.9^6.1|L||F||||20260101120000\r',
      'C|1|I|hemolysed^slightly|G\r',
      'R|2|^^^NA|---|mmol/L\r',
      'L|1|N\r',
    ];
    const msgs = parts.flatMap((p, i) => asm.push(p, () => i * 100).messages);
    expect(msgs).toHaveLength(1);
    expect(msgs[0]!.complete).toBe(true);
    const { items, errors } = astmMessageToItems(msgs[0]!);
    expect(errors).toEqual([]);
    const [summary, glu, na] = items;
    expect(summary).toMatchObject({
      kind: 'message',
      protocol: 'astm',
      sender: 'LAB',
      counts: { H: 1, P: 1, O: 1, R: 2, C: 1, L: 1 },
    });
    expect(glu).toMatchObject({
      kind: 'numeric',
      value: 0.5,
      comparator: '<',
      unit: 'mmol/L',
      referenceRange: '3.9-6.1',
      abnormalFlag: 'L',
      status: 'F',
      observedAt: '2026-01-01T12:00:00',
      patientIds: ['PRAC-1', 'LAB-2', 'ID3'],
      sampleId: 'SPEC-7',
      comments: ['hemolysed^slightly'],
      source: { protocol: 'astm', offset: 300, ref: 'R|1' },
    } satisfies Partial<NumericObservation>);
    expect(na).toMatchObject({ kind: 'text', value: '---', code: { code: 'NA' } });
  });

  it('reports records outside a message, a missing L and unknown record types', () => {
    const asm = new AstmMessageAssembler();
    const a = asm.push('R|1|^^^X|1\rZ|1\r', (i) => i);
    expect(a.errors.map((e) => e.message)).toEqual([
      'R record outside a message (no H record before it)',
      "unknown record type 'Z'",
    ]);
    const b = asm.push('H|\\^&\rR|1|^^^Y|2\r', (i) => 1000 + i);
    expect(b.messages).toHaveLength(1);
    expect(b.messages[0]!.complete).toBe(false);
    expect(b.errors[0]).toEqual({ offset: 0, message: 'message ended without an L (terminator) record' });
    const end = asm.finish();
    expect(end.messages[0]!.records.map((r) => r.type)).toEqual(['H', 'R']);
    expect(end.errors[0]?.message).toMatch(/before the L/);
  });

  it('accepts LF and CR LF record separators', () => {
    const asm = new AstmMessageAssembler();
    const { messages } = asm.push('H|\\^&\r\nR|1|^^^A|1\nL|1\r', (i) => i);
    expect(messages[0]!.records.map((r) => r.type)).toEqual(['H', 'R', 'L']);
  });
});
