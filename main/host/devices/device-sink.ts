// The durable sink of a device connection: what the bridge decoded becomes chart
// data in ONE transaction per call, and only after that commits does the session
// acknowledge the device. Bedside numerics become signed device-reading entries of
// the attached patient (throttled, abnormal always kept); waveforms become
// fixed-size chunks of a recording; lab results become lab-result entries of the
// patient they name, or wait in the lab inbox — never dropped.
import { LabResult, type EntryKind } from '../../api';
import type {
  DecodedItem,
  DeviceProfile,
  NumericObservation,
  StoreContext,
  TextObservation,
  WaveformChunk,
} from '../../../device-bridge';
import type { UserRow } from '../../access/users';
import { appendAudit } from '../../access/audit-log';
import {
  addToInbox,
  appendChunk,
  findPatientByIdentifier,
  getConnection,
  markMessageStored,
  startRecording,
} from '../../store/repositories/devices';
import type { Clinic } from '../clinic';
import { isAbnormal, numericLabel, RecordThrottle } from './observation-rules';

export interface LiveData {
  connectionId: string;
  patientId: string | null;
  numerics: { code: string; label: string; value: number; unit: string | null; abnormal: boolean }[];
  waveform: { code: string; label: string; sampleRate: number; samples: number[] } | null;
}

type Observation = NumericObservation | TextObservation;

export function labResultBody(o: Observation, analyzer: string) {
  return LabResult.parse({
    code: o.code,
    ...(o.altCodes?.length ? { altCodes: o.altCodes.slice(0, 8) } : {}),
    ...(o.testId ? { testId: o.testId.slice(0, 8) } : {}),
    value: o.value,
    ...(o.kind === 'numeric' && o.comparator ? { comparator: o.comparator } : {}),
    unit: o.unit ?? null,
    referenceRange: o.referenceRange ?? null,
    abnormalFlag: o.abnormalFlag ?? null,
    status: o.status ?? null,
    observedAt: o.observedAt ?? null,
    sampleId: o.sampleId ?? null,
    analyzer,
    ...(o.comments?.length ? { comments: o.comments.slice(0, 20) } : {}),
  });
}

function int16le(samples: Int16Array | number[]): Uint8Array {
  const out = new Uint8Array(samples.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < samples.length; i++)
    view.setInt16(i * 2, Math.max(-32768, Math.min(32767, Math.round(samples[i]!))), true);
  return out;
}

export class DeviceSink {
  readonly #throttle = new RecordThrottle();
  /**
   * Open recording per connection, waveform code and channel: its id, next chunk
   * number and the samples not yet written. Chunks are one second of samples, so a
   * 500 Hz ECG writes one row a second, not one per 10-sample frame; a crash loses at
   * most that unwritten second (streams are never acknowledged to the device).
   */
  #recordings = new Map<
    string,
    { id: string; patientId: string; nextSeq: number; pending: number[]; pendingT0: number; rate: number }
  >();

  constructor(
    private readonly clinic: Clinic,
    private readonly bridgeUser: UserRow,
    private readonly onLive: (live: LiveData) => void,
    private readonly onInbox: () => void,
  ) {}

  /** The ItemSink for one connection (device-bridge session contract). */
  forConnection(profile: DeviceProfile) {
    return async (items: DecodedItem[], ctx: StoreContext): Promise<void> => {
      const live = this.store(items, ctx, profile);
      if (live) this.onLive(live);
    };
  }

