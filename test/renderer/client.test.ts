import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../main/api';
import { apiErrorFromBody, HostClient } from '../../renderer/api/client';
import { ConnectionError } from '../../renderer/api/connection';
import { memoryTokenStore } from '../../renderer/api/token-store';
import { FakeConnection, flush } from './fake-connection';

const patient = {
  id: 'p1',
  mrn: 'MRN-0001',
  givenName: 'أحمد',
  fatherName: null,
  familyName: 'علي',
  latinName: 'Ahmed Ali',
  sex: 'male',
  birthDate: '1980-01-01',
  phone: null,
  nationalId: null,
  updatedAt: '2025-01-01T00:00:00Z',
} as const;

afterEach(() => {
  vi.useRealTimers();
});

describe('HostClient requests', () => {
  it('sends a request message with a fresh id, the method, the params and the session token', async () => {
    const connection = new FakeConnection();
    const client = new HostClient(connection, { tokenStore: memoryTokenStore('tok-1') });

    void client.call('patients.search', { query: 'ahmed' });
    void client.call('host.status', {});
    await flush();

    expect(connection.sent).toEqual([
      { type: 'request', id: 1, method: 'patients.search', params: { query: 'ahmed' }, token: 'tok-1' },
      { type: 'request', id: 2, method: 'host.status', params: {}, token: 'tok-1' },
    ]);
  });

  it('leaves the token out when there is no session', async () => {
    const connection = new FakeConnection();
    const client = new HostClient(connection);
    void client.call('host.status', {});
    await flush();
    expect(connection.lastRequest()).not.toHaveProperty('token');
  });

  it('resolves each call with the response carrying its id, whatever the order of answers', async () => {
    const connection = new FakeConnection();
    const client = new HostClient(connection, { tokenStore: memoryTokenStore('t') });

    const search = client.call('patients.search', { query: '' });
    const status = client.call('host.status', {});
    await flush();
    const [searchReq, statusReq] = connection.sent;

    connection.deliver({
      type: 'response',
      id: statusReq?.id,
      ok: true,
      result: { state: 'ready', clinicName: 'Al-Kindi', deviceId: 'd1', version: '0.1.0' },
    });
    connection.deliver({ type: 'response', id: searchReq?.id, ok: true, result: { patients: [patient] } });

    await expect(status).resolves.toEqual({ state: 'ready', clinicName: 'Al-Kindi', deviceId: 'd1', version: '0.1.0' });
    await expect(search).resolves.toEqual({ patients: [patient] });
  });

  it('ignores responses to unknown ids, unreadable JSON and unknown message types', async () => {
    const connection = new FakeConnection();
    const client = new HostClient(connection);
    const status = client.call('host.status', {});
    await flush();

    connection.deliver({ type: 'response', id: 999, ok: true, result: 'not mine' });
    connection.deliver('{not json');
    connection.deliver({ type: 'gossip', id: 1 });
    connection.deliver({
      type: 'response',
      id: connection.lastRequest().id,
      ok: true,
      result: { state: 'locked', clinicName: null, deviceId: null, version: '1' },
    });

    await expect(status).resolves.toMatchObject({ state: 'locked' });
  });

  it('turns an error response into an ApiError with its code, message and issues', async () => {
    const connection = new FakeConnection();
    const client = new HostClient(connection, { tokenStore: memoryTokenStore('t') });
    const call = client.call('entries.recordVitals', { patientId: 'p1', vitals: { heartRate: 80 } });
    await flush();
    connection.deliver({
      type: 'response',
      id: connection.lastRequest().id,
      ok: false,
      error: {
        code: 'VALIDATION',
        message: 'Some values are not acceptable',
        issues: [{ path: 'vitals.spo2', message: 'SpO2 (%) must be between 50 and 100' }],
      },
    });

    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      code: 'VALIDATION',
      message: 'Some values are not acceptable',
      issues: [{ path: 'vitals.spo2', message: 'SpO2 (%) must be between 50 and 100' }],
    });
  });

  it('reads a malformed error body as INTERNAL and drops malformed issues', () => {
    expect(apiErrorFromBody('boom')).toMatchObject({ code: 'INTERNAL' });
    const error = apiErrorFromBody({
      code: 'NO_SUCH_CODE',
      message: '',
      issues: [{ path: 'a', message: 'ok' }, { path: 3 }],
    });
    expect(error.code).toBe('INTERNAL');
    expect(error.message).toBe('The clinic host refused the request.');
    expect(error.issues).toEqual([{ path: 'a', message: 'ok' }]);
    expect(apiErrorFromBody({ code: 'ACCOUNT_LOCKED', message: 'Too many failed logins' })).toMatchObject({
      code: 'ACCOUNT_LOCKED',
      message: 'Too many failed logins',
      issues: undefined,
    });
  });

  it('rejects invalid params locally, with the schema issues, without sending anything', async () => {
    const connection = new FakeConnection();
    const client = new HostClient(connection);
    const error = await client
      .call('entries.recordVitals', { patientId: 'p1', vitals: { spo2: 120 } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('VALIDATION');
    expect((error as ApiError).issues).toContainEqual({
      path: 'vitals.spo2',
      message: 'SpO2 (%) must be between 50 and 100',
    });
    expect(connection.sent).toHaveLength(0);
  });
});

