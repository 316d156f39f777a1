// Device faults at host level, over real ptys (socat) and the real serial stack:
// - HL7: the host is killed between receiving a message and committing it → no ACK was sent; a new host on the same
//   data directory gets the sender's retransmission, commits it once, and only then answers MSA|AA.
// - ASTM: a corrupted frame is NAKed, the analyser's retransmission accepted, the result stored exactly once.
// - Unplug: the pty pair behind a stable path (a symlink, like /dev/serial/by-id/…) dies and a new one appears;
//   DeviceService's supervisor reconnects by the path and data flows into the chart and to subscribed clients again.
// The killed host is a child process (device-worker.ts); the others run in this process. Values are checked as
// signed chart entries and as 'device.live' events received by a nurse's WebSocket client.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ASTM_HAEMATOLOGY_ANALYSER,
  AstmSenderSimulator,
  cbcResults,
  closeAllPtyPairs,
  createPtyPair,
  listProfiles,
  hl7ControlId,
  hl7Get,
  hl7Segment,
  HL7_MONITOR,
  Hl7SenderSimulator,
  MllpFramer,
  parseHl7,
  SerialPortTransport,
  startSimulator,
  STX,
  vitalsFor,
  type ByteTransport,
  type DecodedItem,
  type LineSettings,
  type RunningSimulator,
  type TransportEvents,
} from '../../../device-bridge';
import type { Entry } from '../../../main/api';
import { createUser, getUserByUsername } from '../../../main/access/users';
import { Clinic } from '../../../main/host/clinic';
import { Host } from '../../../main/host/host';
import { startHttpServer, type RunningServer } from '../../../main/host/transports/http-server';
import { dbPath, initDataDir } from '../../../main/store/data-dir';
import { openEncryptedDatabase, type Db } from '../../../main/store/database';
import { listEntries } from '../../../main/store/repositories/entries';
import { DeviceSink } from '../../../main/host/devices/device-sink';
import { ensureBridgeUser } from '../../../main/host/devices/device-service';
import { createConnection } from '../../../main/store/repositories/devices';
import { cloneStore, samplePatient, useStoreTemplate } from '../../helpers/store';
import { TestClient } from './ws-client';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const PASSPHRASE = 'fault test passphrase, long enough';
const NURSE = { username: 'nurse', password: 'nurse-password-1' };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitFor<T>(get: () => T | undefined | false, what: string, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

// ---- cleanup of everything a test started (runs even when it fails) ----

const cleanups: (() => unknown)[] = [];
const onCleanup = (fn: () => unknown) => cleanups.push(fn);
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) {
    try {
      await fn();
    } catch {
      // keep cleaning
    }
  }
  await closeAllPtyPairs();
});

// ---- the device end of the cable: records what the host sends back, can be "unplugged" ----

interface Wire {
  transport: ByteTransport;
  /** Bytes the host sent to the device, with arrival times. */
  received: { at: number; bytes: Uint8Array }[];
  /** false: writes are lost on the way (cable pulled); the sender's timers run on. */
  connected: boolean;
}

async function openWire(path: string, line: LineSettings, mangle?: (bytes: Uint8Array) => Uint8Array): Promise<Wire> {
  const port = new SerialPortTransport({ path, line });
  await port.open();
  onCleanup(() => port.close());
  const wire: Wire = {
    received: [],
    connected: true,
    transport: {
      kind: port.kind,
      target: port.target,
      get isOpen() {
        return port.isOpen;
      },
      open: () => port.open(),
      close: () => port.close(),
      write: async (bytes) => {
        if (wire.connected) await port.write(mangle ? mangle(bytes) : bytes);
      },
      on: <E extends keyof TransportEvents>(event: E, listener: TransportEvents[E]) => port.on(event, listener),
    },
  };
  port.on('data', (bytes) => wire.received.push({ at: Date.now(), bytes }));
  return wire;
}

// ---- the worker: a host in its own process ----

type WorkerMessage = { type: string; [k: string]: unknown };

