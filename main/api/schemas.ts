// Shared value schemas of the API contract. The renderer imports these (types and
// zod schemas only), so nothing here may touch Node.
import { z } from 'zod';

export const ROLES = [
  'administrator',
  'doctor',
  'nurse',
  'clerk',
  'lab_technician',
  'device_technician',
  'auditor',
] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

export const Id = z.string().min(1).max(64);
export const Username = z
  .string()
  .trim()
  .min(2, 'Username must have at least 2 characters')
  .max(64)
  .regex(/^[a-z0-9._-]+$/, 'Username may contain only lowercase letters, digits, dot, dash and underscore');
export const Password = z.string().min(8, 'Password must have at least 8 characters').max(256);
export const Passphrase = z.string().min(8, 'Database passphrase must have at least 8 characters').max(1024);

const isoDate = /^\d{4}-\d{2}-\d{2}$/;
export const BirthDate = z
  .string()
  .regex(isoDate, 'Birth date must be written YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), 'Birth date is not a real date')
  .refine((s) => Date.parse(`${s}T00:00:00Z`) <= Date.now(), 'Birth date cannot be in the future')
  .refine(
    (s) => Date.parse(`${s}T00:00:00Z`) >= Date.parse('1890-01-01T00:00:00Z'),
    'Birth date is too far in the past',
  );

const name = (what: string) => z.string().trim().min(1, `${what} is required`).max(100, `${what} is too long`);
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((s) => (s === '' ? undefined : s));

export const Sex = z.enum(['female', 'male', 'other', 'unknown']);

export const PatientRegistration = z.object({
  givenName: name('Given name'),
  fatherName: optionalText(100),
  familyName: name('Family name'),
  /** Latin-script spelling, for records that must be read abroad or by FHIR partners. */
  latinName: optionalText(200),
  sex: Sex,
  birthDate: BirthDate,
  phone: z
    .string()
    .trim()
    .max(32)
    .regex(/^[+0-9 ()-]*$/, 'Phone may contain only digits, spaces, +, ( ) and -')
    .optional()
    .transform((s) => (s === '' ? undefined : s)),
  nationalId: z
    .string()
    .trim()
    .max(32)
    .regex(/^[A-Za-z0-9-]*$/, 'National ID may contain only letters, digits and -')
    .optional()
    .transform((s) => (s === '' ? undefined : s)),
  address: optionalText(300),
  allergies: z.array(z.string().trim().min(1).max(200)).max(50).optional(),
});
export type PatientRegistration = z.input<typeof PatientRegistration>;

export const PatientSummary = z.object({
  id: Id,
  mrn: z.string(),
  givenName: z.string(),
  fatherName: z.string().nullable(),
  familyName: z.string(),
  latinName: z.string().nullable(),
  sex: Sex,
  birthDate: z.string(),
  phone: z.string().nullable(),
  nationalId: z.string().nullable(),
  updatedAt: z.string(),
});
export type PatientSummary = z.infer<typeof PatientSummary>;

export const ChartListItem = z.object({
  id: z.string(),
  text: z.string(),
  recordedAt: z.string(),
  recordedBy: z.string(),
});
export type ChartListItem = z.infer<typeof ChartListItem>;

/** A field team's id (same rule as the roster's, sync/identity/roster-ops.ts TEAM_ID). */
export const TeamId = z
  .string()
  .trim()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/,
    'A team id is 1–32 letters, digits or . _ - (starting with a letter or digit)',
  );
export const MAX_TEAMS = 32;
const TeamIds = z
  .array(TeamId)
  .max(MAX_TEAMS, `At most ${MAX_TEAMS} teams`)
  .refine((ids) => new Set(ids).size === ids.length, 'A team is listed twice');

/**
 * Which devices may hold copies of a patient's chart (the share policy): the field
 * teams the patient is assigned to; whether the patient allows copies on field
 * devices (a refusal; allowed unless recorded otherwise); and whether the patient
 * consented to storage at the regional hub (consent; not given unless recorded).
 */