describe('HostClient and the link', () => {
  it('rejects every pending call with "connection lost" when the link drops, and ignores late answers', async () => {
    const connection = new FakeConnection();
    const client = new HostClient(connection);
    const first = client.call('host.status', {});
    const second = client.call('auth.login', { username: 'amina', password: 'secret-pass' });
    await flush();

    connection.setOnline(false);

    for (const call of [first, second]) {
      const error = await call.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectionError);
      expect((error as ConnectionError).failure).toBe('lost');
      expect((error as Error).message).toMatch(/connection lost/i);
    }
    expect(client.isOnline).toBe(false);
    // An answer arriving after the drop has nobody to go to and must not throw.
    expect(() => connection.deliver({ type: 'response', id: 1, ok: true, result: {} })).not.toThrow();
  });

  it('holds a call made while offline until the link is back', async () => {
    const connection = new FakeConnection(false);
    const client = new HostClient(connection);
    const status = client.call('host.status', {});
    await flush();
    expect(connection.sent).toHaveLength(0);

    connection.setOnline(true);
    await flush();
    expect(connection.sent).toHaveLength(1);
    connection.deliver({
      type: 'response',
      id: connection.lastRequest().id,
      ok: true,
      result: { state: 'ready', clinicName: null, deviceId: null, version: '1' },
    });
    await expect(status).resolves.toMatchObject({ state: 'ready' });
  });

  it('gives up on a call made while offline when the link does not come back in time', async () => {
    vi.useFakeTimers();
    const connection = new FakeConnection(false);
    const client = new HostClient(connection, { connectWaitMs: 5_000 });
    const status = client.call('host.status', {}).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(5_001);
    const error = await status;
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).failure).toBe('unreachable');
    expect(connection.sent).toHaveLength(0);
  });

  it('fails a request the host never answers', async () => {
    vi.useFakeTimers();
    const connection = new FakeConnection();
    const client = new HostClient(connection, { requestTimeoutMs: 1_000 });
    const status = client.call('host.status', {}).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1_001);
    expect(await status).toMatchObject({ name: 'ConnectionError', failure: 'timeout' });
  });

  it('reports link changes to status listeners until they unsubscribe', () => {
    const connection = new FakeConnection();
    const client = new HostClient(connection);
    const seen: boolean[] = [];
    const off = client.onStatus((online) => seen.push(online));
    connection.setOnline(false);
    connection.setOnline(false);
    connection.setOnline(true);
    off();
    connection.setOnline(false);
    expect(seen).toEqual([false, true]);
  });
});

describe('HostClient sessions', () => {
  it('keeps the token in its store and sends it with every request', async () => {
    const store = memoryTokenStore();
    const connection = new FakeConnection();
    const client = new HostClient(connection, { tokenStore: store });
    client.setToken('abc');
    expect(store.load()).toBe('abc');
    void client.call('auth.me', {});
    await flush();
    expect(connection.lastRequest().token).toBe('abc');

    const reloaded = new HostClient(new FakeConnection(), { tokenStore: store });
    expect(reloaded.sessionToken).toBe('abc');
  });

  it('drops the token and reports an expired session when the host refuses it', async () => {
    const store = memoryTokenStore('old');
    const connection = new FakeConnection();
    const client = new HostClient(connection, { tokenStore: store });
    const expired = vi.fn();
    client.onSessionExpired(expired);

    const call = client.call('patients.search', { query: '' }).catch((e: unknown) => e);
    await flush();
    connection.deliver({
      type: 'response',
      id: connection.lastRequest().id,
      ok: false,
      error: { code: 'UNAUTHENTICATED', message: 'Your session expired, log in again' },
    });

    expect(await call).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(expired).toHaveBeenCalledTimes(1);
    expect(client.sessionToken).toBeNull();
    expect(store.load()).toBeNull();
  });

  it('does not call a failed login an expired session', async () => {
    const connection = new FakeConnection();
    const client = new HostClient(connection);
    const expired = vi.fn();
    client.onSessionExpired(expired);
    const call = client.call('auth.login', { username: 'amina', password: 'wrong-password' }).catch((e: unknown) => e);
    await flush();
    connection.deliver({
      type: 'response',
      id: connection.lastRequest().id,
      ok: false,
      error: { code: 'UNAUTHENTICATED', message: 'Wrong username or password' },
    });
    expect(await call).toMatchObject({ code: 'UNAUTHENTICATED', message: 'Wrong username or password' });
    expect(expired).not.toHaveBeenCalled();
  });

  it('keeps a newer token when an old request comes back refused', async () => {
    const connection = new FakeConnection();
    const client = new HostClient(connection, { tokenStore: memoryTokenStore('old') });
    const expired = vi.fn();
    client.onSessionExpired(expired);
    const call = client.call('auth.me', {}).catch((e: unknown) => e);
    await flush();
    client.setToken('new');
    connection.deliver({
      type: 'response',
      id: connection.lastRequest().id,
      ok: false,
      error: { code: 'UNAUTHENTICATED', message: 'expired' },
    });
    await call;
    expect(client.sessionToken).toBe('new');
    expect(expired).not.toHaveBeenCalled();
  });
});

describe('HostClient events', () => {
  it('passes valid events to their subscribers and drops unknown or malformed ones', () => {
    const connection = new FakeConnection();
    const client = new HostClient(connection);
    const changed = vi.fn();
    const recorded = vi.fn();
    const offChanged = client.onEvent('patient.changed', changed);
    client.onEvent('entry.recorded', recorded);

    connection.deliver({ type: 'event', event: 'patient.changed', data: { patientId: 'p1' } });
    connection.deliver({ type: 'event', event: 'patient.changed', data: { patient: 'p1' } });
    connection.deliver({ type: 'event', event: 'no.such.event', data: {} });
    connection.deliver({ type: 'event', event: 'entry.recorded', data: { patientId: 'p1', entryId: 'e9' } });
    offChanged();
    connection.deliver({ type: 'event', event: 'patient.changed', data: { patientId: 'p2' } });

    expect(changed.mock.calls).toEqual([[{ patientId: 'p1' }]]);
    expect(recorded.mock.calls).toEqual([[{ patientId: 'p1', entryId: 'e9' }]]);
  });
});
