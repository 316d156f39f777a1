// The vital-signs form works on text (what the nurse typed); the API wants numbers.
import { CONSCIOUSNESS, VitalSigns, type VitalSignsInput } from '../../main/api';
import type { Issue } from '../api/issues';
import { parseDecimal } from './numbers';
import { validateWith } from './validate';

export const VITAL_NUMBER_FIELDS = [
  'temperatureC',
  'heartRate',
  'respiratoryRate',
  'systolic',
  'diastolic',
  'spo2',
] as const;
export type VitalNumberField = (typeof VITAL_NUMBER_FIELDS)[number];

export type Consciousness = (typeof CONSCIOUSNESS)[number];

export type VitalsFormValues = Record<VitalNumberField, string> & {
  spo2Scale: '1' | '2';
  supplementalOxygen: boolean;
  consciousness: '' | Consciousness;
};

export const VITALS_FORM_FIELDS = [...VITAL_NUMBER_FIELDS, 'spo2Scale', 'supplementalOxygen', 'consciousness'] as const;
export type VitalsFormField = (typeof VITALS_FORM_FIELDS)[number];

export const EMPTY_VITALS_FORM: VitalsFormValues = {
  temperatureC: '',
  heartRate: '',
  respiratoryRate: '',
  systolic: '',
  diastolic: '',
  spo2: '',
  spo2Scale: '1',
  supplementalOxygen: false,
  consciousness: '',
};

/** Empty fields are left out; numbers are parsed (Arabic digits too); scale and oxygen are always sent. */
export function vitalsFormToInput(values: VitalsFormValues): VitalSignsInput {
  const input: VitalSignsInput = {
    spo2Scale: values.spo2Scale === '2' ? 2 : 1,
    supplementalOxygen: values.supplementalOxygen,
  };
  for (const field of VITAL_NUMBER_FIELDS) {
    const value = parseDecimal(values[field]);
    if (value !== undefined) input[field] = value;
  }
  if (values.consciousness !== '') input.consciousness = values.consciousness;
  return input;
}

export function validateVitalsForm(values: VitalsFormValues): { input: VitalSignsInput; issues: Issue[] } {
  const input = vitalsFormToInput(values);
  return { input, issues: validateWith(VitalSigns, input) };
}

/** Prefills the form from a recorded entry's body (for an amendment). */
export function vitalsFormFromBody(body: Readonly<Record<string, unknown>>): VitalsFormValues {
  const values: VitalsFormValues = { ...EMPTY_VITALS_FORM };
  for (const field of VITAL_NUMBER_FIELDS) {
    const value = body[field];
    if (typeof value === 'number' && Number.isFinite(value)) values[field] = String(value);
  }
  values.spo2Scale = body.spo2Scale === 2 ? '2' : '1';
  values.supplementalOxygen = body.supplementalOxygen === true;
  const consciousness = body.consciousness;
  values.consciousness = isConsciousness(consciousness) ? consciousness : '';
  return values;
}

function isConsciousness(value: unknown): value is Consciousness {
  return typeof value === 'string' && (CONSCIOUSNESS as readonly string[]).includes(value);
}
