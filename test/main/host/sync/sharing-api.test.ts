// The sharing methods over the host's real API: patients.setSharing (field teams and
// consent, a chart change with an audit record) and peers.setRole (a signed roster
// operation), each validated by the contract and checked against the permission matrix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHost } from '../api-host';
import { TestClient } from '../ws-client';

let api: Awaited<ReturnType<typeof startApiHost>> | undefined;
let wsUrl: string;
const clients: TestClient[] = [];

async function userClient(username: string, role: string, admin: TestClient): Promise<TestClient> {
  const password = `${username}-password-1`;
  await admin.call('users.create', { username, displayName: username, role: role as 'nurse', password });
  const c = await TestClient.connect(wsUrl);
  clients.push(c);
  c.token = (await c.call('auth.login', { username, password })).token;
  return c;
}

let admin: TestClient;
let nurse: TestClient;
let clerk: TestClient;
let doctor: TestClient;

beforeAll(async () => {
  api = await startApiHost('sijill-sharing-api-');
  wsUrl = api.wsUrl;
  admin = await TestClient.connect(wsUrl);
  clients.push(admin);
  await admin.call('host.initialize', {
    clinicName: 'Sharing Clinic',
    passphrase: 'a long database passphrase',
    adminUsername: 'admin',
    adminDisplayName: 'Admin',
    adminPassword: 'admin-password-1',
  });
  admin.token = (await admin.call('auth.login', { username: 'admin', password: 'admin-password-1' })).token;
  nurse = await userClient('nurse1', 'nurse', admin);
  clerk = await userClient('clerk1', 'clerk', admin);
  doctor = await userClient('doctor1', 'doctor', admin);
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await api?.close();
});

const errorOf = (res: Awaited<ReturnType<TestClient['request']>>) => (res.ok ? undefined : res.error);

describe('patients.setSharing', () => {
  it('a clinician sets field teams and consent; the chart carries them; the change is audited', async () => {
    const p = await nurse.call('patients.register', {
      givenName: 'Zainab',
      familyName: 'Kareem',
      sex: 'female',
      birthDate: '1985-02-03',
    });
    // A new chart: no teams, field copies allowed, no regional consent.
    expect((await nurse.call('patients.get', { patientId: p.id })).chart.sharing).toEqual({
      fieldTeamIds: [],
      fieldCopies: true,
      regionalHub: false,
    });
    const chart = await nurse.call('patients.setSharing', {
      patientId: p.id,
      sharing: { fieldTeamIds: ['north-2', 'T1'], fieldCopies: false, regionalHub: true },
    });
    expect(chart.sharing).toEqual({ fieldTeamIds: ['T1', 'north-2'].sort(), fieldCopies: false, regionalHub: true });
    expect((await clerk.call('patients.get', { patientId: p.id })).chart.sharing.fieldTeamIds).toEqual(
      ['T1', 'north-2'].sort(),
    );
    const audit = await admin.call('audit.recent', { limit: 20 });
    expect(audit.records.some((r) => r.action === 'patient.sharing' && r.patientId === p.id)).toBe(true);
    expect(nurse.events.some((e) => e.event === 'patient.changed')).toBe(true);
  });

  it('refuses a clerk, bad or repeated team ids, and unknown fields; nothing changes', async () => {
    const p = await admin.call('patients.register', {
      givenName: 'Hadi',
      familyName: 'Saleh',
      sex: 'male',
      birthDate: '1970-07-07',
    });
    const ok = { fieldTeamIds: ['T1'], fieldCopies: true, regionalHub: false };
    expect(errorOf(await clerk.request('patients.setSharing', { patientId: p.id, sharing: ok }))?.code).toBe(
      'FORBIDDEN',
    );
    const bad = errorOf(
      await nurse.request('patients.setSharing', { patientId: p.id, sharing: { ...ok, fieldTeamIds: ['no spaces'] } }),
    );
    expect(bad?.code).toBe('VALIDATION');
    expect(bad?.issues?.[0]?.path).toBe('sharing.fieldTeamIds.0');
    const twice = errorOf(
      await nurse.request('patients.setSharing', { patientId: p.id, sharing: { ...ok, fieldTeamIds: ['T1', 'T1'] } }),
    );
    expect(twice?.code).toBe('VALIDATION');
    const extra = errorOf(
      await nurse.request('patients.setSharing', { patientId: p.id, sharing: { ...ok, everyone: true } }),
    );
    expect(extra?.code).toBe('VALIDATION');
    expect(errorOf(await nurse.request('patients.setSharing', { patientId: 'nobody', sharing: ok }))?.code).toBe(
      'NOT_FOUND',
    );
    expect((await admin.call('patients.get', { patientId: p.id })).chart.sharing.fieldTeamIds).toEqual([]);
  });
});

describe('peers.setRole', () => {
  it('is for administrators only, and needs an enrolled device', async () => {
    const deviceId = (await admin.call('host.status', {})).deviceId!;
    const input = { deviceId, role: 'field' as const, teamIds: ['T1'] };
    expect(errorOf(await doctor.request('peers.setRole', input))?.code).toBe('FORBIDDEN');
    expect(errorOf(await nurse.request('peers.setRole', input))?.code).toBe('FORBIDDEN');
    expect(errorOf(await admin.request('peers.setRole', input))?.code).toBe('CONFLICT');
  });

  it('an administrator sets a role with a signed roster operation; teams only for a field device', async () => {
    await admin.call('sync.enrollmentCode', {}); // founds the clinic: this device is its first administrator device
    const deviceId = (await admin.call('host.status', {})).deviceId!;
    const teamsOnClinic = errorOf(await admin.request('peers.setRole', { deviceId, role: 'clinic', teamIds: ['T1'] }));
    expect(teamsOnClinic?.code).toBe('VALIDATION');
    expect(teamsOnClinic?.issues?.[0]?.path).toBe('teamIds');
    const unknown = errorOf(await admin.request('peers.setRole', { deviceId: 'no-such-device', role: 'hub' }));
    expect(unknown).toMatchObject({ code: 'VALIDATION' });
    expect(unknown?.message).toMatch(/not on the roster/);

    const status = await admin.call('peers.setRole', { deviceId, role: 'field', teamIds: ['T2', 'T1'] });
    expect(status.enrolled).toBe(true);
    const device = api!.host.clinic.sync.roster!.devices.get(deviceId)!;
    expect(device).toMatchObject({ role: 'field', teamIds: ['T1', 'T2'], roleSetBy: deviceId });
    const audit = await admin.call('audit.recent', { limit: 20 });
    expect(audit.records.find((r) => r.action === 'sync.device.role')?.entityId).toBe(deviceId);
    // Back to the default.
    await admin.call('peers.setRole', { deviceId, role: 'clinic' });
    expect(api!.host.clinic.sync.roster!.devices.get(deviceId)!.role).toBe('clinic');
  });
});
