// The API contract: one typed map from method name to its request and response
// schemas. The host validates every request and every response against it; the
// renderer derives its client types from it. Which roles may call a method is
// decided in one place, main/access/permissions.ts, not here.
import { z } from 'zod';
import {
  AnchorStatus,
  DeviceConnection,
  DeviceProfileSummary,
  LabInboxItem,
  LiveNumeric,
  RecordingSummary,
  SerialPortInfo,
  AuditRecord,
  AuditVerification,
  BundleImportResult,
  ConflictChoice,
  ConflictId,
  ConflictSummary,
  DeviceIdText,
  DeviceRoleAssignment,
  PatientSharing,
  PeerUrl,
  SyncStatus,
  ClinicalNote,
  Encounter,
  Entry,
  Id,
  Passphrase,
  Password,
  PatientChart,
  PatientRegistration,
  PatientSummary,
  ReceiptVerification,
  Role,
  Stats,
  UserSummary,
  Username,
  VitalSigns,
} from './schemas';

const empty = z.object({}).strict();

export const HostState = z.enum(['uninitialized', 'locked', 'ready']);
export type HostState = z.infer<typeof HostState>;

const Session = z.object({
  token: z.string(),
  user: UserSummary,
  permissions: z.array(z.string()),
  expiresAt: z.string(),
});

