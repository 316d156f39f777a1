// A device's identity: an Ed25519 key pair (the same device key the host already
// keeps sealed in its database) plus the device id the clinic roster knows it by.
// The private key never leaves this object; callers get sign() and unseal() only.
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { randomBytes } from './bytes';
import { openSealed } from './sealed-box';

export interface DeviceIdentity {
  readonly deviceId: string;
  /** Ed25519 public key, 32 bytes. */
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
  /** Opens a box sealed to this device's key (see sealToDevice); throws when altered or not ours. */
  unseal(box: Uint8Array, context: string, aad?: Uint8Array): Uint8Array;
}

const DEVICE_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export function assertDeviceId(id: string): void {
  if (!DEVICE_ID.test(id)) throw new TypeError('device id must be 1–64 characters of [A-Za-z0-9._:-]');
}

/** Wraps the host's stored 32-byte Ed25519 seed. */
export function deviceIdentityFromSeed(deviceId: string, seed: Uint8Array): DeviceIdentity {
  assertDeviceId(deviceId);
  if (seed.length !== 32) throw new TypeError('Ed25519 seed must be 32 bytes');
  const secret = new Uint8Array(seed);
  const publicKey = ed25519.getPublicKey(secret);
  // The Montgomery form of the same key receives sealed secrets (the clinic key at
  // enrollment) without a second key pair to store and enroll.
  const xSecret = ed25519.utils.toMontgomerySecret(secret);
  return {
    deviceId,
    publicKey,
    sign: (message) => ed25519.sign(message, secret),
    unseal: (box, context, aad) => openSealed(xSecret, box, context, aad),
  };
}

/** A new identity; the host stores `seed` sealed, as it does its device key today. */
export function generateDeviceIdentity(deviceId: string): { identity: DeviceIdentity; seed: Uint8Array } {
  const seed = randomBytes(32);
  return { identity: deviceIdentityFromSeed(deviceId, seed), seed };
}

/** Never throws: malformed keys or signatures are simply invalid. */
export function verifySignature(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    return publicKey.length === 32 && signature.length === 64 && ed25519.verify(signature, message, publicKey);
  } catch {
    return false;
  }
}

/** The X25519 form of a device's Ed25519 public key, to seal secrets to it. */
export const deviceX25519PublicKey = (edPublicKey: Uint8Array): Uint8Array => ed25519.utils.toMontgomery(edPublicKey);

/** The clinic's encryption key pair (bundles are encrypted to it; every enrolled device holds the secret). */
export function generateClinicKey(): { secretKey: Uint8Array; publicKey: Uint8Array } {
  const secretKey = randomBytes(32);
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
}

export const clinicPublicKeyOf = (secretKey: Uint8Array): Uint8Array => x25519.getPublicKey(secretKey);
