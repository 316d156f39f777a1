// Medical record numbers issued offline: <device prefix>-<counter><check digit>.
// The prefix is random per device (5 of 25 letters/digits), the counter local, so
// devices never need to coordinate; the Luhn check digit catches most typing errors.
import type { Db } from '../database';
import { requireMeta, setMeta } from '../repositories/meta';

export function luhnCheckDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

export function isValidMrn(mrn: string): boolean {
  const m = /^[A-Z0-9]{5}-(\d{6,})(\d)$/.exec(mrn);
  return !!m && luhnCheckDigit(m[1]!) === Number(m[2]);
}

/** Takes the next number; must run inside a write transaction. */
export function issueMrn(db: Db): string {
  const prefix = requireMeta(db, 'mrn.prefix');
  const next = Number(requireMeta(db, 'mrn.next'));
  setMeta(db, 'mrn.next', String(next + 1));
  const counter = String(next).padStart(6, '0');
  return `${prefix}-${counter}${luhnCheckDigit(counter)}`;
}
