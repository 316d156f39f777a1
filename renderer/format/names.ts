import type { PatientSummary } from '../../main/api';

/** The Arabic way of writing a name: given, father's, family. */
export function fullName(patient: Pick<PatientSummary, 'givenName' | 'fatherName' | 'familyName'>): string {
  return [patient.givenName, patient.fatherName, patient.familyName].filter((part) => part && part.trim()).join(' ');
}
