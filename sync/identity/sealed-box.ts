// Sealing to an X25519 public key: a fresh ephemeral key per box, ECDH, HKDF-SHA256,
// XChaCha20-Poly1305. Used for the clinic key at enrollment and for bundle payloads.
// The context string separates purposes, so a box made for one can never be opened
// as the other; optional associated data binds the box to its surrounding header.
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, randomBytes, utf8 } from './bytes';

const EPH = 32;
const NONCE = 24;
const TAG = 16;

function boxKey(shared: Uint8Array, eph: Uint8Array, recipient: Uint8Array, context: string): Uint8Array {
  // An all-zero secret means a low-order public key was supplied: refuse rather than encrypt under a known key.
  if (shared.every((b) => b === 0)) throw new Error('invalid X25519 public key');
  return hkdf(sha256, shared, concatBytes(eph, recipient), utf8(`sijill/sealed-box/v1/${context}`), 32);
}

/** Returns ephemeral public key ‖ nonce ‖ ciphertext ‖ tag. */
export function sealTo(
  recipientPublic: Uint8Array,
  plaintext: Uint8Array,
  context: string,
  aad?: Uint8Array,
): Uint8Array {
  const ephSecret = randomBytes(32);
  const eph = x25519.getPublicKey(ephSecret);
  const key = boxKey(x25519.getSharedSecret(ephSecret, recipientPublic), eph, recipientPublic, context);
  const nonce = randomBytes(NONCE);
  return concatBytes(eph, nonce, xchacha20poly1305(key, nonce, aad).encrypt(plaintext));
}

/** Throws when the box was altered, was sealed to another key, or under another context/aad. */
export function openSealed(
  recipientSecret: Uint8Array,
  box: Uint8Array,
  context: string,
  aad?: Uint8Array,
): Uint8Array {
  if (box.length < EPH + NONCE + TAG) throw new Error('sealed box too short');
  const eph = box.subarray(0, EPH);
  const recipient = x25519.getPublicKey(recipientSecret);
  const key = boxKey(x25519.getSharedSecret(recipientSecret, eph), eph, recipient, context);
  return xchacha20poly1305(key, box.subarray(EPH, EPH + NONCE), aad).decrypt(box.subarray(EPH + NONCE));
}
