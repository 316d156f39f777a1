// The registration form's text fields → patients.register parameters.
import type { PatientRegistration } from '../../main/api';

export type Sex = PatientRegistration['sex'];
export const SEXES: readonly Sex[] = ['female', 'male', 'other', 'unknown'];

export interface RegistrationFormValues {
  givenName: string;
  fatherName: string;
  familyName: string;
  latinName: string;
  sex: Sex;
  birthDate: string;
  phone: string;
  nationalId: string;
  address: string;
  allergies: string;
}

export const REGISTRATION_FIELDS = [
  'givenName',
  'fatherName',
  'familyName',
  'latinName',
  'sex',
  'birthDate',
  'phone',
  'nationalId',
  'address',
  'allergies',
] as const satisfies readonly (keyof RegistrationFormValues)[];

export const EMPTY_REGISTRATION: RegistrationFormValues = {
  givenName: '',
  fatherName: '',
  familyName: '',
  latinName: '',
  sex: 'unknown',
  birthDate: '',
  phone: '',
  nationalId: '',
  address: '',
  allergies: '',
};

/** One allergy per line or between commas (Latin or Arabic comma, or semicolon). */
export function splitAllergies(text: string): string[] {
  return text
    .split(/[\n,،;؛]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Empty optional fields may stay '' (the schema turns them into "absent"); an empty allergy list is left out. */
export function registrationFormToInput(values: RegistrationFormValues): PatientRegistration {
  const allergies = splitAllergies(values.allergies);
  const input: PatientRegistration = {
    givenName: values.givenName,
    fatherName: values.fatherName,
    familyName: values.familyName,
    latinName: values.latinName,
    sex: values.sex,
    birthDate: values.birthDate,
    phone: values.phone,
    nationalId: values.nationalId,
    address: values.address,
  };
  if (allergies.length > 0) input.allergies = allergies;
  return input;
}
