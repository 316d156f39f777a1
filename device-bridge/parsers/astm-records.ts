// ASTM E1394 (CLSI LIS02) records: delimiters, escapes, field access, and grouping records into messages.
//
// - A message is H … L; records are separated by CR (LF and CR LF tolerated).
// - The H record declares the delimiters in its first five characters: `H|\^&` = record type, field '|',
//   repeat '\', component '^', escape '&'. They apply to every record until the next H.
// - Escape sequences inside field text: &F& field, &S& component, &R& repeat, &E& escape, &Xhh…& hex bytes.
// - Field numbering follows the standard: field 1 is the record type, field 2 the sequence number, …
// - Record types: H header, P patient, O order, R result, C comment, Q request, M manufacturer, S scientific,
//   L terminator. Any other letter is kept as an unknown record.
import { replaceEscapes } from '../util/text';

export interface AstmDelimiters {
  field: string;
  repeat: string;
  component: string;
  escape: string;
}

export const DEFAULT_ASTM_DELIMITERS: AstmDelimiters = Object.freeze({
  field: '|',
  repeat: '\\',
  component: '^',
  escape: '&',
});

export const ASTM_RECORD_TYPES = ['H', 'P', 'O', 'R', 'C', 'Q', 'M', 'S', 'L'] as const;

export interface AstmRecord {
  /** Record type letter (upper case), e.g. 'R'. */
  type: string;
  /** Raw record text, without the CR. */
  raw: string;
  /** Raw (still escaped) fields; index 0 is the record type, so `fields[n - 1]` is field n of the standard. */
  fields: string[];
  delimiters: AstmDelimiters;
  /** Absolute byte offset of the record in the input, as given by the caller (0 if unknown). */
  offset: number;
}

/** Reads the delimiters from an H record (`H|\^&…`); undefined if the record does not declare four distinct ones. */
export function delimitersFromHeader(raw: string): AstmDelimiters | undefined {
  if (raw.length < 5 || raw[0]?.toUpperCase() !== 'H') return undefined;
  const [field, repeat, component, escape] = [raw[1], raw[2], raw[3], raw[4]] as string[];
  const set = new Set([field, repeat, component, escape]);
  if (set.size !== 4) return undefined;
  for (const c of set) if (/[A-Za-z0-9 \r\n]/.test(c as string)) return undefined;
  return { field: field as string, repeat: repeat as string, component: component as string, escape: escape as string };
}

/** Splits one record into raw fields. For H, field 2 is the delimiter definition and is kept whole. */
export function parseAstmRecord(raw: string, delimiters: AstmDelimiters, offset = 0): AstmRecord {
  const type = (raw[0] ?? '').toUpperCase();
  let fields: string[];
  if (type === 'H' && raw.length >= 5 && delimitersFromHeader(raw)) {
    const rest = raw.slice(5);
    fields = ['H', raw.slice(2, 5)];
    if (rest.length > 0) fields.push(...rest.slice(rest.startsWith(delimiters.field) ? 1 : 0).split(delimiters.field));
  } else {
    fields = raw.split(delimiters.field);
    fields[0] = type;
  }
  return { type, raw, fields, delimiters, offset };
}

/** Replaces escape sequences (&F& &S& &R& &E& &Xhh…&) in a field fragment. Unknown sequences are kept as sent. */
export function unescapeAstm(s: string, d: AstmDelimiters): string {
  const codes = new Map([
    ['F', d.field],
    ['S', d.component],
    ['R', d.repeat],
    ['E', d.escape],
  ]);
  return replaceEscapes(s, d.escape, (code) => codes.get(code));
}

/** Field n (1-based, as numbered by E1394) raw; '' when absent. */
export function astmField(record: AstmRecord, n: number): string {
  return record.fields[n - 1] ?? '';
}

/** Repeats of field n, each a list of unescaped components. */
export function astmRepeats(record: AstmRecord, n: number): string[][] {
  const raw = astmField(record, n);
  const d = record.delimiters;
  return raw.split(d.repeat).map((rep) => rep.split(d.component).map((c) => unescapeAstm(c, d)));
}

