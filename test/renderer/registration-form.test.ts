import { describe, expect, it } from 'vitest';
import { PatientRegistration } from '../../main/api';
import {
  EMPTY_REGISTRATION,
  REGISTRATION_FIELDS,
  registrationFormToInput,
  splitAllergies,
} from '../../renderer/forms/registration-form';
import { mapIssuesToFields } from '../../renderer/forms/field-errors';
import { validateWith } from '../../renderer/forms/validate';

describe('splitAllergies', () => {
  it('splits on lines, Latin and Arabic commas and semicolons, dropping blanks', () => {
    expect(splitAllergies('Penicillin, latex\n\n  بنسلين ، أسبرين؛ nuts ;')).toEqual([
      'Penicillin',
      'latex',
      'بنسلين',
      'أسبرين',
      'nuts',
    ]);
    expect(splitAllergies(' \n , ')).toEqual([]);
  });
});

describe('registrationFormToInput', () => {
  const ahmed = {
    ...EMPTY_REGISTRATION,
    givenName: 'أحمد',
    familyName: 'علي',
    sex: 'male' as const,
    birthDate: '1990-05-17',
  };

  it('gives a registration the contract accepts, with optional fields absent', () => {
    const input = registrationFormToInput(ahmed);
    expect(input).not.toHaveProperty('allergies');
    const parsed = PatientRegistration.parse(input);
    expect(parsed).toEqual({ givenName: 'أحمد', familyName: 'علي', sex: 'male', birthDate: '1990-05-17' });
  });

  it('sends the allergies as a list', () => {
    expect(registrationFormToInput({ ...ahmed, allergies: 'Penicillin\nبنسلين' }).allergies).toEqual([
      'Penicillin',
      'بنسلين',
    ]);
  });

  it('reports missing names and a bad phone next to their fields, in the chosen language', () => {
    const input = registrationFormToInput({ ...EMPTY_REGISTRATION, phone: '07x' });
    const errors = mapIssuesToFields(validateWith(PatientRegistration, input, 'هذا الحقل مطلوب'), REGISTRATION_FIELDS);
    expect(errors.fields.givenName).toBe('Given name is required');
    expect(errors.fields.familyName).toBe('Family name is required');
    expect(errors.fields.phone).toBe('Phone may contain only digits, spaces, +, ( ) and -');
    expect(errors.fields.birthDate).toBe('Birth date must be written YYYY-MM-DD');
    expect(errors.general).toEqual([]);
  });
});

describe('validateWith', () => {
  it('uses the given "required" text only where the schema has no message of its own', async () => {
    const { contract } = await import('../../main/api');
    const issues = validateWith(contract['auth.login'].input, { username: '', password: '' }, 'Required here');
    expect(issues).toEqual([
      { path: 'username', message: 'Required here' },
      { path: 'password', message: 'Required here' },
    ]);
  });
});