export const PatientSharing = z.object({
  fieldTeamIds: TeamIds,
  fieldCopies: z.boolean(),
  regionalHub: z.boolean(),
});
export type PatientSharing = z.infer<typeof PatientSharing>;
export { DEFAULT_SHARING } from './sharing-default';

export const PatientChart = PatientSummary.extend({
  address: z.string().nullable(),
  identifiers: z.array(z.object({ system: z.string(), value: z.string() })),
  allergies: z.array(ChartListItem),
  problems: z.array(ChartListItem),
  medications: z.array(ChartListItem),
  sharing: PatientSharing,
});
export type PatientChart = z.infer<typeof PatientChart>;

// ---- Clinical entries -------------------------------------------------------

export const CONSCIOUSNESS = ['A', 'C', 'V', 'P', 'U'] as const;

/** Physiological ranges: values outside are almost certainly typing or device errors. */
export const VITAL_RANGES = {
  temperatureC: { min: 25, max: 45, label: 'Temperature (°C)' },
  heartRate: { min: 20, max: 250, label: 'Heart rate (/min)' },
  respiratoryRate: { min: 3, max: 80, label: 'Respiratory rate (/min)' },
  systolic: { min: 50, max: 260, label: 'Systolic BP (mmHg)' },
  diastolic: { min: 20, max: 160, label: 'Diastolic BP (mmHg)' },
  spo2: { min: 50, max: 100, label: 'SpO2 (%)' },
} as const;

const vital = (key: keyof typeof VITAL_RANGES, integer: boolean) => {
  const r = VITAL_RANGES[key];
  let n = z.number({ error: `${r.label} must be a number` });
  if (integer) n = n.int(`${r.label} must be a whole number`);
  return n
    .min(r.min, `${r.label} must be between ${r.min} and ${r.max}`)
    .max(r.max, `${r.label} must be between ${r.min} and ${r.max}`)
    .optional();
};

export const VitalSigns = z
  .object({
    temperatureC: vital('temperatureC', false),
    heartRate: vital('heartRate', true),
    respiratoryRate: vital('respiratoryRate', true),
    systolic: vital('systolic', true),
    diastolic: vital('diastolic', true),
    spo2: vital('spo2', true),
    /** NEWS2 SpO2 scale: 2 is for patients with hypercapnic respiratory failure. */
    spo2Scale: z.union([z.literal(1), z.literal(2)]).default(1),
    supplementalOxygen: z.boolean().default(false),
    consciousness: z.enum(CONSCIOUSNESS).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    const measured = [v.temperatureC, v.heartRate, v.respiratoryRate, v.systolic, v.diastolic, v.spo2, v.consciousness];
    if (measured.every((x) => x === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'Record at least one vital sign' });
    }
    if ((v.systolic === undefined) !== (v.diastolic === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'Blood pressure needs both systolic and diastolic values' });
    }
    if (v.systolic !== undefined && v.diastolic !== undefined && v.diastolic >= v.systolic) {
      ctx.addIssue({ code: 'custom', message: 'Diastolic BP must be lower than systolic BP' });
    }
  });
export type VitalSigns = z.output<typeof VitalSigns>;
export type VitalSignsInput = z.input<typeof VitalSigns>;

export const ClinicalNote = z
  .object({
    title: z.string().trim().max(200).optional(),
    text: z.string().trim().min(1, 'A note cannot be empty').max(20000, 'A note may have at most 20000 characters'),
  })
  .strict();
export type ClinicalNote = z.infer<typeof ClinicalNote>;

export const ObservationCode = z.object({
  system: z.enum(['LOINC', 'MDC', 'local']),
  code: z.string().min(1).max(64),
  display: z.string().max(200).optional(),
});

