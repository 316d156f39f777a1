// The vitals table: one row per vitals entry still in force (not corrected by a
// later amendment), newest first.
import { CONSCIOUSNESS, type Entry } from '../../main/api';
import { VITAL_NUMBER_FIELDS, type Consciousness, type VitalNumberField } from '../forms/vitals-form';
import { isSuperseded, newestFirst } from './entries';

export type VitalsReading = Partial<Record<VitalNumberField, number>> & {
  spo2Scale: 1 | 2;
  supplementalOxygen: boolean;
  consciousness?: Consciousness;
};

export interface VitalsRow {
  entryId: string;
  recordedAt: string;
  reading: VitalsReading;
}

export function vitalsRows(entries: readonly Entry[]): VitalsRow[] {
  return newestFirst(entries.filter((e) => e.kind === 'vitals' && !isSuperseded(e))).map((entry) => ({
    entryId: entry.id,
    recordedAt: entry.createdAt,
    reading: readVitals(entry.body),
  }));
}

/** Reads what it can from a stored vitals body, ignoring anything malformed. */
export function readVitals(body: Readonly<Record<string, unknown>>): VitalsReading {
  const reading: VitalsReading = {
    spo2Scale: body.spo2Scale === 2 ? 2 : 1,
    supplementalOxygen: body.supplementalOxygen === true,
  };
  for (const field of VITAL_NUMBER_FIELDS) {
    const value = body[field];
    if (typeof value === 'number' && Number.isFinite(value)) reading[field] = value;
  }
  const consciousness = body.consciousness;
  if (typeof consciousness === 'string' && (CONSCIOUSNESS as readonly string[]).includes(consciousness)) {
    reading.consciousness = consciousness as Consciousness;
  }
  return reading;
}
