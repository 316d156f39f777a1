// An open clinic: the unlocked store, its chart documents and the operations on
// them. Every operation that reads or writes patient data appends its audit record
// in the same transaction. Used by the API handlers and by the CLI alike.
import {
  ApiError,
  ClinicalNote,
  DeviceReading,
  Encounter,
  LabResult,
  VitalSigns,
  type Entry,
  type EntryKind,
  type PatientChart,
  type PatientRegistration,
  type PatientSummary,
  type EventName,
  type EventPayload,
  type LabInboxItem,
  type RecordingSummary,
  type Stats,
} from '../api';
import { DeviceService } from './devices/device-service';
import {
  getInboxItem,
  getRecording,
  listInbox,
  listRecordings,
  readChunks,
  resolveInboxItem,
} from '../store/repositories/devices';
import { appendAudit, auditCount } from '../access/audit-log';
import { hasCapability } from '../access/permissions';
import { countUsers, userSigningKey, type UserRow } from '../access/users';
import { ChartStore } from '../store/charts/chart-store';
import type { LoadedLimits } from '../store/charts/loaded-documents';
import { listEntry } from '../store/charts/chart-doc';
import { countPatients, patientExists, searchPatients } from '../store/charts/projection';
import type { OpenStore } from '../store/data-dir';
import { requireMeta } from '../store/repositories/meta';
import {
  countEntries,
  getEntry,
  insertSignedEntry,
  listEntries,
  type EntryAuthor,
} from '../store/repositories/entries';
import { ed25519Signer } from '../store/crypto/ed25519';
import { randomUUID } from 'node:crypto';
import type { Receipt } from '../../anchor-queue';
import { buildReceipt, ReceiptUnavailableError } from '../store/anchor-log/receipts';
import { Anchoring } from './anchoring';
import { SyncService } from './sync/sync-service';
import { listPeers, unsentCount } from '../store/sync/peers';
import { openConflictCount } from '../store/sync/conflicts';
import type { z } from 'zod';

const BODY_SCHEMAS: Record<EntryKind, z.ZodType<Record<string, unknown>>> = {
  vitals: VitalSigns as unknown as z.ZodType<Record<string, unknown>>,
  note: ClinicalNote,
  encounter: Encounter as unknown as z.ZodType<Record<string, unknown>>,
  'device-reading': DeviceReading as unknown as z.ZodType<Record<string, unknown>>,
  'lab-result': LabResult as unknown as z.ZodType<Record<string, unknown>>,
};

export interface ClinicOptions {
  /** How many chart documents stay in memory (defaults suit a clinic; tests lower them). */
  loadedLimits?: Partial<LoadedLimits>;
}

export class Clinic {
  readonly store: OpenStore;
  readonly charts: ChartStore;
  readonly clinicName: string;
  readonly deviceId: string;
  readonly anchoring: Anchoring;
  readonly devices: DeviceService;
  readonly sync: SyncService;
  #emit: <E extends EventName>(event: E, data: EventPayload<E>) => void = () => {};

  private constructor(store: OpenStore, opts: ClinicOptions) {
    this.store = store;
    this.clinicName = requireMeta(store.db, 'clinic.name');
    this.deviceId = requireMeta(store.db, 'device.id');
    this.charts = new ChartStore(store.db, this.deviceId, opts.loadedLimits);
    this.anchoring = new Anchoring(store.db, store.dataKey, { log: (m) => console.error(m) });
    this.devices = new DeviceService(this, {
      live: (d) => this.#emit('device.live', d),
      state: (connectionId) => this.#emit('device.state', { connectionId }),
      inbox: () => this.#emit('lab.inbox', {}),
    });
    this.sync = new SyncService({
      db: store.db,
      dataKey: store.dataKey,
      charts: this.charts,
      clinicName: this.clinicName,
      log: (m) => console.error(m),
      onStatus: () => this.#emit('sync.status', {}),
      onConflicts: () => this.#emit('conflicts.changed', {}),
      onPatient: (patientId) => this.#emit('patient.changed', { patientId }),
    });
  }

  /** Where the clinic's own events (devices, lab inbox) go: the host forwards them to clients. */
  onEvent(emit: <E extends EventName>(event: E, data: EventPayload<E>) => void): void {
    this.#emit = emit;
  }

  static async open(store: OpenStore, opts: ClinicOptions = {}): Promise<Clinic> {
    const clinic = new Clinic(store, opts);
    await clinic.charts.reconcile();
    await clinic.sync.start();
    return clinic;
  }

  get db() {
    return this.store.db;
  }

