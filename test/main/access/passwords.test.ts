// Password hashing: scrypt with the parameters stored in the hash.
import { scrypt } from '@noble/hashes/scrypt.js';
import { describe, expect, it } from 'vitest';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../../../main/access/passwords';

describe('hashPassword / verifyPassword', () => {
  it('hashes to scrypt$N$r$p$salt$hash and verifies only the right password', async () => {
    const stored = await hashPassword('S3cure pass!');
    const parts = stored.split('$');
    expect(parts).toHaveLength(6);
    expect(parts.slice(0, 4)).toEqual(['scrypt', '32768', '8', '1']);
    expect(Buffer.from(parts[4]!, 'base64')).toHaveLength(16);
    expect(Buffer.from(parts[5]!, 'base64')).toHaveLength(32);
    expect(stored).not.toContain('S3cure');
    expect(await verifyPassword('S3cure pass!', stored)).toBe(true);
    expect(await verifyPassword('S3cure pass?', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('salts every hash: the same password hashes differently', async () => {
    const [a, b] = await Promise.all([hashPassword('same password'), hashPassword('same password')]);
    expect(a).not.toBe(b);
    expect(a.split('$')[4]).not.toBe(b.split('$')[4]);
  });

  it('normalises to NFC: a composed and a decomposed é are the same password', async () => {
    const stored = await hashPassword('caf\u00e9-password');
    expect(await verifyPassword('cafe\u0301-password', stored)).toBe(true);
  });

  it('reads the parameters from the stored hash (cheaper old hashes keep working)', async () => {
    const salt = Buffer.alloc(16, 7);
    const hash = scrypt('old password', salt, { N: 1024, r: 8, p: 1, dkLen: 32 });
    const stored = ['scrypt', 1024, 8, 1, salt.toString('base64'), Buffer.from(hash).toString('base64')].join('$');
    expect(await verifyPassword('old password', stored)).toBe(true);
    expect(await verifyPassword('old passwore', stored)).toBe(false);
  });

  it('refuses malformed stored values instead of throwing', async () => {
    for (const bad of [
      '',
      'scrypt',
      'bcrypt$10$8$1$c2FsdA==$aGFzaA==',
      'scrypt$$8$1$c2FsdA==$aGFzaA==',
      'scrypt$1024$8$1$c2FsdA==$',
    ]) {
      expect(await verifyPassword('anything', bad), bad).toBe(false);
    }
  });

  it('the dummy hash (used for unknown users) is well-formed and matches no ordinary password', async () => {
    expect(DUMMY_PASSWORD_HASH.split('$').slice(0, 4)).toEqual(['scrypt', '32768', '8', '1']);
    expect(await verifyPassword('password', DUMMY_PASSWORD_HASH)).toBe(false);
  });
});
