// Ed25519 keys for C2SP signed notes: key ids, signers, verifiers, and the
// verifier key string "<name>+<hex key id>+<base64(0x01 ‖ public key)>".
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { decodeBase64, encodeBase64 } from './base64';
import { isValidKeyName } from './note-syntax';
import { fail, type NoteResult } from './result';

/** Signature type byte assigned to Ed25519 by the signed-note spec. */
export const ED25519_SIGNATURE_TYPE = 0x01;
const ED25519_KEY_LENGTH = 32;

/** Signs note text under a key name. */
export interface NoteSigner {
  readonly name: string;
  /** uint32 key id, written big-endian before each signature. */
  readonly keyId: number;
  sign(message: Uint8Array): Uint8Array;
}

/** Checks signatures by one trusted key. */
export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  readonly publicKey: Uint8Array;
  /** Never throws: a malformed signature is simply false. */
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

/** key id = first 4 bytes (big-endian) of SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ public key). */
export function ed25519KeyId(name: string, publicKey: Uint8Array): number {
  const nameBytes = new TextEncoder().encode(name);
  const input = new Uint8Array(nameBytes.length + 2 + publicKey.length);
  input.set(nameBytes, 0);
  input[nameBytes.length] = 0x0a;
  input[nameBytes.length + 1] = ED25519_SIGNATURE_TYPE;
  input.set(publicKey, nameBytes.length + 2);
  const digest = sha256(input);
  return new DataView(digest.buffer, digest.byteOffset, 4).getUint32(0, false);
}

/** Eight lowercase hex digits, as key ids appear in verifier keys. */
export function formatKeyId(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}

/** A signer from a 32-byte Ed25519 secret key (the RFC 8032 seed). Throws on bad input. */
export function ed25519NoteSigner(name: string, secretKey: Uint8Array): NoteSigner {
  if (!isValidKeyName(name)) throw new TypeError(`invalid key name ${JSON.stringify(name)}: no spaces or "+"`);
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== ED25519_KEY_LENGTH) {
    throw new TypeError('an Ed25519 secret key is exactly 32 bytes');
  }
  const seed = Uint8Array.from(secretKey);
  const keyId = ed25519KeyId(name, ed25519.getPublicKey(seed));
  return { name, keyId, sign: (message) => ed25519.sign(message, seed) };
}

/** A verifier from a key name and a 32-byte Ed25519 public key. Throws on bad input. */
export function ed25519NoteVerifier(name: string, publicKey: Uint8Array): NoteVerifier {
  if (!isValidKeyName(name)) throw new TypeError(`invalid key name ${JSON.stringify(name)}: no spaces or "+"`);
  if (!isEd25519PublicKey(publicKey)) throw new TypeError('not a valid 32-byte Ed25519 public key');
  const key = Uint8Array.from(publicKey);
  return {
    name,
    keyId: ed25519KeyId(name, key),
    publicKey: key,
    verify(message, signature) {
      try {
        // zip215: false is RFC 8032 / FIPS 186-5 verification: canonical encodings
        // only, so a signature cannot be re-encoded into a second valid one.
        return signature.length === 64 && ed25519.verify(signature, message, key, { zip215: false });
      } catch {
        return false;
      }
    },
  };
}

/** "<name>+<hex key id>+<base64(0x01 ‖ public key)>", the form operators copy around. */
export function formatVerifierKey(name: string, publicKey: Uint8Array): string {
  const verifier = ed25519NoteVerifier(name, publicKey);
  const typed = new Uint8Array(1 + ED25519_KEY_LENGTH);
  typed[0] = ED25519_SIGNATURE_TYPE;
  typed.set(verifier.publicKey, 1);
  return `${name}+${formatKeyId(verifier.keyId)}+${encodeBase64(typed)}`;
}

/** Parses a verifier key string; checks the key id against the key. Never throws. */
export function parseVerifierKey(verifierKey: string): NoteResult<NoteVerifier> {
  if (typeof verifierKey !== 'string') return fail('MALFORMED_VERIFIER_KEY', 'a verifier key is a string');
  // The base64 part may itself contain "+", so split at the first two only.
  const first = verifierKey.indexOf('+');
  const second = first < 0 ? -1 : verifierKey.indexOf('+', first + 1);
  if (second < 0) {
    return fail('MALFORMED_VERIFIER_KEY', 'expected <name>+<8 hex digit key id>+<base64 key>');
  }
  const name = verifierKey.slice(0, first);
  const keyIdHex = verifierKey.slice(first + 1, second);
  const material = decodeBase64(verifierKey.slice(second + 1));
  if (!isValidKeyName(name)) return fail('MALFORMED_VERIFIER_KEY', `invalid key name ${JSON.stringify(name)}`);
  if (!/^[0-9a-fA-F]{8}$/.test(keyIdHex)) {
    return fail('MALFORMED_VERIFIER_KEY', `key id ${JSON.stringify(keyIdHex)} is not 8 hex digits`);
  }
  if (!material || material.length === 0) return fail('MALFORMED_VERIFIER_KEY', 'the key is not canonical base64');
  if (material[0] !== ED25519_SIGNATURE_TYPE) {
    return fail('MALFORMED_VERIFIER_KEY', `unsupported signature type 0x${(material[0] as number).toString(16)}`);
  }
  const publicKey = material.subarray(1);
  if (!isEd25519PublicKey(publicKey)) {
    return fail('MALFORMED_VERIFIER_KEY', 'the key is not a valid 32-byte Ed25519 public key');
  }
  const verifier = ed25519NoteVerifier(name, publicKey);
  if (verifier.keyId !== Number.parseInt(keyIdHex, 16)) {
    return fail(
      'MALFORMED_VERIFIER_KEY',
      `key id ${keyIdHex} does not match the key (expected ${formatKeyId(verifier.keyId)})`,
    );
  }
  return { ok: true, value: verifier };
}

function isEd25519PublicKey(key: unknown): key is Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== ED25519_KEY_LENGTH) return false;
  try {
    return ed25519.utils.isValidPublicKey(key, false);
  } catch {
    return false;
  }
}
