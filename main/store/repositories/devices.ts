// Device connections, the raw byte log, waveform recordings and the lab inbox.
import { randomUUID } from 'node:crypto';
import { sha256 } from '../crypto/hash';
import type { Db } from '../database';
import { stmt } from '../statements';

export interface DeviceConnectionRow {
  id: string;
  profile_id: string;
  path: string;
  label: string;
  patient_id: string | null;
  created_at: string;
  enabled: number;
}

export function createConnection(
  db: Db,
  c: { profileId: string; path: string; label: string; patientId: string | null },
): DeviceConnectionRow {
  const row: DeviceConnectionRow = {
    id: randomUUID(),
    profile_id: c.profileId,
    path: c.path,
    label: c.label,
    patient_id: c.patientId,
    created_at: new Date().toISOString(),
    enabled: 1,
  };
  stmt(
    db,
    'INSERT INTO device_connections (id, profile_id, path, label, patient_id, created_at, enabled) VALUES (@id, @profile_id, @path, @label, @patient_id, @created_at, @enabled)',
  ).run(row);
  return row;
}

export const getConnection = (db: Db, id: string) =>
  stmt<[string], DeviceConnectionRow>(db, 'SELECT * FROM device_connections WHERE id = ?').get(id);

export const listConnections = (db: Db, onlyEnabled = false) =>
  stmt<[], DeviceConnectionRow>(
    db,
    `SELECT * FROM device_connections ${onlyEnabled ? 'WHERE enabled = 1' : ''} ORDER BY created_at`,
  ).all();

export function setConnectionPatient(db: Db, id: string, patientId: string | null): void {
  stmt(db, 'UPDATE device_connections SET patient_id = ? WHERE id = ?').run(patientId, id);
}

export function setConnectionEnabled(db: Db, id: string, enabled: boolean): void {
  stmt(db, 'UPDATE device_connections SET enabled = ? WHERE id = ?').run(enabled ? 1 : 0, id);
}

/** True when this message was stored before (the caller then skips storing it again). */
export function markMessageStored(db: Db, key: string, connectionId: string): boolean {
  const r = stmt(
    db,
    'INSERT OR IGNORE INTO device_messages (idempotency_key, connection_id, stored_at) VALUES (?, ?, ?)',
  ).run(key, connectionId, new Date().toISOString());
  return r.changes === 0;
}

// ---- Waveforms: fixed-length chunks, each with its own SHA-256 ----

export function startRecording(
  db: Db,
  r: { patientId: string; connectionId: string; code: string; sampleRate: number; codec: string; startedAt: string },
): string {
  const id = randomUUID();
  stmt(
    db,
    'INSERT INTO recordings (id, patient_id, connection_id, code, sample_rate, codec, started_at) VALUES (?,?,?,?,?,?,?)',
  ).run(id, r.patientId, r.connectionId, r.code, r.sampleRate, r.codec, r.startedAt);
  return id;
}

export function appendChunk(
  db: Db,
  c: { recordingId: string; seq: number; t0: number; sampleRate: number; codec: string; data: Uint8Array },
): Uint8Array {
  const hash = sha256(c.data);
  stmt(
    db,
    'INSERT INTO waveform_chunks (recording_id, seq, t0, sample_rate, codec, data, sha256) VALUES (?,?,?,?,?,?,?)',
  ).run(c.recordingId, c.seq, c.t0, c.sampleRate, c.codec, c.data, hash);
  return hash;
}

export interface RecordingRow {
  id: string;
  patient_id: string;
  connection_id: string;
  code: string;
  sample_rate: number;
  codec: string;
  started_at: string;
}

export const listRecordings = (db: Db, patientId: string) =>
  stmt<[string], RecordingRow & { chunks: number }>(
    db,
    'SELECT r.*, (SELECT count(*) FROM waveform_chunks c WHERE c.recording_id = r.id) AS chunks FROM recordings r WHERE patient_id = ? ORDER BY started_at DESC',
  ).all(patientId);

export const getRecording = (db: Db, id: string) =>
  stmt<[string], RecordingRow>(db, 'SELECT * FROM recordings WHERE id = ?').get(id);

