// Sessions: log-in, failed log-ins and lock-out, idle and absolute expiry, log-out,
// and the audit record of each. Times are passed explicitly (`now`).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../main/api';
import { verifyAuditChain } from '../../../main/access/audit-log';
import { authenticate, login, logout, SESSION_POLICY } from '../../../main/access/sessions';
import { createUser, getUser } from '../../../main/access/users';
import type { Db } from '../../../main/store/database';
import { cloneDb, useDbTemplate } from '../../helpers/store';

const PASSWORD = 'Najaf-ward-3';
let userId = '';
const template = useDbTemplate(async (db, dataKey) => {
  userId = (
    await createUser(
      db,
      dataKey,
      { username: 'nurse.huda', displayName: 'Huda', role: 'nurse', password: PASSWORD },
      null,
    )
  ).id;
});

const T0 = new Date('2024-09-01T08:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

async function apiError(promise: Promise<unknown>): Promise<ApiError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}
function syncApiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('expected an ApiError');
}

/** Audit records after the user.create of the template. */
const audits = (db: Db) =>
  (
    db.prepare('SELECT actor_id, action, detail FROM audit_log WHERE seq > 1 ORDER BY seq').all() as {
      actor_id: string | null;
      action: string;
      detail: string | null;
    }[]
  ).map((r) => ({ actor: r.actor_id, action: r.action, detail: r.detail ? (JSON.parse(r.detail) as unknown) : null }));
const sessionCount = (db: Db) => (db.prepare('SELECT count(*) AS n FROM sessions').get() as { n: number }).n;

describe('login', () => {
  it('returns a token; the database keeps only its SHA-256, never the token itself', async () => {
    const { db } = cloneDb(template());
    const session = await login(db, 'nurse.huda', PASSWORD, T0);
    expect(session.token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes, base64url
    expect(session.user.id).toBe(userId);
    expect(session.expiresAt).toBe(at(SESSION_POLICY.idleMinutes).toISOString());

    const rows = db.prepare('SELECT * FROM sessions').all() as Record<string, unknown>[];
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).toBe(createHash('sha256').update(session.token).digest('hex'));
    for (const value of Object.values(rows[0]!)) expect(String(value)).not.toContain(session.token);
    expect(JSON.stringify(db.prepare('SELECT * FROM audit_log').all())).not.toContain(session.token);

    expect(audits(db)).toEqual([{ actor: userId, action: 'auth.login', detail: null }]);
    expect(authenticate(db, session.token, at(1)).user.id).toBe(userId);
  });

  it('matches the username case-insensitively', async () => {
    const { db } = cloneDb(template());
    expect((await login(db, ' Nurse.HUDA ', PASSWORD, T0)).user.id).toBe(userId);
  });

  it('a wrong password and an unknown user get the same UNAUTHENTICATED message; both are audited', async () => {
    const { db } = cloneDb(template());
    const wrong = await apiError(login(db, 'nurse.huda', 'not-the-password', T0));
    const unknown = await apiError(login(db, 'nobody.here', PASSWORD, T0));
    expect(wrong.code).toBe('UNAUTHENTICATED');
    expect(unknown.code).toBe('UNAUTHENTICATED');
    expect(wrong.message).toBe(unknown.message);
    expect(wrong.message).toBe('Wrong username or password.');
    expect(sessionCount(db)).toBe(0);
    expect(getUser(db, userId)!.failed_logins).toBe(1);
    expect(audits(db)).toEqual([
      { actor: userId, action: 'auth.login_failed', detail: { reason: 'password', locked: false } },
      { actor: null, action: 'auth.login_failed', detail: { reason: 'unknown user' } },
    ]);
  });

  it(`locks the account after ${SESSION_POLICY.maxFailedLogins} failures, even for the right password, until locked_until passes`, async () => {
    const { db } = cloneDb(template());
    for (let i = 1; i < SESSION_POLICY.maxFailedLogins; i++) {
      expect((await apiError(login(db, 'nurse.huda', `wrong-${i}`, at(i)))).code).toBe('UNAUTHENTICATED');
    }
    const fifth = await apiError(login(db, 'nurse.huda', 'wrong-5', at(5)));
    expect(fifth.code).toBe('ACCOUNT_LOCKED');
    expect(fifth.message).toMatch(/locked for 15 minutes/);
    const lockedUntil = getUser(db, userId)!.locked_until!;
    expect(lockedUntil).toBe(at(5 + SESSION_POLICY.lockMinutes).toISOString());

    // The right password does not help while locked.
    const locked = await apiError(login(db, 'nurse.huda', PASSWORD, at(6)));
    expect(locked.code).toBe('ACCOUNT_LOCKED');
    expect(locked.message).toMatch(/Try again later/);
    expect((await apiError(login(db, 'nurse.huda', PASSWORD, new Date(Date.parse(lockedUntil) - 1)))).code).toBe(
      'ACCOUNT_LOCKED',
    );
    expect(sessionCount(db)).toBe(0);

    // Once it passes, the right password works and the counters are reset.
    const session = await login(db, 'nurse.huda', PASSWORD, new Date(Date.parse(lockedUntil) + 1));
    expect(session.user.id).toBe(userId);
    const user = getUser(db, userId)!;
    expect(user.failed_logins).toBe(0);
    expect(user.locked_until).toBeNull();

    expect(audits(db).map((a) => [a.action, a.detail])).toEqual([
      ['auth.login_failed', { reason: 'password', locked: false }],
      ['auth.login_failed', { reason: 'password', locked: false }],
      ['auth.login_failed', { reason: 'password', locked: false }],
      ['auth.login_failed', { reason: 'password', locked: false }],
      ['auth.login_failed', { reason: 'password', locked: true }],
      ['auth.login_failed', { reason: 'locked' }],
      ['auth.login_failed', { reason: 'locked' }],
      ['auth.login', null],
    ]);
    expect(verifyAuditChain(db).ok).toBe(true);
  });

  it('a successful log-in resets the failure count', async () => {
    const { db } = cloneDb(template());
    await apiError(login(db, 'nurse.huda', 'wrong-a', at(0)));
    await apiError(login(db, 'nurse.huda', 'wrong-b', at(1)));
    expect(getUser(db, userId)!.failed_logins).toBe(2);
    await login(db, 'nurse.huda', PASSWORD, at(2));
    expect(getUser(db, userId)!.failed_logins).toBe(0);
    const next = await apiError(login(db, 'nurse.huda', 'wrong-c', at(3)));
    expect(next.code).toBe('UNAUTHENTICATED');
    expect(getUser(db, userId)!.failed_logins).toBe(1);
  });

  it('refuses a disabled account with FORBIDDEN and audits it', async () => {
    const { db } = cloneDb(template());
    db.prepare('UPDATE users SET disabled = 1 WHERE id = ?').run(userId);
    const err = await apiError(login(db, 'nurse.huda', PASSWORD, T0));
    expect(err.code).toBe('FORBIDDEN');
    expect(sessionCount(db)).toBe(0);
    expect(audits(db)).toEqual([{ actor: userId, action: 'auth.login_failed', detail: { reason: 'disabled' } }]);
  });
});

