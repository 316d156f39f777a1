// HL7 v2 message structure: segments, fields, repetitions, components, subcomponents, escapes.
//
// - Segments end with CR (LF and CR LF tolerated); the message starts with MSH.
// - MSH-1 is the field separator (the char after 'MSH'); MSH-2 the encoding characters in the order
//   component, repetition, escape, subcomponent (and, from v2.7, truncation): usually `^~\&`.
// - Field numbering: SEG-n is the n-th field after the segment name; for MSH, MSH-1 is the separator
//   itself, so MSH-2 is the first text after it.
// - Escapes: \F\ \S\ \T\ \R\ \E\ (delimiters), \Xhh…\ (hex bytes), \.br\ (line break), \H\ \N\
//   (highlighting, dropped); others (\Cxxyy\, \Mxxyyzz\, \Zxx\) are kept as sent.
// - A field holding exactly "" is an explicit null.
import { replaceEscapes } from '../util/text';

export interface Hl7Delimiters {
  field: string;
  component: string;
  repetition: string;
  escape: string;
  subcomponent: string;
  truncation?: string;
}

export interface Hl7Segment {
  name: string;
  /** Raw fields by HL7 number: fields[0] is the segment name, fields[n] is SEG-n. */
  fields: string[];
  /** Char index of the segment in the message text. */
  index: number;
}

export interface Hl7Message {
  delimiters: Hl7Delimiters;
  segments: Hl7Segment[];
  text: string;
}

export interface Hl7ParseError {
  /** Char index in the message text. */
  index: number;
  message: string;
}

/** Reads delimiters from the start of an MSH (or BHS/FHS) segment. */
export function hl7Delimiters(segment: string): Hl7Delimiters | undefined {
  if (!/^(MSH|BHS|FHS)/.test(segment) || segment.length < 8) return undefined;
  const field = segment[3] as string;
  const enc = segment.slice(4).split(field)[0] ?? '';
  if (enc.length < 4) return undefined;
  const [component, repetition, escape, subcomponent, truncation] = enc.split('') as string[];
  const all = [field, component, repetition, escape, subcomponent];
  if (new Set(all).size !== 5 || all.some((c) => /[A-Za-z0-9\r\n]/.test(c as string))) return undefined;
  const d: Hl7Delimiters = {
    field,
    component: component as string,
    repetition: repetition as string,
    escape: escape as string,
    subcomponent: subcomponent as string,
  };
  if (truncation && !all.includes(truncation)) d.truncation = truncation;
  return d;
}

/** Splits a message into segments and fields. Errors are reported, never thrown. */
export function parseHl7(text: string): { message?: Hl7Message; errors: Hl7ParseError[] } {
  const errors: Hl7ParseError[] = [];
  const lines: { line: string; index: number }[] = [];
  const re = /\r\n|\r|\n/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    lines.push({ line: text.slice(last, m.index), index: last });
    last = m.index + m[0].length;
  }
  if (last < text.length) lines.push({ line: text.slice(last), index: last });
  const nonEmpty = lines.filter((l) => l.line.trim() !== '');
  const first = nonEmpty[0];
  if (!first) return { errors: [{ index: 0, message: 'empty HL7 message' }] };
  const lead = first.line.replace(/^[\uFEFF\s]+/, '');
  const delimiters = lead.startsWith('MSH') ? hl7Delimiters(lead) : undefined;
  if (!delimiters) {
    return {
      errors: [
        {
          index: first.index,
          message: lead.startsWith('MSH')
            ? 'MSH segment does not declare valid delimiters'
            : 'HL7 message does not start with MSH',
        },
      ],
    };
  }
  const segments: Hl7Segment[] = [];
  for (const { line, index } of nonEmpty) {
    const raw = segments.length === 0 ? lead : line;
    const name = raw.slice(0, 3);
    if (!/^[A-Z][A-Z0-9]{2}$/.test(name) || (raw.length > 3 && raw[3] !== delimiters.field)) {
      errors.push({ index, message: `malformed segment '${raw.slice(0, 20)}'` });
      continue;
    }
    const parts = raw.split(delimiters.field);
    let fields: string[];
    if (name === 'MSH' || name === 'BHS' || name === 'FHS') {
      fields = [name, delimiters.field, ...parts.slice(1)];
    } else {
      fields = parts;
    }
    segments.push({ name, fields, index });
  }
  return { message: { delimiters, segments, text }, errors };
}

