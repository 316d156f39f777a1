// Device connections as the host runs them: one Supervisor per enabled connection
// (reconnects by itself after an unplug), all feeding the DeviceSink. Connecting,
// disconnecting and attaching are audited.
import { randomBytes } from 'node:crypto';
import {
  listProfiles,
  listSerialPorts,
  SerialPortTransport,
  Supervisor,
  TcpTransport,
  type ByteTransport,
  type DeviceProfile,
} from '../../../device-bridge';
import { ApiError, type DeviceConnection, type DeviceProfileSummary, type SerialPortInfo } from '../../api';
import { appendAudit } from '../../access/audit-log';
import { createUser, getUserByUsername, type UserRow } from '../../access/users';
import { getPatientRow } from '../../store/charts/projection';
import {
  createConnection,
  getConnection,
  listConnections,
  setConnectionEnabled,
  setConnectionPatient,
  type DeviceConnectionRow,
} from '../../store/repositories/devices';
import { stmt } from '../../store/statements';
import type { Clinic } from '../clinic';
import { DeviceSink, type LiveData } from './device-sink';
import { SqliteRawByteLog } from './raw-byte-log';

/**
 * A connection's path is a serial port (a stable /dev/serial/by-id/… path, COM3, a
 * pty) or tcp://HOST:PORT for a sender behind a serial-to-network converter.
 */
