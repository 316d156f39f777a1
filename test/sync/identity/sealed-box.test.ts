// Sealing to X25519 keys (clinic key at enrollment, bundle payloads), and device keys.
import { describe, expect, it } from 'vitest';
import {
  deviceIdentityFromSeed,
  deviceX25519PublicKey,
  generateClinicKey,
  generateDeviceIdentity,
  openSealed,
  sealTo,
  verifySignature,
} from '../../../sync';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('sealed boxes', () => {
  it('open only with the right key, context and associated data, and unaltered', () => {
    const k = generateClinicKey();
    const box = sealTo(k.publicKey, bytes('secret'), 'ctx', bytes('hdr'));
    expect(new TextDecoder().decode(openSealed(k.secretKey, box, 'ctx', bytes('hdr')))).toBe('secret');
    expect(() => openSealed(generateClinicKey().secretKey, box, 'ctx', bytes('hdr'))).toThrow();
    expect(() => openSealed(k.secretKey, box, 'other', bytes('hdr'))).toThrow();
    expect(() => openSealed(k.secretKey, box, 'ctx', bytes('hdx'))).toThrow();
    for (const at of [0, 40, box.length - 1]) {
      const bad = new Uint8Array(box);
      bad[at]! ^= 1;
      expect(() => openSealed(k.secretKey, bad, 'ctx', bytes('hdr'))).toThrow();
    }
    expect(() => sealTo(new Uint8Array(32), bytes('x'), 'ctx')).toThrow(); // low-order key
  });

  it('a device receives boxes sealed to its Ed25519 key; signatures verify and never throw', () => {
    const { identity, seed } = generateDeviceIdentity('dev-1');
    const box = sealTo(deviceX25519PublicKey(identity.publicKey), bytes('clinic key'), 'c');
    expect(new TextDecoder().decode(identity.unseal(box, 'c'))).toBe('clinic key');
    const same = deviceIdentityFromSeed('dev-1', seed);
    expect(Array.from(same.publicKey)).toEqual(Array.from(identity.publicKey));
    const sig = identity.sign(bytes('m'));
    expect(verifySignature(identity.publicKey, bytes('m'), sig)).toBe(true);
    expect(verifySignature(identity.publicKey, bytes('n'), sig)).toBe(false);
    expect(verifySignature(new Uint8Array(3), bytes('m'), sig)).toBe(false);
    expect(() => deviceIdentityFromSeed('bad id!', seed)).toThrow(/device id/);
  });
});