  async close(): Promise<void> {
    await this.sync.stop();
    await this.devices.stop();
    await this.anchoring.stop();
    await this.charts.close();
    this.store.db.close();
  }

  // ---- Lab inbox and recordings ----

  labInbox(user: UserRow, status: 'pending' | 'matched' | 'all'): LabInboxItem[] {
    return this.db.transaction(() => {
      const rows = listInbox(this.db, status);
      appendAudit(this.db, { actorId: user.id, action: 'lab.inbox.read', detail: { items: rows.length } });
      return rows.map((r) => ({
        id: r.id,
        receivedAt: r.received_at,
        analyzer: r.analyzer,
        sampleId: r.sample_id,
        patientIds: JSON.parse(r.patient_ids) as string[],
        results: (JSON.parse(r.results) as LabResult[]).map((b) => ({
          test: b.code.display ?? b.testId?.filter(Boolean).join(' ') ?? b.code.code,
          value: b.value,
          unit: b.unit,
          abnormalFlag: b.abnormalFlag,
        })),
        status: r.status,
        patientId: r.patient_id,
      }));
    })();
  }

  /** Files an unmatched lab result under a patient: each result becomes a signed lab-result entry. */
  reconcileLab(user: UserRow, inboxId: string, patientId: string): number {
    return this.db.transaction(() => {
      const item = getInboxItem(this.db, inboxId);
      if (!item) throw new ApiError('NOT_FOUND', 'No lab inbox item with that id.');
      if (item.status !== 'pending') throw new ApiError('CONFLICT', 'This result was already filed under a patient.');
      if (!patientExists(this.db, patientId)) throw new ApiError('NOT_FOUND', 'No patient with that id.');
      const results = (JSON.parse(item.results) as unknown[]).map((r) => LabResult.parse(r));
      for (const body of results) this.recordEntry(user, patientId, 'lab-result', body);
      resolveInboxItem(this.db, inboxId, patientId, user.id);
      appendAudit(this.db, {
        actorId: user.id,
        action: 'lab.reconcile',
        patientId,
        entityId: inboxId,
        detail: { results: results.length },
      });
      return results.length;
    })();
  }

  recordings(user: UserRow, patientId: string): RecordingSummary[] {
    return this.db.transaction(() => {
      const rows = listRecordings(this.db, patientId);
      appendAudit(this.db, {
        actorId: user.id,
        action: 'patient.recordings.read',
        patientId,
        detail: { recordings: rows.length },
      });
      return rows.map((r) => ({
        id: r.id,
        code: r.code,
        sampleRate: r.sample_rate,
        startedAt: r.started_at,
        chunks: r.chunks,
        connectionId: r.connection_id,
      }));
    })();
  }

  recordingSamples(user: UserRow, recordingId: string, fromSeq: number, limit: number) {
    return this.db.transaction(() => {
      const rec = getRecording(this.db, recordingId);
      if (!rec) throw new ApiError('NOT_FOUND', 'No recording with that id.');
      const chunks = readChunks(this.db, recordingId, fromSeq, limit).map((c) => {
        const view = new DataView(c.data.buffer, c.data.byteOffset, c.data.byteLength);
        const samples = Array.from({ length: c.data.byteLength / 2 }, (_, i) => view.getInt16(i * 2, true));
        return { seq: c.seq, t0: c.t0, sampleRate: c.sample_rate, samples };
      });
      appendAudit(this.db, {
        actorId: user.id,
        action: 'recording.read',
        patientId: rec.patient_id,
        entityId: recordingId,
        detail: { chunks: chunks.length },
      });
      return chunks;
    })();
  }

  // ---- Anchoring ----

  /**
   * The receipt of an entry; reading it is a read of the entry, so it is audited
   * (actor null: the command line, run by whoever holds the database passphrase).
   */
  entryReceipt(actorId: string | null, entryId: string): Receipt {
    return this.db.transaction(() => {
      const entry = getEntry(this.db, entryId);
      if (!entry) throw new ApiError('NOT_FOUND', 'No entry with that id.');
      let receipt: Receipt;
      try {
        receipt = buildReceipt(this.db, 'entry', entryId, this.anchoring.latestAnchor());
      } catch (err) {
        if (err instanceof ReceiptUnavailableError) throw new ApiError('CONFLICT', err.message);
        throw err;
      }
      appendAudit(this.db, { actorId, action: 'entry.receipt', patientId: entry.patientId, entityId: entryId });
      return receipt;
    })();
  }

  // ---- Patients ----

  registerPatient(user: UserRow, reg: PatientRegistration): Promise<PatientSummary> {
    return this.charts.register(reg, user.id);
  }

