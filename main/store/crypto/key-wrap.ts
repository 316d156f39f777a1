// Wrapping secrets with XChaCha20-Poly1305. The database key is wrapped by a key
// derived from the passphrase (scrypt); private signing keys stored in the database
// are wrapped by a subkey of the database key, so a leaked SQL dump alone does not
// reveal them. AEAD means a wrong key is detected, never silently accepted.
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes } from 'node:crypto';
import { utf8 } from './encoding';

const NONCE_BYTES = 24;

/** Returns nonce ‖ ciphertext ‖ tag. `context` is bound as associated data. */
export function seal(key: Uint8Array, plaintext: Uint8Array, context: string): Uint8Array {
  const nonce = new Uint8Array(randomBytes(NONCE_BYTES));
  const ct = xchacha20poly1305(key, nonce, utf8(context)).encrypt(plaintext);
  const out = new Uint8Array(NONCE_BYTES + ct.length);
  out.set(nonce, 0);
  out.set(ct, NONCE_BYTES);
  return out;
}

/** Throws when the key is wrong or the box was altered. */
export function open(key: Uint8Array, box: Uint8Array, context: string): Uint8Array {
  if (box.length < NONCE_BYTES + 16) throw new Error('sealed box too short');
  return xchacha20poly1305(key, box.subarray(0, NONCE_BYTES), utf8(context)).decrypt(box.subarray(NONCE_BYTES));
}

/** A purpose-bound subkey of the database key (HKDF-SHA256). */
export function subkey(dataKey: Uint8Array, purpose: string): Uint8Array {
  return hkdf(sha256, dataKey, undefined, utf8(`sijill/${purpose}`), 32);
}