/** A numeric reading from a bedside device (SpO2, pulse…), recorded by the device bridge. */
export const DeviceReading = z
  .object({
    code: ObservationCode,
    altCodes: z.array(ObservationCode).max(8).optional(),
    value: z.number().finite(),
    unit: z.string().max(32).nullable(),
    observedAt: z.string(),
    device: z.object({ profile: z.string(), connectionId: z.string(), label: z.string() }),
    /** True when outside the profile's alert limits; such values are always recorded. */
    abnormal: z.boolean(),
  })
  .strict();
export type DeviceReading = z.infer<typeof DeviceReading>;

/** A laboratory result from an analyzer (ASTM or HL7), matched to the patient. */
export const LabResult = z
  .object({
    code: ObservationCode,
    altCodes: z.array(ObservationCode).max(8).optional(),
    testId: z.array(z.string()).max(8).optional(),
    value: z.union([z.number().finite(), z.string().max(500)]),
    comparator: z.string().max(2).optional(),
    unit: z.string().max(32).nullable(),
    referenceRange: z.string().max(64).nullable(),
    abnormalFlag: z.string().max(8).nullable(),
    status: z.string().max(8).nullable(),
    observedAt: z.string().nullable(),
    sampleId: z.string().max(64).nullable(),
    analyzer: z.string().max(200),
    comments: z.array(z.string().max(500)).max(20).optional(),
  })
  .strict();
export type LabResult = z.infer<typeof LabResult>;

export const ENTRY_KINDS = ['vitals', 'note', 'encounter', 'device-reading', 'lab-result'] as const;
export const EntryKind = z.enum(ENTRY_KINDS);
export type EntryKind = z.infer<typeof EntryKind>;

export const Encounter = z
  .object({
    reason: z.string().trim().min(1, 'Reason for the visit is required').max(500),
    type: z.enum(['outpatient', 'emergency', 'home-visit', 'follow-up']).default('outpatient'),
  })
  .strict();
export type Encounter = z.infer<typeof Encounter>;

export const Entry = z.object({
  id: Id,
  patientId: Id,
  kind: EntryKind,
  body: z.record(z.string(), z.unknown()),
  authorId: Id,
  authorName: z.string(),
  authorRole: Role,
  createdAt: z.string(),
  /** The entry this one corrects, or null for an original entry. */
  amends: Id.nullable(),
  amendReason: z.string().nullable(),
  /** Entries that correct this one, oldest first. */
  amendedBy: z.array(Id),
  contentHash: z.string(),
  /** True when the stored signature verifies against the author's public key. */
  signatureValid: z.boolean(),
});
export type Entry = z.infer<typeof Entry>;

export const UserSummary = z.object({
  id: Id,
  username: z.string(),
  displayName: z.string(),
  role: Role,
  disabled: z.boolean(),
  createdAt: z.string(),
});
export type UserSummary = z.infer<typeof UserSummary>;

export const Stats = z.object({
  patients: z.number().int(),
  entries: z.number().int(),
  auditRecords: z.number().int(),
  users: z.number().int(),
  /** Leaves in the device's Merkle log (one per entry and audit record). */
  leaves: z.number().int(),
  checkpoints: z.number().int(),
  /** Checkpoint batches anchored (final) on the ledger. */
  anchored: z.number().int(),
  pendingAnchors: z.number().int(),
  /** Other devices this one has met (enrolled by it, or synced with). */
  peers: z.number().int(),
  /** Charts whose current state no peer has acknowledged yet. */
  unsentChanges: z.number().int(),
  /** Open conflicts in the review queue. */
  conflicts: z.number().int(),
});
export type Stats = z.infer<typeof Stats>;

export const AuditRecord = z.object({
  seq: z.number().int(),
  at: z.string(),
  actorId: z.string().nullable(),
  action: z.string(),
  patientId: z.string().nullable(),
  entityId: z.string().nullable(),
});
export type AuditRecord = z.infer<typeof AuditRecord>;

export const AuditVerification = z.object({
  ok: z.boolean(),
  records: z.number().int(),
  /** Sequence number of the first record whose hash does not match, when ok is false. */
  firstBrokenSeq: z.number().int().nullable(),
  reason: z.string().nullable(),
});
export type AuditVerification = z.infer<typeof AuditVerification>;

