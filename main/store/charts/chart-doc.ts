// The patient chart as an Automerge document: one per patient. Identifiers, codes
// and demographic values are ImmutableStrings: they are replaced whole, never merged
// character by character, so concurrent edits surface as conflicts (sync issue)
// instead of silently producing a blend of two names.
import * as A from '@automerge/automerge';
import type { PatientChart, PatientRegistration, PatientSharing } from '../../api';
import { DEFAULT_SHARING } from '../../api/sharing-default';

type IStr = A.ImmutableString;

export interface ChartListEntry {
  id: IStr;
  text: string;
  recordedAt: IStr;
  recordedBy: IStr;
}

/**
 * Who may hold copies of the chart (the share policy reads its projection). Teams are
 * map keys, so two devices assigning different teams concurrently both stand; the two
 * consent flags are plain values (the last writer wins, deterministically).
 */
export interface ChartSharingDoc {
  fieldTeams: { [teamId: string]: true };
  fieldCopies: boolean;
  regionalHub: boolean;
}

export interface ChartDoc {
  schema: 1;
  patientId: IStr;
  mrn: IStr;
  createdAt: IStr;
  demographics: {
    givenName: IStr;
    fatherName: IStr | null;
    familyName: IStr;
    latinName: IStr | null;
    sex: IStr;
    birthDate: IStr;
    phone: IStr | null;
    nationalId: IStr | null;
    address: IStr | null;
  };
  identifiers: { system: IStr; value: IStr }[];
  allergies: ChartListEntry[];
  problems: ChartListEntry[];
  medications: ChartListEntry[];
  /** Absent in charts written before sharing existed: they read as DEFAULT_SHARING. */
  sharing?: ChartSharingDoc;
  /** Signed entries travelling with the chart (main/host/sync/entry-exchange.ts); absent in older charts. */
  signedEntries?: Record<string, unknown>;
}

const im = (s: string) => new A.ImmutableString(s);
const imOrNull = (s: string | undefined | null) => (s ? im(s) : null);
const str = (v: unknown): string => (A.isImmutableString(v) ? v.val : String(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : str(v));

export function newChartDoc(
  reg: { [K in keyof PatientRegistration]: PatientRegistration[K] },
  ids: { patientId: string; mrn: string; createdAt: string; userId: string },
): ChartDoc {
  const identifiers = [{ system: im('urn:sijill:mrn'), value: im(ids.mrn) }];
  if (reg.nationalId) identifiers.push({ system: im('urn:iq:national-id'), value: im(reg.nationalId) });
  return {
    schema: 1,
    patientId: im(ids.patientId),
    mrn: im(ids.mrn),
    createdAt: im(ids.createdAt),
    demographics: {
      givenName: im(reg.givenName),
      fatherName: imOrNull(reg.fatherName),
      familyName: im(reg.familyName),
      latinName: imOrNull(reg.latinName),
      sex: im(reg.sex),
      birthDate: im(reg.birthDate),
      phone: imOrNull(reg.phone),
      nationalId: imOrNull(reg.nationalId),
      address: imOrNull(reg.address),
    },
    identifiers,
    allergies: (reg.allergies ?? []).map((text, i) =>
      listEntry(`${ids.patientId}-a${i}`, text, ids.createdAt, ids.userId),
    ),
    problems: [],
    medications: [],
    sharing: sharingDoc(DEFAULT_SHARING),
    // Created with the chart, so no two devices ever create competing maps for it (they
    // would when both publish a chart's first entries before they meet).
    signedEntries: {},
  };
}

const sharingDoc = (s: PatientSharing): ChartSharingDoc => ({
  fieldTeams: Object.fromEntries(s.fieldTeamIds.map((t) => [t, true as const])),
  fieldCopies: s.fieldCopies,
  regionalHub: s.regionalHub,
});

/** The sharing facts of a chart, defaults where it has none (or a peer sent something else). */
export function readSharing(doc: Pick<ChartDoc, 'sharing'>): PatientSharing {
  const s = doc.sharing as Partial<ChartSharingDoc> | undefined;
  if (!s || typeof s !== 'object') return { ...DEFAULT_SHARING, fieldTeamIds: [] };
  const teams = s.fieldTeams && typeof s.fieldTeams === 'object' ? s.fieldTeams : {};
  return {
    fieldTeamIds: Object.keys(teams)
      .filter((t) => (teams as Record<string, unknown>)[t] === true)
      .sort(),
    fieldCopies: typeof s.fieldCopies === 'boolean' ? s.fieldCopies : DEFAULT_SHARING.fieldCopies,
    regionalHub: typeof s.regionalHub === 'boolean' ? s.regionalHub : DEFAULT_SHARING.regionalHub,
  };
}

/**
 * Writes sharing facts into a chart (inside ChartStore.change): only what differs, so
 * a concurrent change of another team or flag on another device is kept.
 */
export function applySharing(doc: ChartDoc, next: PatientSharing): void {
  if (!doc.sharing || typeof doc.sharing !== 'object') {
    doc.sharing = sharingDoc(next);
    return;
  }
  const s = doc.sharing;
  if (!s.fieldTeams || typeof s.fieldTeams !== 'object') s.fieldTeams = {};
  const want = new Set(next.fieldTeamIds);
  for (const t of Object.keys(s.fieldTeams)) if (!want.has(t)) delete s.fieldTeams[t];
  for (const t of want) if (s.fieldTeams[t] !== true) s.fieldTeams[t] = true;
  if (s.fieldCopies !== next.fieldCopies) s.fieldCopies = next.fieldCopies;
  if (s.regionalHub !== next.regionalHub) s.regionalHub = next.regionalHub;
}

export function listEntry(id: string, text: string, at: string, userId: string): ChartListEntry {
  return { id: im(id), text, recordedAt: im(at), recordedBy: im(userId) };
}

/** Reads a chart document into the API's plain shape (plus the projection timestamp). */
export function readChart(doc: ChartDoc, updatedAt: string): PatientChart {
  const d = doc.demographics;
  const list = (items: ChartListEntry[]) =>
    items.map((x) => ({
      id: str(x.id),
      text: String(x.text),
      recordedAt: str(x.recordedAt),
      recordedBy: str(x.recordedBy),
    }));
  return {
    id: str(doc.patientId),
    mrn: str(doc.mrn),
    givenName: str(d.givenName),
    fatherName: strOrNull(d.fatherName),
    familyName: str(d.familyName),
    latinName: strOrNull(d.latinName),
    sex: str(d.sex) as PatientChart['sex'],
    birthDate: str(d.birthDate),
    phone: strOrNull(d.phone),
    nationalId: strOrNull(d.nationalId),
    address: strOrNull(d.address),
    updatedAt,
    identifiers: doc.identifiers.map((i) => ({ system: str(i.system), value: str(i.value) })),
    allergies: list(doc.allergies),
    problems: list(doc.problems),
    medications: list(doc.medications),
    sharing: readSharing(doc),
  };
}

/** Whether a document is a patient chart (a peer may send anything under a document id). */
export function isChartDoc(doc: unknown): doc is ChartDoc {
  if (!doc || typeof doc !== 'object') return false;
  const d = doc as Partial<ChartDoc>;
  return !!d.patientId && String(d.patientId) !== '' && typeof d.demographics === 'object' && d.demographics !== null;
}
