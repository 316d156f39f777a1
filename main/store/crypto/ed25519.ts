// Ed25519 signing keys for users and the device. We use node:crypto rather than
// @noble/curves here: the host signs every entry and verifies every signature when
// a chart opens, and the native implementation is ~20x faster. Signatures are
// standard Ed25519, so @noble/curves (used by offline verifiers) checks them too.
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

export interface Ed25519KeyPair {
  /** 32-byte seed */
  privateKey: Uint8Array;
  /** 32-byte public key */
  publicKey: Uint8Array;
}

const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function generateEd25519(): Ed25519KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length);
  const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
  return { privateKey: new Uint8Array(seed), publicKey: new Uint8Array(pub) };
}

function privateKeyObject(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new TypeError('Ed25519 private key must be 32 bytes');
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

const publicKeyCache = new Map<string, KeyObject>();
function publicKeyObject(pub: Uint8Array): KeyObject | null {
  if (pub.length !== 32) return null;
  const id = Buffer.from(pub).toString('hex');
  let key = publicKeyCache.get(id);
  if (!key) {
    try {
      key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, pub]), format: 'der', type: 'spki' });
    } catch {
      return null;
    }
    if (publicKeyCache.size > 10_000) publicKeyCache.clear();
    publicKeyCache.set(id, key);
  }
  return key;
}

export function signEd25519(seed: Uint8Array, message: Uint8Array): Uint8Array {
  return new Uint8Array(sign(null, message, privateKeyObject(seed)));
}

/**
 * A signing function with the key prepared once. Importing a key derives its
 * public point (a scalar multiplication), which costs more than the signature.
 */
export function ed25519Signer(seed: Uint8Array): (message: Uint8Array) => Uint8Array {
  const key = privateKeyObject(seed);
  return (message) => new Uint8Array(sign(null, message, key));
}

/** Never throws: a malformed key or signature simply does not verify. */
export function verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const key = publicKeyObject(publicKey);
  if (!key || signature.length !== 64) return false;
  try {
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}

export function publicKeyFromSeed(seed: Uint8Array): Uint8Array {
  const pub = createPublicKey(privateKeyObject(seed)).export({ format: 'der', type: 'spki' });
  return new Uint8Array(pub.subarray(SPKI_PREFIX.length));
}