  store(items: DecodedItem[], ctx: StoreContext, profile: DeviceProfile): LiveData | null {
    const db = this.clinic.db;
    let inboxChanged = false;
    // The throttle and the open recordings change as items are stored; if the
    // transaction rolls back (the device will send again), they must roll back too.
    const throttleBefore = this.#throttle.snapshot();
    const recordingsBefore = new Map([...this.#recordings].map(([k, v]) => [k, { ...v, pending: [...v.pending] }]));
    const store = db.transaction((): LiveData | null => {
      const conn = getConnection(db, ctx.connectionId);
      if (!conn) throw new Error(`unknown device connection ${ctx.connectionId}`);
      // A retransmitted message (lost ACK) is acknowledged again but stored once.
      if (ctx.idempotencyKey && markMessageStored(db, ctx.idempotencyKey, ctx.connectionId)) return null;
      const observations = items.filter((i): i is Observation => i.kind === 'numeric' || i.kind === 'text');
      if (profile.kind === 'lab') {
        inboxChanged = this.#storeLabResults(observations, conn.label, ctx.connectionId);
        return null;
      }
      const result: LiveData = { connectionId: conn.id, patientId: conn.patient_id, numerics: [], waveform: null };
      for (const o of observations) {
        if (o.kind !== 'numeric') continue;
        const abnormal = isAbnormal(o);
        const label = numericLabel(o);
        result.numerics.push({
          code: `${o.code.system}:${o.code.code}`,
          label,
          value: o.value,
          unit: o.unit ?? null,
          abnormal,
        });
        if (conn.patient_id && this.#throttle.shouldRecord(conn.id, o, ctx.receivedAt, abnormal)) {
          this.#record(conn.patient_id, 'device-reading', {
            code: o.code,
            ...(o.altCodes?.length ? { altCodes: o.altCodes.slice(0, 8) } : {}),
            value: o.value,
            unit: o.unit ?? null,
            observedAt: o.observedAt ?? new Date(ctx.receivedAt).toISOString(),
            device: { profile: profile.id, connectionId: conn.id, label: conn.label },
            abnormal,
          });
        }
      }
      for (const w of items.filter((i): i is WaveformChunk => i.kind === 'waveform')) {
        const samples = Array.from(w.samples);
        if (!result.waveform)
          result.waveform = {
            code: `${w.code.system}:${w.code.code}`,
            label: w.code.display ?? w.code.code,
            sampleRate: w.sampleRate ?? 0,
            samples: [],
          };
        result.waveform.samples.push(...samples);
        if (conn.patient_id && w.sampleRate) this.#storeChunk(conn.id, conn.patient_id, w, ctx.receivedAt);
      }
      return result;
    });
    let live: LiveData | null;
    try {
      live = store();
    } catch (err) {
      this.#throttle.restore(throttleBefore);
      this.#recordings = recordingsBefore;
      throw err;
    }
    if (inboxChanged) this.onInbox();
    return live;
  }

  #record(patientId: string, kind: EntryKind, body: Record<string, unknown>): void {
    this.clinic.recordEntry(this.bridgeUser, patientId, kind, body);
  }

  #storeChunk(connectionId: string, patientId: string, w: WaveformChunk, receivedAt: number): void {
    const db = this.clinic.db;
    const key = `${connectionId}|${w.code.system}:${w.code.code}|${w.channel ?? 0}`;
    let rec = this.#recordings.get(key);
    if (!rec || rec.patientId !== patientId || rec.rate !== w.sampleRate) {
      const id = startRecording(db, {
        patientId,
        connectionId,
        code: `${w.code.system}:${w.code.code}`,
        sampleRate: w.sampleRate!,
        codec: 'i16le',
        startedAt: new Date(receivedAt).toISOString(),
      });
      rec = {
        id,
        patientId,
        nextSeq: 0,
        pending: [],
        pendingT0: w.t0 ? Date.parse(w.t0) : receivedAt,
        rate: w.sampleRate!,
      };
      this.#recordings.set(key, rec);
      appendAudit(db, {
        actorId: this.bridgeUser.id,
        action: 'recording.start',
        patientId,
        entityId: id,
        detail: { connectionId },
      });
    }
    if (rec.pending.length === 0) rec.pendingT0 = w.t0 ? Date.parse(w.t0) : receivedAt;
    for (const v of w.samples) rec.pending.push(v);
    const chunkLength = Math.max(1, Math.round(rec.rate));
    while (rec.pending.length >= chunkLength) {
      const samples = rec.pending.splice(0, chunkLength);
      appendChunk(db, {
        recordingId: rec.id,
        seq: rec.nextSeq,
        t0: rec.pendingT0,
        sampleRate: rec.rate,
        codec: 'i16le',
        data: int16le(samples),
      });
      rec.nextSeq++;
      rec.pendingT0 += (chunkLength / rec.rate) * 1000;
    }
  }

  /** Groups results by the patient ids and sample they name; returns true when the inbox grew. */
  #storeLabResults(observations: Observation[], analyzer: string, connectionId: string): boolean {
    const groups = new Map<string, Observation[]>();
    for (const o of observations) {
      const k = JSON.stringify([o.patientIds ?? [], o.sampleId ?? null]);
      groups.set(k, [...(groups.get(k) ?? []), o]);
    }
    let inbox = false;
    for (const [k, group] of groups) {
      const [patientIds, sampleId] = JSON.parse(k) as [string[], string | null];
      const bodies = group.map((o) => labResultBody(o, analyzer));
      const patientId = findPatientByIdentifier(this.clinic.db, patientIds);
      if (patientId) {
        for (const b of bodies) this.#record(patientId, 'lab-result', b);
      } else {
        const id = addToInbox(this.clinic.db, { connectionId, analyzer, sampleId, patientIds, results: bodies });
        appendAudit(this.clinic.db, {
          actorId: this.bridgeUser.id,
          action: 'lab.inbox.add',
          entityId: id,
          detail: { results: bodies.length },
        });
        inbox = true;
      }
    }
    return inbox;
  }
}
