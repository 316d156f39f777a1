// The host's API over its real WebSocket transport: the whole first-run flow, and
// every kind of bad request — malformed, unknown, unauthenticated, unauthorised,
// invalid — refused with a typed error and nothing changed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHost } from './api-host';
import { TestClient } from './ws-client';

let api: Awaited<ReturnType<typeof startApiHost>>;
let wsUrl: string;
let admin: TestClient;

const ADMIN = { username: 'admin', password: 'admin-password-1' };

beforeAll(async () => {
  api = await startApiHost('sijill-api-');
  wsUrl = api.wsUrl;
  admin = await TestClient.connect(wsUrl);
});

afterAll(async () => {
  admin?.close();
  await api?.close();
});

describe('first run', () => {
  it('reports an uninitialised host and refuses patient calls until set up', async () => {
    expect(await admin.call('host.status', {})).toMatchObject({ state: 'uninitialized', clinicName: null });
    const res = await admin.request('patients.search', { query: '' });
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.error.code).toBe('NOT_INITIALIZED');
  });

  it('rejects a weak passphrase during setup and stays uninitialised', async () => {
    const res = await admin.request('host.initialize', {
      clinicName: 'Clinic',
      passphrase: 'short',
      adminUsername: ADMIN.username,
      adminDisplayName: 'Admin',
      adminPassword: ADMIN.password,
    });
    expect(res.ok).toBe(false);
    if (!res.ok) {
      expect(res.error.code).toBe('VALIDATION');
      expect(res.error.issues?.[0]?.path).toBe('passphrase');
    }
    expect(api.host.state).toBe('uninitialized');
  });

  it('initialises, then refuses a second initialisation', async () => {
    const params = {
      clinicName: 'Al-Rafidain Health Centre',
      passphrase: 'a long database passphrase',
      adminUsername: ADMIN.username,
      adminDisplayName: 'Dr. Admin',
      adminPassword: ADMIN.password,
    };
    expect(await admin.call('host.initialize', params)).toEqual({ state: 'ready' });
    const again = await admin.request('host.initialize', params);
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.error.code).toBe('ALREADY_INITIALIZED');
    expect(await admin.call('host.status', {})).toMatchObject({
      state: 'ready',
      clinicName: 'Al-Rafidain Health Centre',
    });
  });

  it('logs in and returns the role permissions', async () => {
    const s = await admin.call('auth.login', ADMIN);
    admin.token = s.token;
    expect(s.user.role).toBe('administrator');
    expect(s.permissions).toContain('users.create');
  });
});

