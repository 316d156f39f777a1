import { describe, expect, it } from 'vitest';
import { parseRoute, routeHash } from '../../renderer/app/routes';
import { ageAt } from '../../renderer/format/age';
import { fullName } from '../../renderer/format/names';

describe('hash routes', () => {
  it('reads the eight screens and falls back to the patient list', () => {
    expect(parseRoute('#/patients')).toEqual({ screen: 'patients' });
    expect(parseRoute('#/patients/p%2F1')).toEqual({ screen: 'chart', patientId: 'p/1' });
    expect(parseRoute('#/register')).toEqual({ screen: 'register' });
    expect(parseRoute('#/admin')).toEqual({ screen: 'admin' });
    expect(parseRoute('#/ledger')).toEqual({ screen: 'ledger' });
    expect(parseRoute('#/verify')).toEqual({ screen: 'verify' });
    expect(parseRoute('#/verify/extra')).toEqual({ screen: 'patients' });
    expect(parseRoute('#/devices')).toEqual({ screen: 'devices' });
    expect(parseRoute('#/lab-inbox')).toEqual({ screen: 'lab-inbox' });
    expect(parseRoute('#/devices/c1')).toEqual({ screen: 'patients' });
    expect(parseRoute('')).toEqual({ screen: 'patients' });
    expect(parseRoute('#/patients/a/b')).toEqual({ screen: 'patients' });
    expect(parseRoute('#/patients/%E0%A4%A')).toEqual({ screen: 'patients' });
  });

  it('writes what it reads', () => {
    for (const route of [
      { screen: 'patients' },
      { screen: 'chart', patientId: 'id with/slash' },
      { screen: 'register' },
      { screen: 'admin' },
      { screen: 'ledger' },
      { screen: 'verify' },
      { screen: 'devices' },
      { screen: 'lab-inbox' },
    ] as const) {
      expect(parseRoute(routeHash(route))).toEqual(route);
    }
  });
});

describe('ageAt', () => {
  const now = new Date(2025, 5, 15); // 15 June 2025, local time

  it('counts whole years from two years on, the day of the birthday included', () => {
    expect(ageAt('1980-06-15', now)).toEqual({ value: 45, unit: 'years' });
    expect(ageAt('1980-06-16', now)).toEqual({ value: 44, unit: 'years' });
    expect(ageAt('2023-06-15', now)).toEqual({ value: 2, unit: 'years' });
  });

  it('counts months under two years and days under a month', () => {
    expect(ageAt('2023-06-16', now)).toEqual({ value: 23, unit: 'months' });
    expect(ageAt('2025-05-15', now)).toEqual({ value: 1, unit: 'months' });
    expect(ageAt('2025-06-01', now)).toEqual({ value: 14, unit: 'days' });
  });

  it('has no age for a future or malformed date', () => {
    expect(ageAt('2025-06-16', now)).toBeUndefined();
    expect(ageAt('15/06/1980', now)).toBeUndefined();
  });
});

describe('fullName', () => {
  it("writes given, father's and family name, skipping a missing father's name", () => {
    expect(fullName({ givenName: 'أحمد', fatherName: 'محمد', familyName: 'علي' })).toBe('أحمد محمد علي');
    expect(fullName({ givenName: 'أحمد', fatherName: null, familyName: 'علي' })).toBe('أحمد علي');
  });
});
