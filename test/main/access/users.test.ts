// Users: creation (normalised username, key pair, audit), conflicts, look-ups.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../main/api';
import { verifyAuditChain } from '../../../main/access/audit-log';
import { verifyPassword } from '../../../main/access/passwords';
import {
  countUsers,
  createUser,
  getUser,
  getUserByUsername,
  listUsers,
  toUserSummary,
  userSigningKey,
} from '../../../main/access/users';
import { publicKeyFromSeed } from '../../../main/store/crypto/ed25519';
import type { Db } from '../../../main/store/database';
import { cloneDb, useDbTemplate } from '../../helpers/store';

const PASSWORD = 'Basra-clinic-2024';
let sara: { id: string } = { id: '' };

// One user with a real password hash, made once (scrypt is slow); each test gets a copy.
const template = useDbTemplate(async (db, dataKey) => {
  sara = await createUser(
    db,
    dataKey,
    { username: '  Dr.Sara ', displayName: ' د. سارة الموسوي ', role: 'doctor', password: PASSWORD },
    'admin-1',
  );
});

const auditActions = (db: Db) =>
  db.prepare('SELECT actor_id, action, entity_id, detail FROM audit_log ORDER BY seq').all() as {
    actor_id: string | null;
    action: string;
    entity_id: string | null;
    detail: string | null;
  }[];

describe('createUser', () => {
  it('stores the user with a lower-case, trimmed username and a trimmed display name', () => {
    const { db } = cloneDb(template());
    const row = getUser(db, sara.id)!;
    expect(row.username).toBe('dr.sara');
    expect(row.display_name).toBe('د. سارة الموسوي');
    expect(row.role).toBe('doctor');
    expect(row.disabled).toBe(0);
    expect(row.failed_logins).toBe(0);
    expect(row.locked_until).toBeNull();
    expect(toUserSummary(row)).toEqual({
      id: sara.id,
      username: 'dr.sara',
      displayName: 'د. سارة الموسوي',
      role: 'doctor',
      disabled: false,
      createdAt: row.created_at,
    });
  });

  it('keeps only a scrypt hash of the password, which verifies', async () => {
    const { db } = cloneDb(template());
    const row = getUser(db, sara.id)!;
    expect(row.password_hash.startsWith('scrypt$')).toBe(true);
    expect(row.password_hash).not.toContain(PASSWORD);
    expect(await verifyPassword(PASSWORD, row.password_hash)).toBe(true);
  });

  it('gives the user an Ed25519 key pair whose private half is sealed under the database key', () => {
    const { db, dataKey } = cloneDb(template());
    const row = getUser(db, sara.id)!;
    expect(row.public_key).toHaveLength(32);
    const seed = userSigningKey(dataKey, row);
    expect(seed).toHaveLength(32);
    expect(Buffer.from(publicKeyFromSeed(seed)).equals(row.public_key)).toBe(true);
    expect(row.private_key_enc.includes(Buffer.from(seed))).toBe(false);
    expect(() => userSigningKey(new Uint8Array(32), row)).toThrow();
  });

  it('appends a user.create audit record naming the actor, the new user and the role', () => {
    const { db } = cloneDb(template());
    expect(auditActions(db)).toEqual([
      { actor_id: 'admin-1', action: 'user.create', entity_id: sara.id, detail: '{"role":"doctor"}' },
    ]);
    expect(verifyAuditChain(db).ok).toBe(true);
  });

  it('refuses a username already taken, in any case or spacing, with CONFLICT, writing nothing', async () => {
    const { db, dataKey } = cloneDb(template());
    const err = await createUser(
      db,
      dataKey,
      { username: 'DR.SARA ', displayName: 'Impostor', role: 'administrator', password: 'another-password' },
      'admin-1',
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('CONFLICT');
    expect((err as ApiError).message).toBe('The username "dr.sara" is already taken.');
    expect(countUsers(db)).toBe(1);
    expect(auditActions(db)).toHaveLength(1);
    expect(getUserByUsername(db, 'dr.sara')!.role).toBe('doctor');
  });

  it('creates a second user, lists users by username, and finds them case-insensitively', async () => {
    const { db, dataKey } = cloneDb(template());
    const nurse = await createUser(
      db,
      dataKey,
      { username: 'Ali.Nurse', displayName: 'Ali', role: 'nurse', password: 'nurse-password' },
      null,
    );
    expect(nurse.username).toBe('ali.nurse');
    expect(listUsers(db).map((u) => u.username)).toEqual(['ali.nurse', 'dr.sara']);
    expect(getUserByUsername(db, ' ALI.NURSE ')!.id).toBe(nurse.id);
    expect(getUserByUsername(db, 'nobody')).toBeUndefined();
    expect(countUsers(db)).toBe(2);
    expect(auditActions(db).at(-1)).toEqual({
      actor_id: null,
      action: 'user.create',
      entity_id: nurse.id,
      detail: '{"role":"nurse"}',
    });
    // Different users, different keys.
    expect(getUser(db, nurse.id)!.public_key.equals(getUser(db, sara.id)!.public_key)).toBe(false);
  });

  it('refuses an unknown role (schema CHECK), writing nothing', async () => {
    const { db, dataKey } = cloneDb(template());
    await expect(
      createUser(
        db,
        dataKey,
        { username: 'x.y', displayName: 'X', role: 'superuser' as never, password: 'whatever-pass' },
        'admin-1',
      ),
    ).rejects.toThrow(/CHECK constraint/);
    expect(countUsers(db)).toBe(1);
    expect(auditActions(db)).toHaveLength(1);
  });
});