export const readChunks = (db: Db, recordingId: string, fromSeq: number, limit: number) =>
  stmt<
    [string, number, number],
    { seq: number; t0: number; sample_rate: number; codec: string; data: Buffer; sha256: Buffer }
  >(
    db,
    'SELECT seq, t0, sample_rate, codec, data, sha256 FROM waveform_chunks WHERE recording_id = ? AND seq >= ? ORDER BY seq LIMIT ?',
  ).all(recordingId, fromSeq, limit);

// ---- Lab inbox: results that match no registered patient wait here ----

export interface LabInboxRow {
  id: string;
  received_at: string;
  connection_id: string | null;
  analyzer: string;
  sample_id: string | null;
  patient_ids: string;
  results: string;
  status: 'pending' | 'matched';
  patient_id: string | null;
  resolved_by: string | null;
  resolved_at: string | null;
}

export function addToInbox(
  db: Db,
  i: {
    connectionId: string | null;
    analyzer: string;
    sampleId: string | null;
    patientIds: string[];
    results: unknown[];
  },
): string {
  const id = randomUUID();
  stmt(
    db,
    "INSERT INTO lab_inbox (id, received_at, connection_id, analyzer, sample_id, patient_ids, results, status) VALUES (?,?,?,?,?,?,?,'pending')",
  ).run(
    id,
    new Date().toISOString(),
    i.connectionId,
    i.analyzer,
    i.sampleId,
    JSON.stringify(i.patientIds),
    JSON.stringify(i.results),
  );
  return id;
}

export const listInbox = (db: Db, status: 'pending' | 'matched' | 'all') =>
  status === 'all'
    ? stmt<[], LabInboxRow>(db, 'SELECT * FROM lab_inbox ORDER BY received_at DESC LIMIT 500').all()
    : stmt<[string], LabInboxRow>(
        db,
        'SELECT * FROM lab_inbox WHERE status = ? ORDER BY received_at DESC LIMIT 500',
      ).all(status);

export const getInboxItem = (db: Db, id: string) =>
  stmt<[string], LabInboxRow>(db, 'SELECT * FROM lab_inbox WHERE id = ?').get(id);

export function resolveInboxItem(db: Db, id: string, patientId: string, userId: string): void {
  const r = stmt(
    db,
    "UPDATE lab_inbox SET status = 'matched', patient_id = ?, resolved_by = ?, resolved_at = ? WHERE id = ? AND status = 'pending'",
  ).run(patientId, userId, new Date().toISOString(), id);
  if (r.changes !== 1) throw new Error('inbox item is not pending');
}

/** Finds the patient a lab result names: by MRN or national ID, exactly. */
export function findPatientByIdentifier(db: Db, ids: readonly string[]): string | null {
  for (const raw of ids) {
    const id = raw.trim();
    if (!id) continue;
    const r = stmt<[string, string], { id: string }>(
      db,
      'SELECT id FROM patients WHERE mrn = ? OR national_id = ? LIMIT 2',
    ).all(id, id);
    if (r.length === 1) return r[0]!.id;
  }
  return null;
}

// ---- Raw byte log (device-bridge RawByteLog contract) ----

export function appendRawBytes(
  db: Db,
  connectionId: string,
  direction: 'in' | 'out' | 'open' | 'close',
  bytes: Uint8Array,
  at: number,
): number {
  const last = stmt<[string], { seq: number }>(db, 'SELECT max(seq) AS seq FROM raw_bytes WHERE connection_id = ?').get(
    connectionId,
  );
  const seq = (last?.seq ?? 0) + 1;
  stmt(db, 'INSERT INTO raw_bytes (connection_id, seq, direction, at, data) VALUES (?,?,?,?,?)').run(
    connectionId,
    seq,
    direction,
    at,
    Buffer.from(bytes),
  );
  return seq;
}

export function* iterateRawBytes(db: Db, connectionId: string, fromSeq = 1) {
  const rows = stmt<
    [string, number],
    { seq: number; direction: 'in' | 'out' | 'open' | 'close'; at: number; data: Buffer }
  >(db, 'SELECT seq, direction, at, data FROM raw_bytes WHERE connection_id = ? AND seq >= ? ORDER BY seq').all(
    connectionId,
    fromSeq,
  );
  for (const r of rows)
    yield { connectionId, seq: r.seq, direction: r.direction, at: r.at, bytes: new Uint8Array(r.data) };
}
