// SHA-256 in the host. node:crypto (OpenSSL) rather than @noble/hashes: it runs on
// every entry and audit record, where the native code is several times faster.
// Offline verifiers in other environments use @noble/hashes; the digests are equal.
import { hash } from 'node:crypto';

// One-shot hash(): no Hash object per call. A plain Uint8Array copy, not a Buffer.
export const sha256 = (data: Uint8Array | string): Uint8Array => new Uint8Array(hash('sha256', data, 'buffer'));
