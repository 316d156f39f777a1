// Byte helpers shared by sync/: encodings, constant-time comparison, and an
// unambiguous framing for anything that is hashed or signed. Framing matters:
// signing plain concatenations would let "ab"+"c" and "a"+"bc" collide.
import { bytesToHex, concatBytes, hexToBytes, randomBytes, utf8ToBytes } from '@noble/hashes/utils.js';

export { concatBytes, randomBytes };

export const utf8 = (s: string): Uint8Array => utf8ToBytes(s);
export const fromUtf8 = (b: Uint8Array): string => new TextDecoder('utf-8', { fatal: true }).decode(b);
export const toHex = (b: Uint8Array): string => bytesToHex(b);
export const fromHex = (s: string): Uint8Array => hexToBytes(s);
export const toB64u = (b: Uint8Array): string => Buffer.from(b).toString('base64url');

export function fromB64u(s: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) throw new TypeError('not base64url');
  return new Uint8Array(Buffer.from(s, 'base64url'));
}

/** Constant-time for equal lengths; lengths are never secret here. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Each part as u32-BE length ‖ bytes; strings are UTF-8. */
export function framed(...parts: (Uint8Array | string)[]): Uint8Array {
  const bytes = parts.map((p) => (typeof p === 'string' ? utf8(p) : p));
  const out = new Uint8Array(bytes.reduce((n, b) => n + 4 + b.length, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const b of bytes) {
    view.setUint32(at, b.length);
    out.set(b, at + 4);
    at += 4 + b.length;
  }
  return out;
}

/** A plain Uint8Array copy: cbor-x hands back Buffers, which compare and serialise differently. */
export const plain = (b: Uint8Array): Uint8Array => new Uint8Array(b);