export const contract = {
  // ---- Host lifecycle (callable without a session) ----
  'host.status': {
    public: true,
    input: empty,
    output: z.object({
      state: HostState,
      clinicName: z.string().nullable(),
      deviceId: z.string().nullable(),
      version: z.string(),
    }),
  },
  'host.initialize': {
    public: true,
    input: z
      .object({
        clinicName: z.string().trim().min(2, 'Clinic name must have at least 2 characters').max(200),
        passphrase: Passphrase,
        adminUsername: Username,
        adminDisplayName: z.string().trim().min(1, 'Display name is required').max(100),
        adminPassword: Password,
      })
      .strict(),
    output: z.object({ state: HostState }),
  },
  'host.unlock': {
    public: true,
    input: z.object({ passphrase: z.string().min(1).max(1024) }).strict(),
    output: z.object({ state: HostState }),
  },

  // ---- Sessions ----
  'auth.login': {
    public: true,
    input: z.object({ username: z.string().trim().min(1).max(64), password: z.string().min(1).max(256) }).strict(),
    output: Session,
  },
  'auth.logout': { public: false, input: empty, output: z.object({ ok: z.literal(true) }) },
  'auth.me': { public: false, input: empty, output: Session.omit({ token: true }) },

  // ---- Patients ----
  'patients.search': {
    public: false,
    input: z
      .object({
        query: z.string().max(200).default(''),
        limit: z.number().int().min(1).max(100).default(25),
      })
      .strict(),
    output: z.object({ patients: z.array(PatientSummary) }),
  },
  'patients.register': { public: false, input: PatientRegistration.strict(), output: PatientSummary },
  'patients.get': {
    public: false,
    input: z.object({ patientId: Id }).strict(),
    output: z.object({ chart: PatientChart, entries: z.array(Entry) }),
  },
  'patients.addAllergy': {
    public: false,
    input: z.object({ patientId: Id, text: z.string().trim().min(1, 'Allergy text is required').max(200) }).strict(),
    output: PatientChart,
  },
  /** Field teams and consent: which devices may hold copies of this chart (share policy). */
  'patients.setSharing': {
    public: false,
    input: z.object({ patientId: Id, sharing: PatientSharing.strict() }).strict(),
    output: PatientChart,
  },

  // ---- Clinical entries (immutable and signed) ----
  'entries.recordVitals': {
    public: false,
    input: z.object({ patientId: Id, vitals: VitalSigns }).strict(),
    output: Entry,
  },
  'entries.addNote': {
    public: false,
    input: z.object({ patientId: Id, note: ClinicalNote }).strict(),
    output: Entry,
  },
  'entries.recordEncounter': {
    public: false,
    input: z.object({ patientId: Id, encounter: Encounter }).strict(),
    output: Entry,
  },
  'entries.amend': {
    public: false,
    input: z
      .object({
        entryId: Id,
        reason: z.string().trim().min(1, 'Say why the entry is amended').max(500),
        /** Validated against the schema of the amended entry's kind. */
        body: z.record(z.string(), z.unknown()),
      })
      .strict(),
    output: Entry,
  },

  // ---- Administration ----
  'users.list': { public: false, input: empty, output: z.object({ users: z.array(UserSummary) }) },
  'users.create': {
    public: false,
    input: z
      .object({
        username: Username,
        displayName: z.string().trim().min(1).max(100),
        role: Role,
        password: Password,
      })
      .strict(),
    output: UserSummary,
  },
  'stats.get': { public: false, input: empty, output: Stats },
  'audit.verify': { public: false, input: empty, output: AuditVerification },
  'audit.recent': {
    public: false,
    input: z.object({ limit: z.number().int().min(1).max(500).default(100) }).strict(),
    output: z.object({ records: z.array(AuditRecord) }),
  },

  // ---- Anchoring (Merkle log, checkpoints, ledger) ----
  'anchor.status': { public: false, input: empty, output: AnchorStatus },
  'anchor.sealNow': { public: false, input: empty, output: z.object({ treeSize: z.number().int().nullable() }) },
  /** The receipt of an entry: a JSON document anyone can verify offline (`sijill verify`). */
  'anchor.receipt': {
    public: false,
    input: z.object({ entryId: Id }).strict(),
    output: z.object({ receipt: z.record(z.string(), z.unknown()), fileName: z.string() }),
  },
  'anchor.verifyReceipt': {
    public: false,
    input: z.object({ receipt: z.unknown() }).strict(),
    output: ReceiptVerification,
  },

  // ---- Devices (serial/USB-serial bedside devices and lab analyzers) ----
  'devices.profiles': { public: false, input: empty, output: z.object({ profiles: z.array(DeviceProfileSummary) }) },
  'devices.ports': { public: false, input: empty, output: z.object({ ports: z.array(SerialPortInfo) }) },
  'devices.list': { public: false, input: empty, output: z.object({ connections: z.array(DeviceConnection) }) },
  'devices.connect': {
    public: false,
    input: z
      .object({
        profileId: z.string().min(1).max(64),
        path: z.string().trim().min(1, 'Choose a port').max(300),
        label: z.string().trim().max(100).optional(),
        patientId: Id.nullable().optional(),
      })
      .strict(),
    output: DeviceConnection,
  },
  'devices.disconnect': { public: false, input: z.object({ connectionId: Id }).strict(), output: DeviceConnection },
  /** Attach a bedside device to a patient (or detach with null): its readings then go into that chart. */
  'devices.attach': {
    public: false,
    input: z.object({ connectionId: Id, patientId: Id.nullable() }).strict(),
    output: DeviceConnection,
  },
  'lab.inbox': {
    public: false,
    input: z.object({ status: z.enum(['pending', 'matched', 'all']).default('pending') }).strict(),
    output: z.object({ items: z.array(LabInboxItem) }),
  },
  /** File an unmatched lab result under a patient: its results become signed lab-result entries. */
  'lab.reconcile': {
    public: false,
    input: z.object({ inboxId: Id, patientId: Id }).strict(),
    output: z.object({ entries: z.number().int() }),
  },
  'patients.recordings': {
    public: false,
    input: z.object({ patientId: Id }).strict(),
    output: z.object({ recordings: z.array(RecordingSummary) }),
  },
  'recordings.samples': {
    public: false,
    input: z
      .object({
        recordingId: Id,
        fromSeq: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(600).default(60),
      })
      .strict(),
    output: z.object({
      chunks: z.array(
        z.object({ seq: z.number().int(), t0: z.number(), sampleRate: z.number(), samples: z.array(z.number()) }),
      ),
    }),
  },

  // ---- Sync: peers, enrollment, conflicts, USB bundles ----
  'sync.status': { public: false, input: empty, output: SyncStatus },
  /** A one-time code (and QR text) another device uses to join this clinic. */
  'sync.enrollmentCode': {
    public: false,
    input: empty,
    output: z.object({ code: z.string(), qr: z.string(), expiresAt: z.string() }),
  },
  'sync.listen': {
    public: false,
    input: z.object({ enabled: z.boolean(), port: z.number().int().min(0).max(65535).optional() }).strict(),
    output: SyncStatus,
  },
  'sync.connect': { public: false, input: z.object({ url: PeerUrl }).strict(), output: SyncStatus },
  'peers.revoke': {
    public: false,
    input: z.object({ deviceId: DeviceIdText, reason: z.string().trim().min(1, 'Give a reason').max(500) }).strict(),
    output: SyncStatus,
  },
  /** A device's role (clinic, field, hub) and field teams: a signed roster operation of this device. */
  'peers.setRole': { public: false, input: DeviceRoleAssignment, output: SyncStatus },
  'conflicts.list': {
    public: false,
    input: z.object({ patientId: Id.optional(), status: z.enum(['open', 'resolved', 'all']).default('open') }).strict(),
    output: z.object({ conflicts: z.array(ConflictSummary) }),
  },
  'conflicts.resolve': {
    public: false,
    input: z
      .object({ id: ConflictId, choice: ConflictChoice, reason: z.string().trim().min(1, 'Give a reason').max(1000) })
      .strict(),
    output: ConflictSummary,
  },
  // A bundle larger than one message travels in pieces (bundles.upload, in order), then
  // bundles.import names the upload; a small one may come whole in dataBase64.
  'bundles.upload': {
    public: false,
    input: z
      .object({
        uploadId: z.string().uuid(),
        index: z.number().int().min(0).max(1_000_000),
        dataBase64: z
          .string()
          .min(1)
          .max(200 * 1024)
          .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'Not base64 data'),
      })
      .strict(),
    output: z.object({ receivedBytes: z.number().int() }),
  },
  'bundles.import': {
    public: false,
    input: z
      .object({
        fileName: z.string().trim().min(1).max(255),
        dataBase64: z
          .string()
          .min(1)
          .max(400 * 1024 * 1024)
          .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'Not base64 data')
          .optional(),
        uploadId: z.string().uuid().optional(),
      })
      .strict()
      .refine((v) => (v.dataBase64 === undefined) !== (v.uploadId === undefined), {
        message: 'Send the bundle either whole (dataBase64) or as an upload (uploadId)',
      }),
    output: BundleImportResult,
  },
  'bundles.export': {
    public: false,
    input: z.object({ sincePeer: DeviceIdText }).strict(),
    output: z.object({
      fileName: z.string(),
      dataBase64: z.string(),
      documents: z.number().int(),
      bytes: z.number().int(),
    }),
  },
} as const;

