// Log-in sessions. A token is 32 random bytes given to the client once; the
// database keeps only its SHA-256. Sessions end after an idle period and at an
// absolute limit; an account locks for a while after repeated failed passwords.
import { createHash, randomBytes } from 'node:crypto';
import { ApiError } from '../api';
import type { Db } from '../store/database';
import { appendAudit } from './audit-log';
import { DUMMY_PASSWORD_HASH, verifyPassword } from './passwords';
import { getUser, getUserByUsername, type UserRow } from './users';
import { stmt } from '../store/statements';

export const SESSION_POLICY = {
  idleMinutes: 30,
  absoluteHours: 12,
  maxFailedLogins: 5,
  lockMinutes: 15,
} as const;

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

export interface Session {
  token: string;
  user: UserRow;
  expiresAt: string;
}

export async function login(db: Db, username: string, password: string, now = new Date()): Promise<Session> {
  const user = getUserByUsername(db, username);
  // Always spend the same scrypt time, so response time does not reveal whether a username exists.
  const passwordOk = await verifyPassword(password, user?.password_hash ?? DUMMY_PASSWORD_HASH);
  const refused = new ApiError('UNAUTHENTICATED', 'Wrong username or password.');
  if (!user) {
    db.transaction(() =>
      appendAudit(db, { actorId: null, action: 'auth.login_failed', detail: { reason: 'unknown user' } }),
    )();
    throw refused;
  }
  // A disabled account is named only to someone who knows its password.
  if (user.disabled && passwordOk) {
    db.transaction(() =>
      appendAudit(db, { actorId: user.id, action: 'auth.login_failed', detail: { reason: 'disabled' } }),
    )();
    throw new ApiError('FORBIDDEN', 'This account is disabled. Ask an administrator.');
  }
  if (user.locked_until && Date.parse(user.locked_until) > now.getTime()) {
    db.transaction(() =>
      appendAudit(db, { actorId: user.id, action: 'auth.login_failed', detail: { reason: 'locked' } }),
    )();
    throw new ApiError(
      'ACCOUNT_LOCKED',
      `Too many failed log-ins: this account is locked until ${new Date(user.locked_until).toLocaleTimeString('en-GB')}. Try again later or ask an administrator.`,
    );
  }
  if (!passwordOk) {
    const failures = user.failed_logins + 1;
    const lock = failures >= SESSION_POLICY.maxFailedLogins;
    db.transaction(() => {
      stmt(db, 'UPDATE users SET failed_logins = ?, locked_until = ? WHERE id = ?').run(
        lock ? 0 : failures,
        lock ? new Date(now.getTime() + SESSION_POLICY.lockMinutes * 60_000).toISOString() : user.locked_until,
        user.id,
      );
      appendAudit(db, { actorId: user.id, action: 'auth.login_failed', detail: { reason: 'password', locked: lock } });
    })();
    if (lock) {
      throw new ApiError(
        'ACCOUNT_LOCKED',
        `Too many failed log-ins: this account is locked for ${SESSION_POLICY.lockMinutes} minutes.`,
      );
    }
    throw refused;
  }
  const token = randomBytes(32).toString('base64url');
  const expiresAt = idleExpiry(now, now);
  db.transaction(() => {
    stmt(db, 'UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?').run(user.id);
    stmt(db, 'INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at) VALUES (?,?,?,?,?)').run(
      tokenHash(token),
      user.id,
      now.toISOString(),
      expiresAt,
      now.toISOString(),
    );
    appendAudit(db, { actorId: user.id, action: 'auth.login' });
  })();
  return { token, user, expiresAt };
}

function idleExpiry(createdAt: Date, now: Date): string {
  const idle = now.getTime() + SESSION_POLICY.idleMinutes * 60_000;
  const absolute = createdAt.getTime() + SESSION_POLICY.absoluteHours * 3_600_000;
  return new Date(Math.min(idle, absolute)).toISOString();
}

/** Resolves a token to its user and slides the idle expiry; throws UNAUTHENTICATED otherwise. */
export function authenticate(
  db: Db,
  token: string | undefined,
  now = new Date(),
): { user: UserRow; expiresAt: string } {
  if (!token) throw new ApiError('UNAUTHENTICATED', 'Log in first.');
  const row = stmt(db, 'SELECT * FROM sessions WHERE token_hash = ?').get(tokenHash(token)) as
    { token_hash: string; user_id: string; created_at: string; expires_at: string } | undefined;
  if (!row || Date.parse(row.expires_at) <= now.getTime()) {
    if (row) stmt(db, 'DELETE FROM sessions WHERE token_hash = ?').run(row.token_hash);
    throw new ApiError('UNAUTHENTICATED', 'Your session has expired. Log in again.');
  }
  const user = getUser(db, row.user_id);
  if (!user || user.disabled) throw new ApiError('UNAUTHENTICATED', 'This account can no longer log in.');
  const expiresAt = idleExpiry(new Date(row.created_at), now);
  stmt(db, 'UPDATE sessions SET expires_at = ?, last_seen_at = ? WHERE token_hash = ?').run(
    expiresAt,
    now.toISOString(),
    row.token_hash,
  );
  return { user, expiresAt };
}

export function logout(db: Db, token: string, userId: string): void {
  db.transaction(() => {
    stmt(db, 'DELETE FROM sessions WHERE token_hash = ?').run(tokenHash(token));
    appendAudit(db, { actorId: userId, action: 'auth.logout' });
  })();
}