export function parseTcpPath(path: string): { host: string; port: number } | null {
  const m = /^tcp:\/\/([^/:]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(path.trim());
  if (!m) return null;
  const port = Number(m[2]);
  return port > 0 && port < 65536 ? { host: m[1]!.replace(/^\[|\]$/g, ''), port } : null;
}

function transportFor(path: string, profile: DeviceProfile): ByteTransport {
  const tcp = parseTcpPath(path);
  return tcp ? new TcpTransport(tcp) : new SerialPortTransport({ path, line: profile.line });
}

/** The profile with that id, or undefined (the registry's getProfile throws). */
const getProfile = (id: string): DeviceProfile | undefined => listProfiles().find((p) => p.id === id);

/** The account device readings are signed with: it has a key, but can never log in. */
export const BRIDGE_USERNAME = 'device-bridge';

export async function ensureBridgeUser(clinic: Clinic): Promise<UserRow> {
  let user = getUserByUsername(clinic.db, BRIDGE_USERNAME);
  if (!user) {
    await createUser(
      clinic.db,
      clinic.store.dataKey,
      {
        username: BRIDGE_USERNAME,
        displayName: 'Device bridge',
        role: 'device_technician',
        password: randomBytes(32).toString('base64'),
      },
      null,
    );
    stmt(clinic.db, 'UPDATE users SET disabled = 1 WHERE username = ?').run(BRIDGE_USERNAME);
    user = getUserByUsername(clinic.db, BRIDGE_USERNAME)!;
  }
  return user;
}

const lineText = (p: DeviceProfile) =>
  `${p.line.baudRate} ${p.line.dataBits}${p.line.parity[0]!.toUpperCase()}${p.line.stopBits}${p.line.flowControl === 'none' ? '' : ` ${p.line.flowControl}`}`;

export class DeviceService {
  readonly #supervisors = new Map<string, Supervisor>();
  #sink: DeviceSink | null = null;

  constructor(
    private readonly clinic: Clinic,
    private readonly events: { live(data: LiveData): void; state(connectionId: string): void; inbox(): void },
  ) {}

  async #sinkReady(): Promise<DeviceSink> {
    this.#sink ??= new DeviceSink(
      this.clinic,
      await ensureBridgeUser(this.clinic),
      this.events.live,
      this.events.inbox,
    );
    return this.#sink;
  }

  /** Starts every enabled connection (at host start). */
  async startAll(): Promise<void> {
    for (const c of listConnections(this.clinic.db, true)) await this.#start(c);
  }

  profiles(): DeviceProfileSummary[] {
    return listProfiles().map((p) => ({
      id: p.id,
      displayName: p.displayName,
      protocol: p.protocol,
      kind: p.kind,
      line: lineText(p),
    }));
  }

  async ports(): Promise<SerialPortInfo[]> {
    return (await listSerialPorts()).map((p) => ({
      path: p.path,
      manufacturer: p.manufacturer ?? null,
      serialNumber: p.serialNumber ?? null,
    }));
  }

  async connect(
    user: UserRow | null,
    c: { profileId: string; path: string; label?: string; patientId?: string | null },
  ): Promise<DeviceConnection> {
    const profile = getProfile(c.profileId);
    if (!profile)
      throw new ApiError('VALIDATION', `Unknown device profile "${c.profileId}".`, [
        { path: 'profileId', message: 'Unknown profile' },
      ]);
    if (c.patientId && !getPatientRow(this.clinic.db, c.patientId))
      throw new ApiError('NOT_FOUND', 'No patient with that id.');
    if (c.path.startsWith('tcp:') && !parseTcpPath(c.path)) {
      throw new ApiError('VALIDATION', 'A network device path is tcp://HOST:PORT, e.g. tcp://192.168.1.20:4001.', [
        { path: 'path', message: 'Use tcp://HOST:PORT' },
      ]);
    }
    if (c.patientId && profile.kind === 'lab')
      throw new ApiError(
        'VALIDATION',
        'Lab analyzers are not attached to one patient: their results are matched by patient identifiers.',
      );
    const db = this.clinic.db;
    const busy = listConnections(db, true).find((x) => x.path === c.path);
    if (busy) throw new ApiError('CONFLICT', `${c.path} is already connected as "${busy.label}". Disconnect it first.`);
    const row = db.transaction(() => {
      const r = createConnection(db, {
        profileId: profile.id,
        path: c.path,
        label: c.label?.trim() || profile.displayName,
        patientId: c.patientId ?? null,
      });
      appendAudit(db, {
        actorId: user?.id ?? null,
        action: 'device.connect',
        patientId: r.patient_id,
        entityId: r.id,
        detail: { profile: profile.id },
      });
      return r;
    })();
    await this.#start(row);
    return this.describe(row.id);
  }

  async #start(row: DeviceConnectionRow): Promise<void> {
    const profile = getProfile(row.profile_id);
    if (!profile || this.#supervisors.has(row.id)) return;
    const sink = await this.#sinkReady();
    const supervisor = new Supervisor({
      connectionId: row.id,
      profile,
      transport: transportFor(row.path, profile),
      // A TCP peer has no port list to poll; its close event tells us it is gone.
      ...(parseTcpPath(row.path) ? { presence: null } : {}),
      sink: sink.forConnection(profile),
      rawLog: new SqliteRawByteLog(this.clinic.db),
    });
    supervisor.on('state', () => this.events.state(row.id));
    this.#supervisors.set(row.id, supervisor);
    supervisor.start();
  }

  async disconnect(user: UserRow | null, id: string): Promise<DeviceConnection> {
    const row = getConnection(this.clinic.db, id);
    if (!row) throw new ApiError('NOT_FOUND', 'No device connection with that id.');
    await this.#supervisors.get(id)?.stop();
    this.#supervisors.delete(id);
    this.clinic.db.transaction(() => {
      setConnectionEnabled(this.clinic.db, id, false);
      appendAudit(this.clinic.db, { actorId: user?.id ?? null, action: 'device.disconnect', entityId: id });
    })();
    this.events.state(id);
    return this.describe(id);
  }

  attach(user: UserRow | null, id: string, patientId: string | null): DeviceConnection {
    const db = this.clinic.db;
    const row = getConnection(db, id);
    if (!row) throw new ApiError('NOT_FOUND', 'No device connection with that id.');
    if (patientId && !getPatientRow(db, patientId)) throw new ApiError('NOT_FOUND', 'No patient with that id.');
    if (patientId && getProfile(row.profile_id)?.kind === 'lab')
      throw new ApiError('VALIDATION', 'Lab analyzers are not attached to one patient.');
    db.transaction(() => {
      setConnectionPatient(db, id, patientId);
      appendAudit(db, {
        actorId: user?.id ?? null,
        action: patientId ? 'device.attach' : 'device.detach',
        patientId: patientId ?? row.patient_id,
        entityId: id,
      });
    })();
    this.events.state(id);
    return this.describe(id);
  }

  describe(id: string): DeviceConnection {
    const row = getConnection(this.clinic.db, id);
    if (!row) throw new ApiError('NOT_FOUND', 'No device connection with that id.');
    const profile = getProfile(row.profile_id);
    const status = this.#supervisors.get(id)?.status();
    const patient = row.patient_id ? getPatientRow(this.clinic.db, row.patient_id) : undefined;
    return {
      id: row.id,
      profileId: row.profile_id,
      profileName: profile?.displayName ?? row.profile_id,
      kind: profile?.kind ?? 'bedside',
      path: row.path,
      label: row.label,
      patientId: row.patient_id,
      patientName: patient
        ? [patient.given_name, patient.father_name, patient.family_name].filter(Boolean).join(' ')
        : null,
      enabled: row.enabled === 1,
      state: status?.state ?? 'stopped',
      stateReason: status?.reason ?? null,
      lastDataAt: status?.lastDataAt ? new Date(status.lastDataAt).toISOString() : null,
      reconnects: status?.reconnects ?? 0,
      errorCounts: Object.fromEntries(
        Object.entries(status?.errorCounts ?? {}).filter((e): e is [string, number] => typeof e[1] === 'number'),
      ),
      itemsStored: status?.itemsStored ?? 0,
    };
  }

  list(): DeviceConnection[] {
    return listConnections(this.clinic.db).map((r) => this.describe(r.id));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#supervisors.values()].map((s) => s.stop()));
    this.#supervisors.clear();
  }
}