describe('authenticate', () => {
  it(`slides the idle expiry (${SESSION_POLICY.idleMinutes} min) on every use`, async () => {
    const { db } = cloneDb(template());
    const { token } = await login(db, 'nurse.huda', PASSWORD, T0);
    expect(authenticate(db, token, at(29)).expiresAt).toBe(at(59).toISOString());
    expect(authenticate(db, token, at(58)).expiresAt).toBe(at(88).toISOString());
    const row = db.prepare('SELECT last_seen_at, expires_at FROM sessions').get() as {
      last_seen_at: string;
      expires_at: string;
    };
    expect(row).toEqual({ last_seen_at: at(58).toISOString(), expires_at: at(88).toISOString() });
  });

  it('expires after the idle period without use, and removes the session', async () => {
    const { db } = cloneDb(template());
    const { token } = await login(db, 'nurse.huda', PASSWORD, T0);
    const err = syncApiError(() => authenticate(db, token, at(SESSION_POLICY.idleMinutes)));
    expect(err.code).toBe('UNAUTHENTICATED');
    expect(err.message).toMatch(/expired/);
    expect(sessionCount(db)).toBe(0);
    // Gone for good, even "back in time".
    expect(syncApiError(() => authenticate(db, token, at(1))).code).toBe('UNAUTHENTICATED');
  });

  it(`ends at the absolute limit (${SESSION_POLICY.absoluteHours} h) however active the user is`, async () => {
    const { db } = cloneDb(template());
    const { token } = await login(db, 'nurse.huda', PASSWORD, T0);
    const limit = SESSION_POLICY.absoluteHours * 60;
    let minute = 0;
    for (; minute <= limit - 20; minute += 20) authenticate(db, token, at(minute));
    // Close to the limit, the expiry is capped at the absolute limit, not now + idle.
    expect(authenticate(db, token, at(limit - 10)).expiresAt).toBe(at(limit).toISOString());
    expect(authenticate(db, token, new Date(at(limit).getTime() - 1)).user.id).toBe(userId);
    expect(syncApiError(() => authenticate(db, token, at(limit))).code).toBe('UNAUTHENTICATED');
  });

  it('refuses a missing or unknown token', () => {
    const { db } = cloneDb(template());
    const missing = syncApiError(() => authenticate(db, undefined, T0));
    expect(missing.code).toBe('UNAUTHENTICATED');
    expect(missing.message).toBe('Log in first.');
    expect(syncApiError(() => authenticate(db, 'A'.repeat(43), T0)).code).toBe('UNAUTHENTICATED');
    expect(syncApiError(() => authenticate(db, '', T0)).code).toBe('UNAUTHENTICATED');
  });

  it('refuses a session of an account disabled after log-in', async () => {
    const { db } = cloneDb(template());
    const { token } = await login(db, 'nurse.huda', PASSWORD, T0);
    db.prepare('UPDATE users SET disabled = 1 WHERE id = ?').run(userId);
    expect(syncApiError(() => authenticate(db, token, at(1))).code).toBe('UNAUTHENTICATED');
  });
});

describe('logout', () => {
  it('invalidates that session only, and is audited', async () => {
    const { db } = cloneDb(template());
    const desk = await login(db, 'nurse.huda', PASSWORD, T0);
    const ward = await login(db, 'nurse.huda', PASSWORD, at(1));
    logout(db, desk.token, userId);
    expect(syncApiError(() => authenticate(db, desk.token, at(2))).code).toBe('UNAUTHENTICATED');
    expect(authenticate(db, ward.token, at(2)).user.id).toBe(userId);
    expect(sessionCount(db)).toBe(1);
    expect(audits(db).map((a) => a.action)).toEqual(['auth.login', 'auth.login', 'auth.logout']);
    expect(verifyAuditChain(db).ok).toBe(true);
  });
});
