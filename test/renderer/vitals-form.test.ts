import { describe, expect, it } from 'vitest';
import { mapIssuesToFields } from '../../renderer/forms/field-errors';
import { normalizeDigits, parseDecimal } from '../../renderer/forms/numbers';
import {
  EMPTY_VITALS_FORM,
  validateVitalsForm,
  VITALS_FORM_FIELDS,
  vitalsFormFromBody,
  vitalsFormToInput,
} from '../../renderer/forms/vitals-form';

describe('vitalsFormToInput', () => {
  it('leaves empty fields out and parses the others as numbers', () => {
    const input = vitalsFormToInput({ ...EMPTY_VITALS_FORM, temperatureC: ' 37.5 ', heartRate: '88', spo2: '' });
    expect(input).toEqual({ temperatureC: 37.5, heartRate: 88, spo2Scale: 1, supplementalOxygen: false });
  });

  it('sends scale 2, supplemental oxygen and the consciousness level when chosen', () => {
    const input = vitalsFormToInput({
      ...EMPTY_VITALS_FORM,
      spo2: '89',
      spo2Scale: '2',
      supplementalOxygen: true,
      consciousness: 'V',
    });
    expect(input).toEqual({ spo2: 89, spo2Scale: 2, supplementalOxygen: true, consciousness: 'V' });
  });

  it('reads numbers typed with Arabic-Indic digits and decimal separators', () => {
    expect(normalizeDigits('٣٧٫٥')).toBe('37.5');
    expect(normalizeDigits('۹۸')).toBe('98');
    expect(vitalsFormToInput({ ...EMPTY_VITALS_FORM, temperatureC: '٣٨,٢', respiratoryRate: '١٨' })).toMatchObject({
      temperatureC: 38.2,
      respiratoryRate: 18,
    });
  });

  it('turns text that is not a number into NaN, so the schema reports it', () => {
    expect(parseDecimal('')).toBeUndefined();
    expect(parseDecimal('   ')).toBeUndefined();
    expect(parseDecimal('12abc')).toBeNaN();
    expect(parseDecimal('1e3')).toBeNaN();
    expect(parseDecimal('-4')).toBe(-4);
  });
});

describe('validateVitalsForm', () => {
  const fieldErrors = (values: Partial<typeof EMPTY_VITALS_FORM>) =>
    mapIssuesToFields(validateVitalsForm({ ...EMPTY_VITALS_FORM, ...values }).issues, VITALS_FORM_FIELDS);

  it('puts a range error next to its field', () => {
    expect(fieldErrors({ spo2: '120' })).toEqual({
      fields: { spo2: 'SpO2 (%) must be between 50 and 100' },
      general: [],
    });
  });

  it('reports each bad field separately', () => {
    const errors = fieldErrors({ heartRate: '12.5', temperatureC: 'warm', respiratoryRate: '2' });
    expect(errors.fields).toEqual({
      heartRate: 'Heart rate (/min) must be a whole number',
      temperatureC: 'Temperature (°C) must be a number',
      respiratoryRate: 'Respiratory rate (/min) must be between 3 and 80',
    });
  });

  it('reports problems about the whole reading as general errors', () => {
    expect(fieldErrors({}).general).toEqual(['Record at least one vital sign']);
    expect(fieldErrors({ systolic: '120' }).general).toEqual([
      'Blood pressure needs both systolic and diastolic values',
    ]);
    expect(fieldErrors({ systolic: '80', diastolic: '90' }).general).toEqual([
      'Diastolic BP must be lower than systolic BP',
    ]);
  });

  it('accepts a normal reading', () => {
    const { issues, input } = validateVitalsForm({
      ...EMPTY_VITALS_FORM,
      temperatureC: '36.8',
      heartRate: '72',
      respiratoryRate: '14',
      systolic: '118',
      diastolic: '76',
      spo2: '98',
      consciousness: 'A',
    });
    expect(issues).toEqual([]);
    expect(input).toEqual({
      temperatureC: 36.8,
      heartRate: 72,
      respiratoryRate: 14,
      systolic: 118,
      diastolic: 76,
      spo2: 98,
      spo2Scale: 1,
      supplementalOxygen: false,
      consciousness: 'A',
    });
  });
});

describe('vitalsFormFromBody', () => {
  it('prefills the form from a stored reading, and back gives the same reading', () => {
    const body = { heartRate: 104, spo2: 91, spo2Scale: 2, supplementalOxygen: true, consciousness: 'C' };
    const values = vitalsFormFromBody(body);
    expect(values).toEqual({
      ...EMPTY_VITALS_FORM,
      heartRate: '104',
      spo2: '91',
      spo2Scale: '2',
      supplementalOxygen: true,
      consciousness: 'C',
    });
    expect(vitalsFormToInput(values)).toEqual(body);
  });

  it('ignores malformed values', () => {
    expect(vitalsFormFromBody({ heartRate: '90', spo2: Number.NaN, consciousness: 'Z', spo2Scale: 3 })).toEqual(
      EMPTY_VITALS_FORM,
    );
  });
});
