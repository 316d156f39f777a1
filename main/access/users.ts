// Users of the clinic: each has a role, a scrypt password hash and an Ed25519 key
// pair made at creation; the private key is sealed under the database key and only
// unsealed, in memory, to sign an entry.
import { randomUUID } from 'node:crypto';
import type { Role, UserSummary } from '../api';
import { ApiError } from '../api';
import { generateEd25519 } from '../store/crypto/ed25519';
import type { Db } from '../store/database';
import { sealPrivateKey, unsealPrivateKey } from '../store/data-dir';
import { appendAudit } from './audit-log';
import { hashPassword } from './passwords';
import { stmt } from '../store/statements';

export interface UserRow {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  password_hash: string;
  public_key: Buffer;
  private_key_enc: Buffer;
  created_at: string;
  disabled: number;
  failed_logins: number;
  locked_until: string | null;
}

export const toUserSummary = (u: UserRow): UserSummary => ({
  id: u.id,
  username: u.username,
  displayName: u.display_name,
  role: u.role,
  disabled: u.disabled !== 0,
  createdAt: u.created_at,
});

export interface NewUser {
  username: string;
  displayName: string;
  role: Role;
  password: string;
}

export async function createUser(
  db: Db,
  dataKey: Uint8Array,
  user: NewUser,
  actorId: string | null,
): Promise<UserSummary> {
  const passwordHash = await hashPassword(user.password); // slow: outside the transaction
  const keys = generateEd25519();
  const row: UserRow = {
    id: randomUUID(),
    username: user.username.trim().toLowerCase(),
    display_name: user.displayName.trim(),
    role: user.role,
    password_hash: passwordHash,
    public_key: Buffer.from(keys.publicKey),
    private_key_enc: Buffer.from(sealPrivateKey(dataKey, keys.privateKey)),
    created_at: new Date().toISOString(),
    disabled: 0,
    failed_logins: 0,
    locked_until: null,
  };
  db.transaction(() => {
    if (getUserByUsername(db, row.username))
      throw new ApiError('CONFLICT', `The username "${row.username}" is already taken.`);
    stmt(
      db,
      `INSERT INTO users (id, username, display_name, role, password_hash, public_key, private_key_enc, created_at)
       VALUES (@id, @username, @display_name, @role, @password_hash, @public_key, @private_key_enc, @created_at)`,
    ).run(row);
    appendAudit(db, { actorId, action: 'user.create', entityId: row.id, detail: { role: row.role } });
  })();
  return toUserSummary(row);
}

export function getUserByUsername(db: Db, username: string): UserRow | undefined {
  return stmt(db, 'SELECT * FROM users WHERE username = ?').get(username.trim().toLowerCase()) as UserRow | undefined;
}

export function getUser(db: Db, id: string): UserRow | undefined {
  return stmt(db, 'SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
}

export function listUsers(db: Db): UserSummary[] {
  return (stmt(db, 'SELECT * FROM users ORDER BY username').all() as UserRow[]).map(toUserSummary);
}

export function countUsers(db: Db): number {
  return (stmt(db, 'SELECT count(*) AS n FROM users').get() as { n: number }).n;
}

/** The user's private signing key, unsealed for one signature. */
export function userSigningKey(dataKey: Uint8Array, user: UserRow): Uint8Array {
  return unsealPrivateKey(dataKey, new Uint8Array(user.private_key_enc));
}
