// Small byte helpers shared by the Merkle modules. They accept `unknown` so the
// verifiers can screen input from outside before touching it.

/** Every hash in the log is a SHA-256 digest. */
export const HASH_LENGTH = 32;

/** True only for a real Uint8Array (Buffer included) of exactly 32 bytes. */
export function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === HASH_LENGTH;
}

/** Byte-wise equality. Hashes here are public, so no constant-time compare is needed. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return false;
  }
  return true;
}

/** A private copy of a hash. (Buffer's own slice() would return a view, not a copy.) */
export function copyHash(hash: Uint8Array): Uint8Array {
  return Uint8Array.prototype.slice.call(hash);
}