interface Worker {
  child: ChildProcess;
  messages: WorkerMessage[];
  next(type: string, timeoutMs?: number): Promise<WorkerMessage>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

function spawnWorker(dataDir: string, options: { holdCommit?: boolean; connect?: object } = {}): Worker {
  const args = [
    'bin/run-ts.js',
    'test/main/host/device-worker.ts',
    '--data',
    dataDir,
    '--renderer',
    join(dataDir, '..', 'renderer'),
  ];
  if (options.holdCommit) args.push('--hold-commit');
  if (options.connect) args.push('--connect', JSON.stringify(options.connect));
  const child = spawn(process.execPath, args, {
    cwd: REPO,
    env: { ...process.env, SIJILL_WORKER_PASSPHRASE: PASSPHRASE },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  onCleanup(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  const messages: WorkerMessage[] = [];
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
      messages.push(JSON.parse(out.slice(0, nl)) as WorkerMessage);
      out = out.slice(nl + 1);
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  return {
    child,
    messages,
    exited,
    stderr: () => err,
    next: (type, timeoutMs = 20_000) =>
      waitFor(
        () => {
          const fatal = messages.find((m) => m.type === 'fatal');
          if (fatal) throw new Error(`worker failed: ${String(fatal.message)}\n${err}`);
          if (child.exitCode !== null) throw new Error(`worker exited (${child.exitCode}) before '${type}'\n${err}`);
          return messages.find((m) => m.type === type);
        },
        `worker message '${type}'`,
        timeoutMs,
      ),
  };
}

async function nurseClient(wsUrl: string): Promise<TestClient> {
  const client = await TestClient.connect(wsUrl);
  onCleanup(() => client.close());
  client.token = (await client.call('auth.login', NURSE)).token;
  await client.call('auth.me', {}); // events are pushed once the connection has made an authenticated call
  return client;
}

type Live = { connectionId: string; patientId: string | null; numerics: { label: string; value: number }[] };
const liveEvents = (client: TestClient, connectionId: string, from = 0): Live[] =>
  client.events
    .slice(from)
    .filter((e) => e.event === 'device.live' && (e.data as Live).connectionId === connectionId)
    .map((e) => e.data as Live);

// ---- database views ----

const readings = (db: Db, patientId: string): Entry[] =>
  listEntries(db, patientId).filter((e) => e.kind === 'device-reading');
const labResults = (db: Db, patientId: string): Entry[] =>
  listEntries(db, patientId).filter((e) => e.kind === 'lab-result');
const storedKeys = (db: Db): string[] =>
  (db.prepare('SELECT idempotency_key AS k FROM device_messages ORDER BY k').all() as { k: string }[]).map((r) => r.k);
function rawLog(db: Db, connectionId: string, direction: 'in' | 'out' | 'open'): Buffer[] {
  const rows = db
    .prepare('SELECT data FROM raw_bytes WHERE connection_id = ? AND direction = ? ORDER BY seq')
    .all(connectionId, direction) as { data: Buffer }[];
  return rows.map((r) => r.data);
}
const bodyValue = (e: Entry) => (e.body as { value: number }).value;

/** MSA-1 and MSA-2 of every HL7 ACK in the bytes. */
function acksIn(chunks: readonly { bytes: Uint8Array }[]): string[] {
  const framer = new MllpFramer();
  const out: string[] = [];
  for (const { bytes } of chunks) {
    for (const ev of framer.push(bytes)) {
      if (ev.type !== 'message') continue;
      const msg = parseHl7(ev.text).message;
      const msa = msg && hl7Segment(msg, 'MSA');
      out.push(msa ? `${hl7Get(msa, 1, msg.delimiters)}|${hl7Get(msa, 2, msg.delimiters)}` : `not an ACK: ${ev.text}`);
    }
  }
  return out;
}

describe('HL7 acknowledgement only after commit, across a host crash', () => {
  it('killed between receipt and commit: no ACK, nothing stored; the restarted host stores the retransmission once, then ACKs', async () => {
    // a clinic with a nurse and a patient, then closed: the workers open it with the passphrase
    const root = mkdtempSync(join(tmpdir(), 'sijill-faults-'));
    onCleanup(() => rmSync(root, { recursive: true, force: true }));
    mkdirSync(join(root, 'renderer'));
    const dataDir = join(root, 'data');
    const store = await initDataDir(dataDir, { clinicName: 'Fault Test Clinic', passphrase: PASSPHRASE });
    await createUser(
      store.db,
      store.dataKey,
      { username: NURSE.username, displayName: 'Nurse', role: 'nurse', password: NURSE.password },
      null,
    );
    const setup = await Clinic.open(store);
    const patient = await setup.registerPatient(getUserByUsername(store.db, NURSE.username)!, samplePatient());
    await setup.close();
    // this process reads the database alongside the workers (WAL: it sees only committed transactions)
    const db = openEncryptedDatabase(dbPath(dataDir), store.dataKey, { create: false });
    onCleanup(() => db.close());

    const pair = await createPtyPair();
    const wire = await openWire(pair.devicePath, HL7_MONITOR.line);
    const sender = new Hl7SenderSimulator(wire.transport, { messages: 1, ackTimeoutMs: 1500, retryMs: 200 });
    onCleanup(() => sender.stop());

    // host 1: its first commit of device data blocks inside the transaction
    const w1 = spawnWorker(dataDir, {
      holdCommit: true,
      connect: { profileId: HL7_MONITOR.id, path: pair.hostPath, patientId: patient.id, label: 'Bed 7 monitor' },
    });
    const ready1 = await w1.next('ready');
    const connectionId = (ready1.connections as { id: string }[])[0]!.id;
    const client1 = await nurseClient(ready1.wsUrl as string);

    sender.start();
    await w1.next('hold'); // the sink has inserted the signed entries; COMMIT has not happened
    const receivedBytes = Buffer.concat(rawLog(db, connectionId, 'in')).toString('latin1');
    expect(receivedBytes).toContain(`|ORU^R01^ORU_R01|${hl7ControlId(1)}|`); // received: the raw log committed it on arrival
    await sleep(300); // room for an (illegal) early ACK to travel through the ptys
    expect(wire.received).toEqual([]);
    expect(rawLog(db, connectionId, 'out')).toEqual([]);
    expect(sender.stats().acknowledged).toEqual([]);

    w1.child.kill('SIGKILL');
    expect(await w1.exited).toEqual({ code: null, signal: 'SIGKILL' });
    await sleep(200);
    expect(wire.received).toEqual([]); // the sender never saw an MSA
    expect(readings(db, patient.id)).toEqual([]); // the uncommitted transaction is gone
    expect(storedKeys(db)).toEqual([]);
    expect(liveEvents(client1, connectionId)).toEqual([]);

    // host 2 on the same data directory: no hold; DeviceService.startAll reopens the enabled connection.
    // The cable is "unplugged" until a nurse is watching, so the event cannot slip past the client.
    wire.connected = false;
    const sendsBefore = sender.stats().sends;
    const w2 = spawnWorker(dataDir);
    const ready2 = await w2.next('ready');
    expect(ready2.connections).toEqual([
      expect.objectContaining({ id: connectionId, state: 'connected', patientId: patient.id }),
    ]);
    const client2 = await nurseClient(ready2.wsUrl as string);
    let atFirstAck: { readings: number; keys: string[] } | undefined;
    wire.transport.on('data', () => {
      atFirstAck ??= { readings: readings(db, patient.id).length, keys: storedKeys(db) };
    });
    wire.connected = true;

    await waitFor(() => sender.stats().done, 'the retransmission to be acknowledged', 20_000);
    const stats = sender.stats();
    expect(stats.acknowledged).toEqual([1]);
    expect(stats.sends).toBeGreaterThan(sendsBefore); // it was the sender's retransmission that got through
    expect(stats.timeouts).toBeGreaterThanOrEqual(1);
    const key = `hl7:SIM-MONITOR|BED-7|${hl7ControlId(1)}`;
    // the first ACK byte arrived when the result was already committed
    expect(atFirstAck).toEqual({ readings: 4, keys: [key] });
    const acks = acksIn(wire.received);
    expect(acks.length).toBeGreaterThanOrEqual(1);
    expect(acks.every((a) => a === `AA|${hl7ControlId(1)}`)).toBe(true);

    // exactly once, signed, in the chart of the attached patient
    await sleep(500);
    const v = vitalsFor(1);
    const stored = readings(db, patient.id);
    expect(stored.map(bodyValue).sort((a, b) => a - b)).toEqual(
      [v.spo2, v.pulseRate, v.systolic, v.diastolic].sort((a, b) => a - b),
    );
    expect(stored.every((e) => e.signatureValid && e.authorName === 'Device bridge')).toBe(true);
    expect(storedKeys(db)).toEqual([key]);
    // and pushed live to the nurse's client
    const live = await waitFor(() => liveEvents(client2, connectionId)[0], 'device.live at the client');
    expect(live.patientId).toBe(patient.id);
    expect(live.numerics.find((n) => n.label === 'SpO2')?.value).toBe(v.spo2);
    expect(live.numerics.find((n) => n.label === 'Pulse')?.value).toBe(v.pulseRate);

    w2.child.stdin!.end(); // clean shutdown
    await w2.next('closed');
    expect((await w2.exited).code).toBe(0);
  }, 60_000);
});

describe('in-process host over real ptys', () => {
  let root: string;
  let host: Host;
  let server: RunningServer;
  let client: TestClient;
  let patientId: string;
  let astmPatientId: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'sijill-faults-host-'));
    mkdirSync(join(root, 'renderer'));
    host = new Host(join(root, 'data'));
    await host.initialize({
      clinicName: 'Fault Test Clinic',
      passphrase: PASSPHRASE,
      adminUsername: 'admin',
      adminDisplayName: 'Admin',
      adminPassword: 'admin-password-1',
    });
    const clinic = host.clinic;
    await createUser(
      clinic.db,
      clinic.store.dataKey,
      { username: NURSE.username, displayName: 'Nurse', role: 'nurse', password: NURSE.password },
      null,
    );
    const admin = getUserByUsername(clinic.db, 'admin')!;
    patientId = (await clinic.registerPatient(admin, samplePatient())).id;
    // the simulated analyser's sample 1 names patient PAT-0001
    astmPatientId = (
      await clinic.registerPatient(admin, samplePatient({ nationalId: 'PAT-0001', phone: '+964 770 000 0001' }))
    ).id;
    server = await startHttpServer({ host, rendererDir: join(root, 'renderer'), port: 0 });
    client = await TestClient.connect(`${server.url.replace('http', 'ws')}api`);
    client.token = (await client.call('auth.login', NURSE)).token;
    await client.call('auth.me', {}); // events are pushed once the connection has made an authenticated call
  });

  afterAll(async () => {
    client?.close();
    await server?.close();
    await host?.close();
    await closeAllPtyPairs();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('ASTM: a corrupted frame is NAKed, its retransmission accepted, and the result stored exactly once', async () => {
    const clinic = host.clinic;
    const pair = await createPtyPair();
    const conn = await clinic.devices.connect(null, {
      profileId: ASTM_HAEMATOLOGY_ANALYSER.id,
      path: pair.hostPath,
      label: 'Haematology',
    });
    onCleanup(() => clinic.devices.disconnect(null, conn.id));
    await waitFor(() => clinic.devices.describe(conn.id).state === 'connected', 'the analyser port');

    // the line garbles the first transmission of frame 4 (first R record) and of frame 10 (L, which completes the
    // message): one bit of the text flips, so the checksum no longer matches
    let frames = 0;
    const corrupted: number[] = [];
    const seen = new Set<string>();
    const wire = await openWire(pair.devicePath, ASTM_HAEMATOLOGY_ANALYSER.line, (bytes) => {
      if (bytes[0] !== STX) return bytes;
      const id = Buffer.from(bytes).toString('latin1');
      const first = !seen.has(id);
      seen.add(id);
      if (first) frames++;
      if (!first || (frames !== 4 && frames !== 10)) return bytes;
      corrupted.push(frames);
      const copy = bytes.slice(); // the sender keeps its frame for the retransmission
      copy[3] = (copy[3] as number) ^ 0x01;
      return copy;
    });
    const analyser = new AstmSenderSimulator(wire.transport, { messages: 1 });
    onCleanup(() => analyser.stop());
    analyser.start();
    await waitFor(() => analyser.stats().done, 'the message to be delivered');

    expect(corrupted).toEqual([4, 10]);
    expect(analyser.stats()).toMatchObject({ delivered: [1], naksReceived: 2, failures: 0, framesSent: 12 });
    const out = Buffer.concat(rawLog(clinic.db, conn.id, 'out'));
    expect([...out].filter((b) => b === 0x15)).toHaveLength(2); // two NAKs went out, and were logged
    const results = labResults(clinic.db, astmPatientId);
    expect(results.map(bodyValue)).toEqual(cbcResults(1).map((r) => r.value));
    expect(results.every((e) => e.signatureValid && (e.body as { sampleId: string }).sampleId === 'SMP-000001')).toBe(
      true,
    );
    expect(storedKeys(clinic.db).filter((k) => k.startsWith('astm:'))).toHaveLength(1);
    expect((clinic.db.prepare('SELECT count(*) AS n FROM lab_inbox').get() as { n: number }).n).toBe(0);
  }, 30_000);

  it('unplug: the pty pair dies and a new one appears behind the stable path; the bridge reconnects and data resumes', async () => {
    const clinic = host.clinic;
    const byId = join(root, 'by-id');
    mkdirSync(byId);
    const stable = join(byId, 'usb-Masimo_Rad-8_0000012345-if00-port0');
    const sims: RunningSimulator[] = [];
    onCleanup(() => Promise.all(sims.map((s) => s.stop())));

    const pair1 = await createPtyPair();
    symlinkSync(pair1.hostPath, stable);
    const conn = await clinic.devices.connect(null, {
      profileId: 'masimo-rad8',
      path: stable,
      label: 'Bed 3 oximeter',
      patientId,
    });
    onCleanup(() => clinic.devices.disconnect(null, conn.id));
    // SpO2 85 is abnormal: every reading goes into the chart (normal ones are throttled to one per 30 s)
    sims.push(
      await startSimulator('masimo', {
        devicePath: pair1.devicePath,
        speed: 4,
        oximeter: { spo2: 85, variability: false },
      }),
    );
    await waitFor(
      () => readings(clinic.db, patientId).filter((e) => bodyValue(e) === 85).length >= 2,
      'readings from the first pty',
    );
    await waitFor(
      () => liveEvents(client, conn.id).some((l) => l.numerics.some((n) => n.label === 'SpO2' && n.value === 85)),
      'live 85',
    );
    expect(clinic.devices.describe(conn.id)).toMatchObject({ state: 'connected', reconnects: 0 });

    // unplug: the simulated device stops, socat dies (both ptys hang up), the by-id link disappears
    await sims.pop()!.stop();
    await pair1.close();
    unlinkSync(stable);
    await waitFor(() => clinic.devices.describe(conn.id).state !== 'connected', 'the loss');
    await sleep(800); // failed attempts while it is away
    expect(clinic.devices.describe(conn.id).state).not.toBe('connected');
    const eventsAtUnplug = client.events.length;
    const readingsAtUnplug = readings(clinic.db, patientId).length;

    // replug: a new tty behind the same stable path, the device now reads 86
    const pair2 = await createPtyPair();
    symlinkSync(pair2.hostPath, stable);
    sims.push(
      await startSimulator('masimo', {
        devicePath: pair2.devicePath,
        speed: 4,
        oximeter: { spo2: 86, variability: false },
      }),
    );
    await waitFor(() => clinic.devices.describe(conn.id).state === 'connected', 'the reconnection', 20_000);
    const resumed = await waitFor(() => {
      const r = readings(clinic.db, patientId).filter((e) => bodyValue(e) === 86);
      return r.length >= 2 && r;
    }, 'readings from the second pty');
    expect(
      resumed.every(
        (e) => e.signatureValid && (e.body as { device: { connectionId: string } }).device.connectionId === conn.id,
      ),
    ).toBe(true);
    expect(readings(clinic.db, patientId).length).toBeGreaterThan(readingsAtUnplug);
    await waitFor(
      () =>
        liveEvents(client, conn.id, eventsAtUnplug).some(
          (l) => l.patientId === patientId && l.numerics.some((n) => n.label === 'SpO2' && n.value === 86),
        ),
      'device.live with the new readings at the client',
    );
    expect(clinic.devices.describe(conn.id).reconnects).toBeGreaterThanOrEqual(1);
    expect(rawLog(clinic.db, conn.id, 'open').length).toBeGreaterThanOrEqual(2); // two connections in the raw byte log
  }, 60_000);
});

// The sink keeps state in memory (the 30-s record throttle, open waveform recordings) that changes as items are
// stored; when the transaction rolls back (disk full, a busy database), that state must roll back too. A store
// failure is injected honestly: a TEMP trigger on this test's own connection aborts the insert, as a full disk would.
describe('device sink after a rolled-back transaction', () => {
  const template = useStoreTemplate();
  const profile = (id: string) => listProfiles().find((p) => p.id === id)!;

  async function sinkSetup() {
    const store = cloneStore(template());
    const clinic = await Clinic.open(store);
    onCleanup(() => clinic.close());
    const bridge = await ensureBridgeUser(clinic);
    const patient = await clinic.registerPatient(bridge, samplePatient());
    const sink = new DeviceSink(
      clinic,
      bridge,
      () => {},
      () => {},
    );
    const failNext = (table: string) =>
      clinic.db.exec(
        `CREATE TEMP TRIGGER fail_${table} AFTER INSERT ON main.${table} BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END`,
      );
    const recover = (table: string) => clinic.db.exec(`DROP TRIGGER temp.fail_${table}`);
    return { clinic, patient, sink, failNext, recover };
  }

  it('a monitor message whose first commit failed is stored with its readings when the sender repeats it', async () => {
    const { clinic, patient, sink, failNext, recover } = await sinkSetup();
    const monitor = profile(HL7_MONITOR.id);
    const conn = createConnection(clinic.db, {
      profileId: monitor.id,
      path: '/dev/null',
      label: 'Monitor',
      patientId: patient.id,
    });
    const spo2: DecodedItem = { kind: 'numeric', code: { system: 'MDC', code: '150456' }, value: 96, unit: '%' };
    const ctx = {
      connectionId: conn.id,
      profileId: monitor.id,
      protocol: 'hl7' as const,
      receivedAt: Date.now(),
      idempotencyKey: 'hl7:MON|BED|1',
    };
    failNext('entries');
    expect(() => sink.store([spo2], ctx, monitor)).toThrow(/disk full/); // the session answers AR
    recover('entries');
    sink.store([spo2], { ...ctx, receivedAt: ctx.receivedAt + 2000 }, monitor); // the retransmission, answered AA
    expect(storedKeys(clinic.db)).toEqual(['hl7:MON|BED|1']);
    // The throttle must not remember the rolled-back reading, or the retransmitted one is never recorded.
    expect(readings(clinic.db, patient.id).map(bodyValue)).toEqual([96]);
  });

  it('a waveform stream recovers after a failed chunk write instead of failing every store after it', async () => {
    const { clinic, patient, sink, failNext, recover } = await sinkSetup();
    const ecg = profile('sijill-ecg-stream');
    const conn = createConnection(clinic.db, {
      profileId: ecg.id,
      path: '/dev/null',
      label: 'ECG',
      patientId: patient.id,
    });
    const second = (n: number): DecodedItem[] => [
      {
        kind: 'waveform',
        code: { system: 'local', code: 'ECG-CH1' },
        sampleRate: 250,
        samples: Int16Array.from({ length: 250 }, (_, i) => n + i),
      },
    ];
    const ctx = (n: number) => ({
      connectionId: conn.id,
      profileId: ecg.id,
      protocol: 'ecg' as const,
      receivedAt: 1_000 + n * 1000,
    });
    failNext('waveform_chunks');
    expect(() => sink.store(second(0), ctx(0), ecg)).toThrow(/disk full/); // the recording row rolls back with it
    recover('waveform_chunks');
    // The sink must not keep the rolled-back recording id, or every later chunk fails its foreign key.
    for (let n = 1; n <= 3; n++) sink.store(second(n), ctx(n), ecg);
    expect(
      (clinic.db.prepare('SELECT count(*) AS n FROM waveform_chunks').get() as { n: number }).n,
    ).toBeGreaterThanOrEqual(3);
  });
});
