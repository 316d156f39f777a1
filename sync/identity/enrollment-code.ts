// Enrollment codes: 10 random Crockford base32 characters (50 bits) and one check
// character, shown as "ABCDE-FGHJK-M" and in a QR payload. Crockford's alphabet has
// no I, L, O or U, and typing those is forgiven (I/L→1, O→0). The check character
// (Luhn mod 32) catches every single mistyped character and almost every swap of
// neighbours before the device bothers the network.
//
// The code never travels: both sides derive a MAC key from it with scrypt, and the
// joining device proves it knows the code by a MAC over its public key. scrypt makes
// an offline guess against an overheard request cost far more than the code's
// lifetime allows; the enrolling device also burns its codes after a few wrong tries.
import { scrypt } from '@noble/hashes/scrypt.js';
import { randomBytes, utf8 } from './bytes';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CODE_LENGTH = 10;

function luhn32(values: number[]): number {
  let sum = 0;
  let factor = 2;
  for (let i = values.length - 1; i >= 0; i--) {
    const addend = factor * values[i]!;
    sum += Math.floor(addend / 32) + (addend % 32);
    factor = factor === 2 ? 1 : 2;
  }
  return (32 - (sum % 32)) % 32;
}

/** A fresh code, with its check character, formatted for display. */
export function newEnrollmentCode(): string {
  const values = [...randomBytes(CODE_LENGTH)].map((b) => b & 31);
  const check = luhn32(values);
  const chars = [...values, check].map((v) => ALPHABET[v]!).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5, 10)}-${chars.slice(10)}`;
}

export class EnrollmentCodeError extends Error {
  override name = 'EnrollmentCodeError';
}

/** Accepts what a person types (any case, spaces or dashes, I/L/O); returns the 11 canonical characters. */
export function normalizeEnrollmentCode(input: string): string {
  const cleaned = input.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
  if (cleaned.length !== CODE_LENGTH + 1)
    throw new EnrollmentCodeError(`an enrollment code has ${CODE_LENGTH + 1} characters`);
  const values = [...cleaned].map((c) => ALPHABET.indexOf(c));
  if (values.some((v) => v < 0))
    throw new EnrollmentCodeError('the enrollment code contains a character that is not used in codes');
  if (luhn32(values.slice(0, CODE_LENGTH)) !== values[CODE_LENGTH]) {
    throw new EnrollmentCodeError('the enrollment code has a typing mistake (check character does not match)');
  }
  return cleaned;
}

/** The MAC key both sides derive from the code (scrypt, N=2^14: ~50 ms once per enrollment). */
export function enrollmentCodeKey(code: string): Uint8Array {
  return scrypt(utf8(normalizeEnrollmentCode(code)), utf8('sijill/enroll-code/v1'), {
    N: 1 << 14,
    r: 8,
    p: 1,
    dkLen: 32,
  });
}

/** A fresh opaque id for the host's pending-code row. */
export const newCodeId = (): string => Buffer.from(randomBytes(12)).toString('hex');