/** Components of the first repeat of field n, unescaped. */
export function astmComponents(record: AstmRecord, n: number): string[] {
  return astmRepeats(record, n)[0] ?? [''];
}

/** Field n as unescaped text, with repeat and component delimiters left in place. */
export function astmText(record: AstmRecord, n: number): string {
  const d = record.delimiters;
  return astmField(record, n)
    .split(d.repeat)
    .map((rep) =>
      rep
        .split(d.component)
        .map((c) => unescapeAstm(c, d))
        .join(d.component),
    )
    .join(d.repeat);
}

export interface AstmMessage {
  records: AstmRecord[];
  /** False when the message ended without an L record (new H, end of input). */
  complete: boolean;
  /** Absolute byte offset of the first record, as given by the caller. */
  offset: number;
}

export interface AstmAssemblerError {
  offset: number;
  message: string;
}

/**
 * Groups records into messages (H … L) across link-layer messages. Delimiters come from each H record.
 * Records before any H are parsed with the default delimiters and reported.
 */
export class AstmMessageAssembler {
  private delimiters: AstmDelimiters = DEFAULT_ASTM_DELIMITERS;
  private records: AstmRecord[] = [];
  private start = 0;
  private open = false;
  private readonly maxRecords: number;

  constructor(options: { maxRecordsPerMessage?: number } = {}) {
    this.maxRecords = options.maxRecordsPerMessage ?? 100_000;
  }

  /**
   * Feeds the text of one link-layer message (one or more CR-terminated records).
   * `offsetOf(index)` maps a char index in `text` to an absolute byte offset for error reports.
   */
  push(text: string, offsetOf: (index: number) => number): { messages: AstmMessage[]; errors: AstmAssemblerError[] } {
    const messages: AstmMessage[] = [];
    const errors: AstmAssemblerError[] = [];
    const re = /\r\n|\r|\n/g;
    let last = 0;
    const pieces: { raw: string; index: number }[] = [];
    for (let m = re.exec(text); m; m = re.exec(text)) {
      pieces.push({ raw: text.slice(last, m.index), index: last });
      last = m.index + m[0].length;
    }
    if (last < text.length) pieces.push({ raw: text.slice(last), index: last });

    for (const { raw, index } of pieces) {
      if (raw.trim() === '') continue;
      const offset = offsetOf(index);
      const type = (raw[0] ?? '').toUpperCase();
      if (type === 'H') {
        if (this.open) {
          errors.push({ offset: this.start, message: 'message ended without an L (terminator) record' });
          messages.push(this.close(false));
        }
        const d = delimitersFromHeader(raw);
        if (!d) errors.push({ offset, message: 'H record does not declare delimiters; using |\\^&' });
        this.delimiters = d ?? DEFAULT_ASTM_DELIMITERS;
        this.open = true;
        this.start = offset;
      } else if (!this.open) {
        errors.push({ offset, message: `${type || '?'} record outside a message (no H record before it)` });
        this.open = true;
        this.start = offset;
      }
      if (!(ASTM_RECORD_TYPES as readonly string[]).includes(type)) {
        errors.push({ offset, message: `unknown record type '${raw[0]}'` });
      }
      if (this.records.length >= this.maxRecords) {
        errors.push({ offset, message: `more than ${this.maxRecords} records in one message (record dropped)` });
        continue;
      }
      const record = parseAstmRecord(raw, this.delimiters, offset);
      this.records.push(record);
      if (type === 'L') messages.push(this.close(true));
    }
    return { messages, errors };
  }

  /** End of input: hands over an open message as incomplete. */
  finish(): { messages: AstmMessage[]; errors: AstmAssemblerError[] } {
    if (!this.open) return { messages: [], errors: [] };
    const errors = [{ offset: this.start, message: 'input ends before the L (terminator) record' }];
    return { messages: [this.close(false)], errors };
  }

  private close(complete: boolean): AstmMessage {
    const msg = { records: this.records, complete, offset: this.start };
    this.records = [];
    this.open = false;
    return msg;
  }
}
