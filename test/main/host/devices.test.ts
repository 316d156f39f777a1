// Device data into the chart: the sink (throttling, abnormal values, waveform
// chunks, lab matching, the inbox, idempotency), reconciliation, and the whole path
// from a simulated pulse oximeter on a real pty pair (socat) through serialport,
// the supervisor and the sink into signed entries.
import { afterAll, describe, expect, it } from 'vitest';
import {
  closeAllPtyPairs,
  listProfiles,
  startSimulator,
  type DecodedItem,
  type DeviceProfile,
  type NumericObservation,
} from '../../../device-bridge';
import { Clinic } from '../../../main/host/clinic';
import { DeviceSink, type LiveData } from '../../../main/host/devices/device-sink';
import { ensureBridgeUser } from '../../../main/host/devices/device-service';
import { createConnection, listInbox } from '../../../main/store/repositories/devices';
import { listEntries } from '../../../main/store/repositories/entries';
import { getUserByUsername, createUser } from '../../../main/access/users';
import { cloneStore, samplePatient, useStoreTemplate } from '../../helpers/store';

const template = useStoreTemplate();
const profile = (id: string): DeviceProfile => listProfiles().find((p) => p.id === id)!;
const spo2 = (value: number): NumericObservation => ({
  kind: 'numeric',
  code: { system: 'LOINC', code: '59408-5' },
  value,
  unit: '%',
});

afterAll(() => closeAllPtyPairs());

async function setup() {
  const store = cloneStore(template());
  await createUser(
    store.db,
    store.dataKey,
    { username: 'lab', displayName: 'Lab', role: 'lab_technician', password: 'lab-password-1' },
    null,
  );
  const clinic = await Clinic.open(store);
  const lab = getUserByUsername(store.db, 'lab')!;
  const patient = await clinic.registerPatient(lab, samplePatient({ nationalId: '198503140077' }));
  let inboxEvents = 0;
  const sink = new DeviceSink(
    clinic,
    await ensureBridgeUser(clinic),
    () => {},
    () => inboxEvents++,
  );
  return { clinic, lab, patient, sink, inbox: () => inboxEvents };
}