  searchPatients(user: UserRow, query: string, limit: number): PatientSummary[] {
    return this.db.transaction(() => {
      const patients = searchPatients(this.db, query, limit);
      appendAudit(this.db, {
        actorId: user.id,
        action: 'patient.search',
        detail: { results: patients.length, ids: patients.map((p) => p.id) },
      });
      return patients;
    })();
  }

  async getChart(user: UserRow, patientId: string): Promise<{ chart: PatientChart; entries: Entry[] }> {
    const chart = await this.charts.read(patientId);
    const mayReadEntries = hasCapability(user.role, 'entries.read');
    return this.db.transaction(() => {
      const entries = mayReadEntries ? listEntries(this.db, patientId) : [];
      appendAudit(this.db, {
        actorId: user.id,
        action: 'patient.read',
        patientId,
        entityId: patientId,
        detail: { entries: entries.length },
      });
      return { chart, entries };
    })();
  }

  addAllergy(user: UserRow, patientId: string, text: string): Promise<PatientChart> {
    const id = randomUUID();
    const at = new Date().toISOString();
    return this.charts.change(patientId, user.id, { action: 'patient.allergy.add', entityId: id }, (doc) => {
      doc.allergies.push(listEntry(id, text, at, user.id));
    });
  }

  // ---- Entries ----

  recordEntry(
    user: UserRow,
    patientId: string,
    kind: EntryKind,
    body: Record<string, unknown>,
    createdAt?: Date,
  ): Entry {
    return this.db.transaction(() => {
      if (!patientExists(this.db, patientId)) throw new ApiError('NOT_FOUND', 'No patient with that id.');
      const entry = insertSignedEntry(this.db, this.author(user), { patientId, kind, body, createdAt });
      appendAudit(this.db, {
        actorId: user.id,
        action: 'entry.create',
        patientId,
        entityId: entry.id,
        detail: { kind },
      });
      return entry;
    })();
  }

  amendEntry(user: UserRow, entryId: string, reason: string, rawBody: Record<string, unknown>): Entry {
    return this.db.transaction(() => {
      const original = getEntry(this.db, entryId);
      if (!original) throw new ApiError('NOT_FOUND', 'No entry with that id.');
      if (original.amendedBy.length > 0) {
        throw new ApiError('CONFLICT', 'This entry has already been amended: amend its latest version instead.');
      }
      if (original.authorId !== user.id && !hasCapability(user.role, 'entries.amendOthers')) {
        throw new ApiError('FORBIDDEN', 'Only the author, a doctor or an administrator may amend this entry.');
      }
      const parsed = BODY_SCHEMAS[original.kind].safeParse(rawBody);
      if (!parsed.success) {
        throw new ApiError(
          'VALIDATION',
          parsed.error.issues.map((i) => i.message).join('; '),
          parsed.error.issues.map((i) => ({ path: ['body', ...i.path].join('.'), message: i.message })),
        );
      }
      const amendment = insertSignedEntry(this.db, this.author(user), {
        patientId: original.patientId,
        kind: original.kind,
        body: parsed.data,
        amends: original.id,
        amendReason: reason,
      });
      appendAudit(this.db, {
        actorId: user.id,
        action: 'entry.amend',
        patientId: original.patientId,
        entityId: amendment.id,
        detail: { kind: original.kind, amends: original.id },
      });
      return amendment;
    })();
  }

  /** Signers are prepared once per user and kept in host memory, next to the database key. */
  readonly #authors = new Map<string, EntryAuthor & { displayName: string; role: UserRow['role'] }>();
  private author(user: UserRow) {
    let author = this.#authors.get(user.id);
    if (!author) {
      author = {
        id: user.id,
        displayName: user.display_name,
        role: user.role,
        publicKey: new Uint8Array(user.public_key),
        sign: ed25519Signer(userSigningKey(this.store.dataKey, user)),
      };
      this.#authors.set(user.id, author);
    }
    return author;
  }

  stats(): Stats {
    const anchoring = this.anchoring.status();
    return {
      patients: countPatients(this.db),
      entries: countEntries(this.db),
      auditRecords: auditCount(this.db),
      users: countUsers(this.db),
      leaves: anchoring.leaves,
      checkpoints: anchoring.checkpoints,
      anchored: anchoring.anchored,
      pendingAnchors: anchoring.pendingAnchors,
      peers: listPeers(this.db).filter((p) => p.device_id !== this.deviceId).length,
      unsentChanges: unsentCount(this.db),
      conflicts: openConflictCount(this.db),
    };
  }
}