// ---- Anchoring ----

export const AnchorStatus = z.object({
  leaves: z.number().int(),
  checkpoints: z.number().int(),
  lastCheckpoint: z.object({ treeSize: z.number().int(), createdAt: z.string() }).nullable(),
  ledgerConfigured: z.boolean(),
  ledger: z
    .object({
      rpcUrl: z.string(),
      chainId: z.number().int(),
      contract: z.string(),
      reachable: z.boolean().nullable(),
      lastError: z.string().nullable(),
    })
    .nullable(),
  counts: z.record(z.string(), z.number().int()).nullable(),
  pendingAnchors: z.number().int(),
  anchored: z.number().int(),
  lastAnchored: z
    .object({
      treeSize: z.number().int(),
      blockNumber: z.number().int(),
      blockHash: z.string(),
      txHash: z.string(),
      at: z.string(),
    })
    .nullable(),
});
export type AnchorStatus = z.infer<typeof AnchorStatus>;

export const ReceiptVerification = z.object({
  ok: z.boolean(),
  checks: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string() })),
  summary: z
    .object({
      recordKind: z.string(),
      recordId: z.string(),
      leafIndex: z.number().int(),
      treeSize: z.number().int(),
      anchoredTreeSize: z.number().int().nullable(),
    })
    .nullable(),
});
export type ReceiptVerification = z.infer<typeof ReceiptVerification>;

// ---- Devices ----

export const DeviceProfileSummary = z.object({
  id: z.string(),
  displayName: z.string(),
  protocol: z.string(),
  kind: z.enum(['bedside', 'lab']),
  line: z.string(),
});
export type DeviceProfileSummary = z.infer<typeof DeviceProfileSummary>;

export const SerialPortInfo = z.object({
  path: z.string(),
  manufacturer: z.string().nullable(),
  serialNumber: z.string().nullable(),
});
export type SerialPortInfo = z.infer<typeof SerialPortInfo>;

export const DEVICE_STATES = ['stopped', 'connecting', 'negotiating', 'connected', 'lost'] as const;

export const DeviceConnection = z.object({
  id: z.string(),
  profileId: z.string(),
  profileName: z.string(),
  kind: z.enum(['bedside', 'lab']),
  path: z.string(),
  label: z.string(),
  patientId: z.string().nullable(),
  patientName: z.string().nullable(),
  enabled: z.boolean(),
  state: z.enum(DEVICE_STATES),
  stateReason: z.string().nullable(),
  lastDataAt: z.string().nullable(),
  reconnects: z.number().int(),
  errorCounts: z.record(z.string(), z.number().int()),
  itemsStored: z.number().int(),
});
export type DeviceConnection = z.infer<typeof DeviceConnection>;

export const LiveNumeric = z.object({
  code: z.string(),
  label: z.string(),
  value: z.number(),
  unit: z.string().nullable(),
  abnormal: z.boolean(),
});
export type LiveNumeric = z.infer<typeof LiveNumeric>;

export const LabInboxItem = z.object({
  id: z.string(),
  receivedAt: z.string(),
  analyzer: z.string(),
  sampleId: z.string().nullable(),
  patientIds: z.array(z.string()),
  results: z.array(
    z.object({
      test: z.string(),
      value: z.union([z.number(), z.string()]),
      unit: z.string().nullable(),
      abnormalFlag: z.string().nullable(),
    }),
  ),
  status: z.enum(['pending', 'matched']),
  patientId: z.string().nullable(),
});
export type LabInboxItem = z.infer<typeof LabInboxItem>;

export const RecordingSummary = z.object({
  id: z.string(),
  code: z.string(),
  sampleRate: z.number(),
  startedAt: z.string(),
  chunks: z.number().int(),
  connectionId: z.string(),
});
export type RecordingSummary = z.infer<typeof RecordingSummary>;

// ---- Sync (peers, conflicts, bundles) ----