describe('device sink', () => {
  it('records one reading per code every 30 s, every abnormal one, and only for an attached patient', async () => {
    const { clinic, patient, sink } = await setup();
    const live: LiveData[] = [];
    const oxi = profile('contec-cms50d-plus');
    const attached = createConnection(clinic.db, {
      profileId: oxi.id,
      path: '/dev/null',
      label: 'Oximeter',
      patientId: patient.id,
    });
    const loose = createConnection(clinic.db, {
      profileId: oxi.id,
      path: '/dev/null2',
      label: 'Spare',
      patientId: null,
    });
    const ctx = (connectionId: string, receivedAt: number) => ({
      connectionId,
      profileId: oxi.id,
      protocol: 'cms50d' as const,
      receivedAt,
    });
    const t0 = Date.parse('2026-11-20T10:00:00Z');
    const store = (value: number, connectionId: string, at: number) =>
      live.push(sink.store([spo2(value)], ctx(connectionId, at), oxi)!);
    store(97, attached.id, t0);
    store(96, attached.id, t0 + 10_000); // throttled
    store(84, attached.id, t0 + 12_000); // abnormal: always recorded
    store(97, attached.id, t0 + 45_000); // 30 s after the last recorded
    store(97, loose.id, t0); // not attached: live only
    const readings = listEntries(clinic.db, patient.id).filter((e) => e.kind === 'device-reading');
    expect(readings.map((e) => (e.body as { value: number }).value)).toEqual([97, 84, 97]);
    expect(readings.every((e) => e.signatureValid && e.authorName === 'Device bridge')).toBe(true);
    expect((readings[1]!.body as { abnormal: boolean }).abnormal).toBe(true);
    expect(live.map((l) => l.numerics[0]!.value)).toEqual([97, 96, 84, 97, 97]);
    expect(live.at(-1)!.patientId).toBeNull();
    await clinic.close();
  });

  it('stores waveforms in one-second chunks with their SHA-256', async () => {
    const { clinic, patient, sink } = await setup();
    const ecg = profile('sijill-ecg-stream');
    const conn = createConnection(clinic.db, {
      profileId: ecg.id,
      path: '/dev/null',
      label: 'ECG',
      patientId: patient.id,
    });
    const frame = (n: number): DecodedItem => ({
      kind: 'waveform',
      code: { system: 'local', code: 'ECG-CH1' },
      sampleRate: 250,
      samples: Int16Array.from({ length: 10 }, (_, i) => n * 10 + i),
    });
    for (let n = 0; n < 60; n++)
      sink.store(
        [frame(n)],
        { connectionId: conn.id, profileId: ecg.id, protocol: 'ecg', receivedAt: 1_000 + n * 40 },
        ecg,
      );
    const chunks = clinic.db
      .prepare('SELECT seq, length(data) AS bytes, sha256, data FROM waveform_chunks ORDER BY seq')
      .all() as { seq: number; bytes: number; data: Buffer }[];
    expect(chunks.map((c) => [c.seq, c.bytes])).toEqual([
      [0, 500],
      [1, 500],
    ]); // 600 samples: two full seconds written, 100 pending
    const user = getUserByUsername(clinic.db, 'lab')!;
    const read = clinic.recordingSamples(
      user,
      (clinic.db.prepare('SELECT id FROM recordings').get() as { id: string }).id,
      1,
      10,
    );
    expect(read[0]!.samples.slice(0, 3)).toEqual([250, 251, 252]);
    await clinic.close();
  });

  it('files lab results under the patient they name, else in the inbox; reconciling makes signed entries', async () => {
    const { clinic, patient, sink, lab, inbox } = await setup();
    const analyzer = profile('astm-chemistry');
    const conn = createConnection(clinic.db, {
      profileId: analyzer.id,
      path: '/dev/null',
      label: 'Cobas',
      patientId: null,
    });
    const result = (patientIds: string[], value: number): NumericObservation => ({
      kind: 'numeric',
      code: { system: 'local', code: 'GLU' },
      value,
      unit: 'mmol/L',
      referenceRange: '3.9-5.5',
      abnormalFlag: value > 5.5 ? 'H' : 'N',
      patientIds,
      sampleId: 'S1',
    });
    const ctx = { connectionId: conn.id, profileId: analyzer.id, protocol: 'astm' as const, receivedAt: Date.now() };
    sink.store([result([patient.mrn], 7.2)], { ...ctx, idempotencyKey: 'msg-1' }, analyzer);
    sink.store([result([patient.mrn], 7.2)], { ...ctx, idempotencyKey: 'msg-1' }, analyzer); // retransmission
    sink.store([result(['UNKNOWN-42'], 4.8)], { ...ctx, idempotencyKey: 'msg-2' }, analyzer);
    const labEntries = () => listEntries(clinic.db, patient.id).filter((e) => e.kind === 'lab-result');
    expect(labEntries()).toHaveLength(1);
    expect(labEntries()[0]!.body).toMatchObject({ value: 7.2, unit: 'mmol/L', abnormalFlag: 'H', analyzer: 'Cobas' });
    expect(listInbox(clinic.db, 'pending')).toHaveLength(1);
    expect(inbox()).toBe(1);
    const pending = clinic.labInbox(lab, 'pending');
    expect(pending[0]).toMatchObject({ patientIds: ['UNKNOWN-42'], results: [{ value: 4.8, unit: 'mmol/L' }] });
    expect(clinic.reconcileLab(lab, pending[0]!.id, patient.id)).toBe(1);
    expect(labEntries()).toHaveLength(2);
    expect(() => clinic.reconcileLab(lab, pending[0]!.id, patient.id)).toThrow(/already filed/);
    expect(clinic.labInbox(lab, 'pending')).toEqual([]);
    await clinic.close();
  });
});

describe('a simulated pulse oximeter on a pty pair, end to end', () => {
  it('connects, records readings and pleth into the attached chart, and disconnects', async () => {
    const { clinic, patient } = await setup();
    const sim = await startSimulator('cms50d', { pty: true });
    try {
      const conn = await clinic.devices.connect(null, {
        profileId: 'contec-cms50d-plus',
        path: sim.path!,
        label: 'Bed 1',
        patientId: patient.id,
      });
      await expect.poll(() => clinic.devices.describe(conn.id).state, { timeout: 15_000 }).toBe('connected');
      await expect
        .poll(() => listEntries(clinic.db, patient.id).filter((e) => e.kind === 'device-reading').length, {
          timeout: 15_000,
        })
        .toBeGreaterThanOrEqual(2); // SpO2 and pulse
      const reading = listEntries(clinic.db, patient.id).find((e) => e.kind === 'device-reading')!;
      expect(reading.signatureValid).toBe(true);
      await expect
        .poll(() => (clinic.db.prepare('SELECT count(*) AS n FROM waveform_chunks').get() as { n: number }).n, {
          timeout: 15_000,
        })
        .toBeGreaterThan(0);
      const raw = clinic.db
        .prepare("SELECT count(*) AS n FROM raw_bytes WHERE connection_id = ? AND direction = 'out'")
        .get(conn.id) as { n: number };
      expect(raw.n).toBeGreaterThan(0); // the start-live-data command was sent and logged
      const off = await clinic.devices.disconnect(null, conn.id);
      expect(off).toMatchObject({ enabled: false, state: 'stopped' });
    } finally {
      await sim.stop();
      await clinic.close();
    }
  }, 40_000);
});
