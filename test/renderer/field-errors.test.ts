import { describe, expect, it } from 'vitest';
import type { Entry } from '../../main/api';
import { entryFormPath } from '../../renderer/chart/entry-target';
import { mapIssuesToFields } from '../../renderer/forms/field-errors';

const VITALS_FIELDS = ['spo2', 'heartRate', 'systolic', 'diastolic'] as const;

describe('mapIssuesToFields', () => {
  it("strips the form's prefix from the host's issue paths", () => {
    const errors = mapIssuesToFields(
      [
        { path: 'vitals.spo2', message: 'SpO2 (%) must be between 50 and 100' },
        { path: 'vitals.heartRate', message: 'Heart rate (/min) must be a whole number' },
      ],
      VITALS_FIELDS,
      'vitals',
    );
    expect(errors).toEqual({
      fields: { spo2: 'SpO2 (%) must be between 50 and 100', heartRate: 'Heart rate (/min) must be a whole number' },
      general: [],
    });
  });

  it('keeps the first message of a field', () => {
    const errors = mapIssuesToFields(
      [
        { path: 'spo2', message: 'first' },
        { path: 'spo2', message: 'second' },
      ],
      VITALS_FIELDS,
    );
    expect(errors.fields.spo2).toBe('first');
  });

  it('sends problems without a field of this form to the general list, once each', () => {
    const errors = mapIssuesToFields(
      [
        { path: 'vitals', message: 'Record at least one vital sign' },
        { path: '', message: 'Blood pressure needs both systolic and diastolic values' },
        { path: 'patientId', message: 'Unknown patient' },
        { path: 'patientId', message: 'Unknown patient' },
      ],
      VITALS_FIELDS,
      'vitals',
    );
    expect(errors.fields).toEqual({});
    expect(errors.general).toEqual([
      'Record at least one vital sign',
      'Blood pressure needs both systolic and diastolic values',
      'Unknown patient',
    ]);
  });

  it('puts an issue about an item of a list field on the field', () => {
    const errors = mapIssuesToFields([{ path: 'allergies.2', message: 'Too long' }], [
      'allergies',
      'givenName',
    ] as const);
    expect(errors.fields).toEqual({ allergies: 'Too long' });
  });
});

describe('entryFormPath', () => {
  const entry = { id: 'e1', kind: 'encounter' } as Entry;

  it('maps new-entry paths under the kind', () => {
    const path = entryFormPath({ type: 'new', patientId: 'p1' }, 'vitals');
    expect(path('vitals.spo2')).toBe('spo2');
    expect(path('patientId')).toBe('patientId');
  });

  it("tells an amendment's reason from an encounter's own reason", () => {
    const path = entryFormPath({ type: 'amend', entry }, 'encounter');
    expect(path('reason')).toBe('amendReason');
    expect(path('body.reason')).toBe('reason');
    expect(path('entryId')).toBe('entryId');
    const errors = mapIssuesToFields(
      [
        { path: path('reason'), message: 'Say why the entry is amended' },
        { path: path('body.reason'), message: 'Reason for the visit is required' },
      ],
      ['reason', 'type', 'amendReason'] as const,
    );
    expect(errors.fields).toEqual({
      amendReason: 'Say why the entry is amended',
      reason: 'Reason for the visit is required',
    });
  });
});