export const DeviceIdText = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'A device id is 1–64 letters, digits or . _ : -');

export const PeerUrl = z
  .string()
  .trim()
  .regex(/^wss?:\/\/[^\s/?#]+(:\d{1,5})?(\/[^\s]*)?$/, 'Give the peer address as ws://HOST:PORT');

export const SyncProgress = z.object({
  phase: z.enum(['sending', 'receiving', 'bundle-import']),
  done: z.number().int(),
  total: z.number().int(),
});
export type SyncProgress = z.infer<typeof SyncProgress>;

export const DEVICE_ROLES = ['clinic', 'field', 'hub'] as const;
/** What a device is for (set by an administrator in the signed roster): which charts it may hold. */
export const DeviceRole = z.enum(DEVICE_ROLES);
export type DeviceRole = z.infer<typeof DeviceRole>;

export const SyncPeer = z.object({
  deviceId: z.string(),
  name: z.string().nullable(),
  address: z.string().nullable(),
  connected: z.boolean(),
  lastSyncAt: z.string().nullable(),
  unsent: z.number().int(),
  revoked: z.boolean(),
  /**
   * Revoked, yet this device exchanged data with it after the revocation's time (a
   * connection or a bundle, before the revocation reached this device): the last such
   * time. Its changes from then are part of the clinic's charts (see Revocation in
   * docs/architecture.md), and someone should review them.
   */
  contactAfterRevocation: z.string().nullable(),
  /** From the roster: 'clinic' unless an administrator set another role. */
  role: DeviceRole,
  teamIds: z.array(z.string()),
});
export type SyncPeer = z.infer<typeof SyncPeer>;

export const SyncStatus = z.object({
  enrolled: z.boolean(),
  clinicId: z.string().nullable(),
  deviceId: z.string(),
  online: z.boolean(),
  listeningPort: z.number().int().nullable(),
  peers: z.array(SyncPeer),
  lastSyncAt: z.string().nullable(),
  unsentChanges: z.number().int(),
  conflicts: z.number().int(),
  progress: SyncProgress.nullable(),
});
export type SyncStatus = z.infer<typeof SyncStatus>;

/** Input of peers.setRole: teams only for a field device. */
export const DeviceRoleAssignment = z
  .object({ deviceId: DeviceIdText, role: DeviceRole, teamIds: TeamIds.default([]) })
  .strict()
  .refine((a) => a.role === 'field' || a.teamIds.length === 0, {
    message: 'Only a field device belongs to field teams',
    path: ['teamIds'],
  });

export const ConflictId = z.string().regex(/^[0-9a-f]{32}$/, 'Not a conflict id');

export const ConflictSummary = z.object({
  id: z.string(),
  patientId: z.string().nullable(),
  kind: z.enum(['concurrent-value', 'concurrent-list-edit', 'removed-vs-edited']),
  path: z.array(z.string()),
  itemId: z.string().nullable(),
  /** The competing values (null = "removed"); `side` for list conflicts. */
  values: z.array(z.object({ value: z.unknown(), side: z.enum(['ours', 'theirs']).nullable() })),
  merged: z.unknown(),
  detectedAt: z.string(),
  /** settled: resolved on another device, or replaced there by a later edit (no resolver here). */
  status: z.enum(['open', 'resolved', 'settled']),
  resolvedBy: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  reason: z.string().nullable(),
});
export type ConflictSummary = z.infer<typeof ConflictSummary>;

export const ConflictChoice = z.union([
  z.object({ choose: z.number().int().min(0).max(100) }).strict(),
  z.object({ value: z.string().trim().max(2000).nullable() }).strict(),
]);
export type ConflictChoice = z.infer<typeof ConflictChoice>;

export const BundleImportResult = z.object({
  bundleId: z.string(),
  fromDevice: z.string(),
  fromDeviceName: z.string(),
  documents: z.number().int(),
  newDocuments: z.number().int(),
  conflicts: z.number().int(),
});