export type Contract = typeof contract;
export type Method = keyof Contract;
export type Input<M extends Method> = z.input<Contract[M]['input']>;
export type ParsedInput<M extends Method> = z.output<Contract[M]['input']>;
export type Output<M extends Method> = z.output<Contract[M]['output']>;
export const METHODS = Object.keys(contract) as Method[];
export const isMethod = (m: string): m is Method => Object.prototype.hasOwnProperty.call(contract, m);

/** Events the host pushes to every connected, logged-in client. */
export const events = {
  'patient.changed': z.object({ patientId: Id }),
  'entry.recorded': z.object({ patientId: Id, entryId: Id }),
  'host.state': z.object({ state: HostState }),
  'anchor.changed': z.object({}),
  'device.state': z.object({ connectionId: Id }),
  /** Live data of a connection, pushed as it arrives (waveform samples batched ~4 times a second). */
  'device.live': z.object({
    connectionId: Id,
    patientId: Id.nullable(),
    numerics: z.array(LiveNumeric),
    waveform: z
      .object({ code: z.string(), label: z.string(), sampleRate: z.number(), samples: z.array(z.number()) })
      .nullable(),
  }),
  'lab.inbox': z.object({}),
  /** Peers, counts or progress changed: fetch sync.status. */
  'sync.status': z.object({}),
  'conflicts.changed': z.object({}),
} as const;
export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.infer<(typeof events)[E]>;
