// Chart documents as the host makes them (main/store/charts/chart-doc.ts), for the
// sync tests: replicas of one patient chart with distinct actors.
import * as A from '@automerge/automerge';
import { listEntry, newChartDoc, type ChartDoc } from '../../../main/store/charts/chart-doc';

export type { ChartDoc };
export const im = (s: string) => new A.ImmutableString(s);

export function newChart(patientId = 'p-1', actor?: string): A.Doc<ChartDoc> {
  const doc = newChartDoc(
    {
      givenName: 'Layla',
      familyName: 'Hassan',
      sex: 'female',
      birthDate: '1990-04-01',
      allergies: ['penicillin'],
    } as Parameters<typeof newChartDoc>[0],
    { patientId, mrn: 'MRN-0001', createdAt: '2025-01-01T08:00:00.000Z', userId: 'u-1' },
  );
  return A.from(doc as unknown as Record<string, unknown>, actor ? { actor } : undefined) as unknown as A.Doc<ChartDoc>;
}

/** A replica of `doc` with its own actor id, as another device would hold it. */
export const replica = (doc: A.Doc<ChartDoc>): A.Doc<ChartDoc> => A.merge(A.init<ChartDoc>(), doc);

export const addItem = (list: 'allergies' | 'problems' | 'medications', id: string, text: string) => (d: ChartDoc) => {
  d[list].push(listEntry(id, text, '2025-01-02T00:00:00.000Z', 'u-2'));
};
