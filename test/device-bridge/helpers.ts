// Shared helpers for device-bridge tests.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** GPL-labelled captures are read in place from ../shared (never copied into the repo). */
export const SHARED_FIXTURES = path.resolve(here, '../../../shared/fixtures');
export const REPO_FIXTURES = path.resolve(here, '../fixtures');

export function sharedFixture(rel: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(SHARED_FIXTURES, rel)));
}

export function repoFixture(rel: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(REPO_FIXTURES, rel)));
}

export const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Splits bytes at the given cut points (any numbers; clamped, sorted, de-duplicated). */
export function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => Math.max(0, Math.min(bytes.length, Math.floor(c)))))].sort(
    (a, b) => a - b,
  );
  const chunks: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(bytes.subarray(prev, p));
    prev = p;
  }
  return chunks;
}

/** JSON-comparable form of framer events / items (typed arrays → plain arrays). */
export function plain(x: unknown): unknown {
  return JSON.parse(
    JSON.stringify(x, (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v)),
  );
}

/** Feeds chunks to anything with push/finish and returns all events. */
export function feed<E>(framer: { push(c: Uint8Array): E[]; finish?(): E[] }, chunks: readonly Uint8Array[]): E[] {
  const events: E[] = [];
  for (const c of chunks) events.push(...framer.push(c));
  if (framer.finish) events.push(...framer.finish());
  return events;
}

/**
 * Independent reading of an ASTM capture, for checking the decoder: strips the link layer with a regex
 * (STX FN text ETB|ETX checksum), joins frame texts, splits records on CR, returns the R records split on '|'.
 */
export function rRecordsByRegex(bytes: Uint8Array): string[][] {
  const text = String.fromCharCode(...bytes);
  let joined = '';
  // STX FN text ETB|ETX C1 C2, written with explicit code points
  const frameRe = new RegExp(
    `${String.fromCharCode(2)}[0-7]([\\s\\S]*?)[${String.fromCharCode(3, 0x17)}][0-9A-F]{2}`,
    'g',
  );
  for (const m of text.matchAll(frameRe)) joined += m[1];
  return joined
    .split('\r')
    .filter((r) => r.startsWith('R|'))
    .map((r) => r.split('|'));
}