describe('malformed and unauthorised requests', () => {
  it('answers non-JSON with BAD_REQUEST', async () => {
    const res = await admin.raw('{not json', 0);
    expect(res).toMatchObject({ type: 'response', ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('answers a message of the wrong shape with BAD_REQUEST', async () => {
    const res = await admin.raw(JSON.stringify({ type: 'request', id: 77, method: 42 }), 77);
    expect(res).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('refuses an unknown method', async () => {
    const res = await admin.request('patients.deleteEverything', {});
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.error).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('refuses calls without a token, and with a forged token', async () => {
    const anonymous = await TestClient.connect(wsUrl);
    for (const token of [undefined, '', 'forged-token']) {
      const res = await anonymous.request('patients.search', { query: '' }, token);
      expect(res.ok).toBe(false);
      if (!res.ok) expect(res.error.code).toBe('UNAUTHENTICATED');
    }
    anonymous.close();
  });

  it('refuses unknown fields (strict input) and wrong types', async () => {
    const extra = await admin.request('patients.search', { query: '', sql: 'DROP TABLE patients' });
    expect(extra.ok).toBe(false);
    const wrong = await admin.request('patients.search', { query: 42 });
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) expect(wrong.error.code).toBe('VALIDATION');
  });

  it('refuses a role the permission matrix does not allow', async () => {
    await admin.call('users.create', {
      username: 'clerk1',
      displayName: 'Clerk',
      role: 'clerk',
      password: 'clerk-password-1',
    });
    const clerk = await TestClient.connect(wsUrl);
    clerk.token = (await clerk.call('auth.login', { username: 'clerk1', password: 'clerk-password-1' })).token;
    const p = await clerk.call('patients.register', {
      givenName: 'سارة',
      familyName: 'الكعبي',
      sex: 'female',
      birthDate: '1990-04-02',
    });
    const res = await clerk.request('entries.recordVitals', { patientId: p.id, vitals: { heartRate: 80 } });
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.error.code).toBe('FORBIDDEN');
    // A clerk sees demographics, never the clinical entries.
    await admin.call('entries.addNote', { patientId: p.id, note: { text: 'Private clinical note' } });
    const chart = await clerk.call('patients.get', { patientId: p.id });
    expect(chart.chart.givenName).toBe('سارة');
    expect(chart.entries).toEqual([]);
    clerk.close();
  });

  it('refuses a WebSocket upgrade from a foreign origin', async () => {
    await expect(TestClient.connect(wsUrl, { Origin: 'https://evil.example' })).rejects.toThrow(/403/);
  });
});

describe('patients, vitals, notes and amendments', () => {
  let patientId: string;

  it('registers an Arabic-named patient and finds him by the unaccented spelling', async () => {
    const p = await admin.call('patients.register', {
      givenName: 'أحمد',
      familyName: 'علي',
      latinName: 'Ahmed Ali',
      sex: 'male',
      birthDate: '1984-03-11',
      phone: '+964 770 123 4567',
    });
    patientId = p.id;
    expect(p.mrn).toMatch(/^[A-Z0-9]{5}-\d{7}$/);
    const found = await admin.call('patients.search', { query: 'احمد' });
    expect(found.patients.map((x) => x.id)).toContain(patientId);
    const byPhone = await admin.call('patients.search', { query: '0770 123' });
    expect(byPhone.patients.map((x) => x.id)).toContain(patientId);
  });

  it('rejects SpO2 120 with a clear message and records nothing', async () => {
    const before = (await admin.call('stats.get', {})).entries;
    const res = await admin.request('entries.recordVitals', { patientId, vitals: { spo2: 120 } });
    expect(res.ok).toBe(false);
    if (!res.ok) {
      expect(res.error.code).toBe('VALIDATION');
      expect(res.error.message).toContain('SpO2 (%) must be between 50 and 100');
      expect(res.error.issues?.[0]?.path).toBe('vitals.spo2');
    }
    expect((await admin.call('stats.get', {})).entries).toBe(before);
  });

  it('records signed vitals that appear in the chart, and pushes an event', async () => {
    const entry = await admin.call('entries.recordVitals', {
      patientId,
      vitals: {
        temperatureC: 37.2,
        heartRate: 88,
        respiratoryRate: 16,
        systolic: 128,
        diastolic: 82,
        spo2: 97,
        consciousness: 'A',
      },
    });
    expect(entry.signatureValid).toBe(true);
    expect(entry.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(entry.body).toMatchObject({ heartRate: 88, spo2Scale: 1, supplementalOxygen: false });
    const { entries } = await admin.call('patients.get', { patientId });
    expect(entries.find((e) => e.id === entry.id)?.kind).toBe('vitals');
    await expect
      .poll(() =>
        admin.events.some((e) => e.event === 'entry.recorded' && (e.data as { entryId: string }).entryId === entry.id),
      )
      .toBe(true);
  });

  it('amends an entry: a new signed entry pointing at the original, both kept', async () => {
    const note = await admin.call('entries.addNote', { patientId, note: { text: 'BP 182/82' } });
    const amended = await admin.call('entries.amend', {
      entryId: note.id,
      reason: 'Typo in BP',
      body: { text: 'BP 128/82' },
    });
    expect(amended.amends).toBe(note.id);
    expect(amended.amendReason).toBe('Typo in BP');
    const { entries } = await admin.call('patients.get', { patientId });
    const original = entries.find((e) => e.id === note.id)!;
    expect(original.body).toEqual({ text: 'BP 182/82' });
    expect(original.amendedBy).toEqual([amended.id]);
    // The amended version must be the one amended next.
    const again = await admin.request('entries.amend', { entryId: note.id, reason: 'again', body: { text: 'x' } });
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.error.code).toBe('CONFLICT');
  });

  it('validates an amendment body against the kind of the original entry', async () => {
    const v = await admin.call('entries.recordVitals', { patientId, vitals: { heartRate: 70 } });
    const res = await admin.request('entries.amend', { entryId: v.id, reason: 'wrong', body: { spo2: 130 } });
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.error.code).toBe('VALIDATION');
  });

  it('audits reads and writes, and the chain verifies', async () => {
    const recent = await admin.call('audit.recent', { limit: 200 });
    const actions = new Set(recent.records.map((r) => r.action));
    for (const a of [
      'patient.register',
      'patient.search',
      'patient.read',
      'entry.create',
      'entry.amend',
      'auth.login',
    ]) {
      expect(actions).toContain(a);
    }
    expect(await admin.call('audit.verify', {})).toMatchObject({ ok: true, firstBrokenSeq: null });
  });
});

describe('static files', () => {
  it('takes a bundle larger than one message in pieces, once, and checks it whole', async () => {
    const uploadId = '3b241101-e2bb-4255-8caf-4136c566a962';
    const piece = Buffer.alloc(144 * 1024, 7).toString('base64');
    // A piece over 200 KB of base64 is refused by the schema (and one over MAX_MESSAGE_BYTES by the transport).
    const over = Buffer.alloc(160 * 1024, 7).toString('base64');
    const tooBig = await admin.request('bundles.upload', { uploadId, index: 0, dataBase64: over });
    expect(tooBig.ok ? 'ok' : tooBig.error.code).toBe('VALIDATION');
    for (let index = 0; index < 3; index++)
      expect(await admin.call('bundles.upload', { uploadId, index, dataBase64: piece })).toEqual({
        receivedBytes: (index + 1) * 144 * 1024,
      });
    // Whole or uploaded, not both.
    const both = await admin.request('bundles.import', { fileName: 'b.sijillbundle', uploadId, dataBase64: 'AAAA' });
    expect(both.ok ? 'ok' : both.error.code).toBe('VALIDATION');
    // The 432 KB of sevens reach the importer, which refuses them (nothing is imported).
    const res = await admin.request('bundles.import', { fileName: 'b.sijillbundle', uploadId });
    expect(res.ok).toBe(false);
    if (!res.ok) expect(['VALIDATION', 'CONFLICT']).toContain(res.error.code);
    // The upload was consumed by that import.
    const again = await admin.request('bundles.import', { fileName: 'b.sijillbundle', uploadId });
    expect(again.ok ? 'ok' : again.error.code).toBe('NOT_FOUND');
  });

  it('serves the UI with a strict CSP and refuses path traversal', async () => {
    const res = await fetch(api.server.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const traversal = await fetch(`${api.server.url}..%2f..%2f..%2fetc%2fpasswd`);
    expect(await traversal.text()).not.toContain('root:');
  });
});
