// Medical record numbers: Luhn check digit, issuing, validation.
import { describe, expect, it } from 'vitest';
import { isValidMrn, issueMrn, luhnCheckDigit } from '../../../main/store/charts/mrn';
import type { Db } from '../../../main/store/database';
import { getMeta, setMeta } from '../../../main/store/repositories/meta';
import { openTestDb } from '../../helpers/store';

/** Independent reference: a number with its check digit appended is Luhn-valid. */
function luhnValid(full: string): boolean {
  let sum = 0;
  [...full].reverse().forEach((c, i) => {
    let d = Number(c);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  });
  return sum % 10 === 0;
}

function dbWithCounter(prefix: string, next: number): Db {
  const { db } = openTestDb();
  setMeta(db, 'mrn.prefix', prefix);
  setMeta(db, 'mrn.next', String(next));
  return db;
}

describe('luhnCheckDigit', () => {
  it('computes known check digits', () => {
    expect(luhnCheckDigit('7992739871')).toBe(3); // the textbook example
    expect(luhnCheckDigit('453914880343646')).toBe(7); // 4539 1488 0343 6467, a valid test card number
    expect(luhnCheckDigit('000000')).toBe(0);
    expect(luhnCheckDigit('000001')).toBe(8);
    expect(luhnCheckDigit('123456')).toBe(6);
    expect(luhnCheckDigit('999999')).toBe(6);
    expect(luhnCheckDigit('')).toBe(0);
  });

  it('agrees with an independent Luhn validator for many numbers', () => {
    for (let n = 0; n < 5000; n += 7) {
      const digits = String(n * 7919).padStart(6, '0');
      const check = luhnCheckDigit(digits);
      expect(check).toBeGreaterThanOrEqual(0);
      expect(check).toBeLessThanOrEqual(9);
      expect(luhnValid(`${digits}${check}`), digits).toBe(true);
      expect(luhnValid(`${digits}${(check + 1) % 10}`), digits).toBe(false);
    }
  });
});

describe('issueMrn', () => {
  it('issues <prefix>-<6-digit counter><check digit> and advances the counter', () => {
    const db = dbWithCounter('ACDEF', 1);
    const mrn = db.transaction(() => issueMrn(db))();
    expect(mrn).toBe('ACDEF-0000018');
    expect(getMeta(db, 'mrn.next')).toBe('2');
    expect(db.transaction(() => issueMrn(db))()).toBe('ACDEF-0000026');
  });

  it('issues unique, valid MRNs across many issues', () => {
    const db = dbWithCounter('K7Q3X', 1);
    const issued = db.transaction(() => Array.from({ length: 1500 }, () => issueMrn(db)))();
    expect(new Set(issued).size).toBe(1500);
    for (const mrn of issued) {
      expect(isValidMrn(mrn), mrn).toBe(true);
      expect(mrn.startsWith('K7Q3X-')).toBe(true);
    }
    expect(getMeta(db, 'mrn.next')).toBe('1501');
  });

  it('keeps working past 999999 (the counter grows a digit)', () => {
    const db = dbWithCounter('ACDEF', 999_999);
    const [a, b] = db.transaction(() => [issueMrn(db), issueMrn(db)])();
    expect(a).toBe(`ACDEF-999999${luhnCheckDigit('999999')}`);
    expect(b).toBe(`ACDEF-1000000${luhnCheckDigit('1000000')}`);
    expect(isValidMrn(a!)).toBe(true);
    expect(isValidMrn(b!)).toBe(true);
  });

  it('does not advance the counter when the transaction rolls back', () => {
    const db = dbWithCounter('ACDEF', 5);
    expect(() =>
      db.transaction(() => {
        issueMrn(db);
        throw new Error('registration failed');
      })(),
    ).toThrow('registration failed');
    expect(getMeta(db, 'mrn.next')).toBe('5');
  });

  it('fails clearly when the device has no MRN prefix', () => {
    const { db } = openTestDb();
    expect(() => issueMrn(db)).toThrow(/mrn\.prefix/);
  });
});

describe('isValidMrn', () => {
  it('rejects every single-digit typo in the number', () => {
    const db = dbWithCounter('ACDEF', 1);
    const samples = db.transaction(() => Array.from({ length: 40 }, () => issueMrn(db)))();
    samples.push(`ACDEF-482735${luhnCheckDigit('482735')}`);
    for (const mrn of samples) {
      expect(isValidMrn(mrn)).toBe(true);
      const dash = mrn.indexOf('-');
      for (let i = dash + 1; i < mrn.length; i++) {
        for (let d = 0; d <= 9; d++) {
          if (String(d) === mrn[i]) continue;
          const typo = `${mrn.slice(0, i)}${d}${mrn.slice(i + 1)}`;
          expect(isValidMrn(typo), typo).toBe(false);
        }
      }
    }
  });

  it('rejects most swaps of adjacent digits', () => {
    const mrn = `ACDEF-482735${luhnCheckDigit('482735')}`;
    expect(isValidMrn(mrn)).toBe(true);
    const digits = mrn.slice(6);
    for (let i = 0; i + 1 < digits.length; i++) {
      if (digits[i] === digits[i + 1]) continue;
      const swapped = `ACDEF-${digits.slice(0, i)}${digits[i + 1]}${digits[i]}${digits.slice(i + 2)}`;
      expect(isValidMrn(swapped), swapped).toBe(false);
    }
  });

  it('rejects malformed values', () => {
    const good = `ACDEF-000001${luhnCheckDigit('000001')}`;
    expect(isValidMrn(good)).toBe(true);
    for (const bad of [
      '',
      'ACDEF',
      'ACDEF-',
      'acdef-0000018',
      'ACDE-0000018',
      'ACDEFG-0000018',
      'ACDEF0000018',
      'ACDEF-000018',
      'ACDEF-00000a8',
      ` ${good}`,
      `${good} `,
    ]) {
      expect(isValidMrn(bad), bad).toBe(false);
    }
  });
});