/** Replaces HL7 escape sequences in one component/subcomponent. */
export function unescapeHl7(s: string, d: Hl7Delimiters): string {
  const codes = new Map([
    ['F', d.field],
    ['S', d.component],
    ['T', d.subcomponent],
    ['R', d.repetition],
    ['E', d.escape],
    ['P', d.truncation],
    // Highlighting on/off: formatting only, no text.
    ['H', ''],
    ['N', ''],
    ['.br', '\n'],
  ]);
  return replaceEscapes(s, d.escape, (code) => codes.get(code));
}

/** Escapes text for use inside a field. */
export function escapeHl7(s: string, d: Hl7Delimiters): string {
  let out = '';
  for (const c of s) {
    if (c === d.escape) out += `${d.escape}E${d.escape}`;
    else if (c === d.field) out += `${d.escape}F${d.escape}`;
    else if (c === d.component) out += `${d.escape}S${d.escape}`;
    else if (c === d.subcomponent) out += `${d.escape}T${d.escape}`;
    else if (c === d.repetition) out += `${d.escape}R${d.escape}`;
    else if (c === '\r' || c === '\n') out += `${d.escape}.br${d.escape}`;
    else out += c;
  }
  return out;
}

export interface Hl7Ref {
  /** Repetition, 0-based. Default 0. */
  rep?: number;
  /** Component, 1-based. Default 1. */
  comp?: number;
  /** Subcomponent, 1-based. Default 1. */
  sub?: number;
}

/** Raw field n (HL7 numbering); '' when absent. MSH-1 and MSH-2 are returned whole. */
export function hl7Field(segment: Hl7Segment, n: number): string {
  return segment.fields[n] ?? '';
}

/** Repetitions of field n, each a list of components (raw, still escaped; subcomponents not split). */
export function hl7Repetitions(segment: Hl7Segment, n: number, d: Hl7Delimiters): string[][] {
  const raw = hl7Field(segment, n);
  if ((segment.name === 'MSH' || segment.name === 'BHS' || segment.name === 'FHS') && n <= 2) return [[raw]];
  return raw.split(d.repetition).map((r) => r.split(d.component));
}

/** One value, unescaped: field n, repetition, component, subcomponent. */
export function hl7Get(segment: Hl7Segment, n: number, d: Hl7Delimiters, ref: Hl7Ref = {}): string {
  const reps = hl7Repetitions(segment, n, d);
  const comp = reps[ref.rep ?? 0]?.[(ref.comp ?? 1) - 1] ?? '';
  const sub = comp.split(d.subcomponent)[(ref.sub ?? 1) - 1] ?? '';
  if (segment.name === 'MSH' && n <= 2) return comp;
  return unescapeHl7(sub, d);
}

/** Unescaped components of one repetition of field n (subcomponents left joined). */
export function hl7Components(segment: Hl7Segment, n: number, d: Hl7Delimiters, rep = 0): string[] {
  const comps = hl7Repetitions(segment, n, d)[rep] ?? [''];
  return comps.map((c) =>
    c
      .split(d.subcomponent)
      .map((s) => unescapeHl7(s, d))
      .join(d.subcomponent),
  );
}

/** True when the raw field is the HL7 explicit null `""` or empty. */
export function hl7IsNull(value: string): boolean {
  return value === '' || value === '""';
}

/** First segment with this name. */
export function hl7Segment(message: Hl7Message, name: string): Hl7Segment | undefined {
  return message.segments.find((s) => s.name === name);
}
