// Byte ⇄ text helpers shared by the text protocols (ASTM, HL7, Masimo).

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decoded text and whether it was read as UTF-8 (else Latin-1, one char per byte). */
export interface DecodedText {
  text: string;
  utf8: boolean;
}

/** Decodes as UTF-8 when the bytes are valid UTF-8, else as Latin-1 (never throws). */
export function decodeText(bytes: Uint8Array): DecodedText {
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    if ((bytes[i] as number) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return { text: latin1(bytes), utf8: false };
  try {
    return { text: utf8.decode(bytes), utf8: true };
  } catch {
    return { text: latin1(bytes), utf8: false };
  }
}

/** One char per byte. */
export function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let s = '';
  const CHUNK = 8192;
  for (let i = start; i < end; i += CHUNK) {
    s += String.fromCharCode(...bytes.subarray(i, Math.min(end, i + CHUNK)));
  }
  return s;
}

/** Bytes of an ASCII/Latin-1 string (chars above 0xFF are replaced by '?'). */
export function asciiBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out[i] = c > 0xff ? 0x3f : c;
  }
  return out;
}

const utf8Encoder = new TextEncoder();

/** Byte offset of char index `index` in `text`, given how the text was decoded. */
export function byteOffsetOf(decoded: DecodedText, index: number): number {
  return decoded.utf8 ? utf8Encoder.encode(decoded.text.slice(0, index)).length : index;
}

/** Concatenates byte arrays. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A growable byte buffer with a hard capacity. `push` returns false (and keeps nothing) once full. */
export class BoundedBuffer {
  private buf: Uint8Array;
  private len = 0;

  constructor(readonly capacity: number) {
    this.buf = new Uint8Array(Math.min(capacity, 1024));
  }

  get length(): number {
    return this.len;
  }

  push(b: number): boolean {
    if (this.len >= this.capacity) return false;
    if (this.len === this.buf.length) {
      const next = new Uint8Array(Math.min(this.capacity, this.buf.length * 2));
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.len++] = b;
    return true;
  }

  /** Appends bytes; false (and nothing appended) if they do not fit. */
  append(bytes: Uint8Array): boolean {
    if (this.len + bytes.length > this.capacity) return false;
    if (this.len + bytes.length > this.buf.length) {
      let size = this.buf.length;
      while (size < this.len + bytes.length) size *= 2;
      const next = new Uint8Array(Math.min(this.capacity, size));
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
    }
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
    return true;
  }

  /** A copy of the content. */
  bytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  clear(): void {
    this.len = 0;
    if (this.buf.length > 65536) this.buf = new Uint8Array(1024);
  }
}

/** Parses a plain decimal number ('12', '-3.5', '.5', '1e3', ' 5.5 '); undefined otherwise. */
export function parseDecimal(s: string): number | undefined {
  const t = s.trim();
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** Splits a leading comparator off a numeric string ('<0.5', '>= 10'). */
export function parseComparedNumber(
  s: string,
): { value: number; comparator?: '<' | '>' | '<=' | '>=' | '=' | '<>' } | undefined {
  const t = s.trim();
  const m = /^(<=|>=|<>|<|>|=)\s*(.*)$/.exec(t);
  if (m) {
    const v = parseDecimal(m[2] as string);
    if (v === undefined) return undefined;
    return { value: v, comparator: m[1] as '<' | '>' | '<=' | '>=' | '=' | '<>' };
  }
  const v = parseDecimal(t);
  return v === undefined ? undefined : { value: v };
}

/**
 * Replaces escape sequences `<esc>code<esc>` in s, as both ASTM E1394 and HL7 v2 write
 * them. `decode(code)` returns the replacement, or undefined to keep the sequence as
 * sent; an unterminated escape is kept as sent too. `X` + hex pairs (a byte string)
 * is the same in both standards and decoded here.
 */
export function replaceEscapes(s: string, escape: string, decode: (code: string) => string | undefined): string {
  if (!s.includes(escape)) return s;
  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i] as string;
    if (c !== escape) {
      out += c;
      i++;
      continue;
    }
    const close = s.indexOf(escape, i + 1);
    if (close < 0) {
      out += s.slice(i);
      break;
    }
    const code = s.slice(i + 1, close);
    out += decode(code) ?? hexEscape(code) ?? s.slice(i, close + 1);
    i = close + 1;
  }
  return out;
}

function hexEscape(code: string): string | undefined {
  if (!/^X(?:[0-9A-Fa-f]{2})+$/.test(code)) return undefined;
  let out = '';
  for (let k = 1; k < code.length; k += 2) out += String.fromCharCode(parseInt(code.slice(k, k + 2), 16));
  return out;
}
