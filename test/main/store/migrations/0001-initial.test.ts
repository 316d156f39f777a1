// Migration 0001 (initial schema) and the migration runner's refusals.
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { openEncryptedDatabase, type Db } from '../../../../main/store/database';
import { StoreError } from '../../../../main/store/errors';
import { migrate, schemaVersion } from '../../../../main/store/migrate';
import { migrations } from '../../../../main/store/migrations';
import { migration0001 } from '../../../../main/store/migrations/0001-initial';
import type { Migration } from '../../../../main/store/migrations/types';
import { insertPatientRow, insertTestUser } from '../../../helpers/store';
import { tempDir } from '../../../helpers/temp-dir';

/** An empty encrypted database (user_version 0), closed after the test. */
function emptyDb(): Db {
  const db = openEncryptedDatabase(join(tempDir(), 'm.db'), new Uint8Array(randomBytes(32)), { create: true });
  onTestFinished(() => {
    if (db.open) db.close();
  });
  return db;
}

const TABLES = [
  'meta',
  'users',
  'sessions',
  'automerge_chunks',
  'chart_pending',
  'patients',
  'patient_search',
  'entries',
  'audit_log',
];

function objects(db: Db, type: string): string[] {
  return (
    db.prepare(`SELECT name FROM sqlite_master WHERE type = ? ORDER BY name`).all(type) as { name: string }[]
  ).map((r) => r.name);
}

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('migration 0001-initial', () => {
  it('is migration number 1, first in the list', () => {
    expect(migration0001.version).toBe(1);
    expect(migration0001.name).toBe('initial');
    expect(migrations[0]).toBe(migration0001);
    migrations.forEach((m, i) => expect(m.version).toBe(i + 1));
  });

  it('creates every table and sets user_version = 1', () => {
    const db = emptyDb();
    expect(schemaVersion(db)).toBe(0);
    expect(migrate(db, [migration0001])).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    const tables = objects(db, 'table');
    for (const t of TABLES) expect(tables).toContain(t);
    const fts = db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'patient_search'`).get() as { sql: string };
    expect(fts.sql).toMatch(/CREATE VIRTUAL TABLE patient_search USING fts5/i);
    expect(objects(db, 'trigger').sort()).toEqual([
      'audit_no_delete',
      'audit_no_update',
      'entries_no_delete',
      'entries_no_update',
    ]);
    expect(objects(db, 'index')).toEqual(
      expect.arrayContaining(['sessions_user', 'patients_updated', 'entries_patient', 'entries_amends']),
    );
    // Partial: original entries, the great majority, never touch the amendments index.
    const amends = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'entries_amends'").get() as { sql: string };
    expect(amends.sql).toMatch(/WHERE amends IS NOT NULL/);
    const plan = db.prepare('EXPLAIN QUERY PLAN SELECT id FROM entries WHERE amends = ?').all('x') as {
      detail: string;
    }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING INDEX entries_amends/);
    db.close();
  });

  it('creates working tables: FTS5 search with prefixes, STRICT typing, role check', () => {
    const db = emptyDb();
    migrate(db, [migration0001]);
    db.prepare('INSERT INTO patient_search (patient_id, names, identifiers) VALUES (?, ?, ?)').run(
      'p1',
      'احمد علي',
      'abc123',
    );
    expect(db.prepare(`SELECT patient_id FROM patient_search WHERE patient_search MATCH '"اح"*'`).all()).toEqual([
      { patient_id: 'p1' },
    ]);
    expect(() => db.prepare(`INSERT INTO meta (key, value) VALUES ('k', x'00')`).run()).toThrow(/cannot store BLOB/i);
    expect(() => insertTestUser(db, new Uint8Array(32), { role: 'janitor' as never })).toThrow(/CHECK constraint/);
    db.close();
  });

  it('is idempotent: migrating again changes nothing', () => {
    const db = emptyDb();
    migrate(db, [migration0001]);
    const schema = db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all();
    db.prepare(`INSERT INTO meta (key, value) VALUES ('keep', 'me')`).run();
    expect(migrate(db, [migration0001])).toBe(1);
    expect(migrate(db, [migration0001])).toBe(1);
    expect(db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all()).toEqual(schema);
    expect(db.prepare(`SELECT value FROM meta WHERE key = 'keep'`).get()).toEqual({ value: 'me' });
    db.close();
  });

  it('refuses UPDATE and DELETE on entries and on the audit log (triggers)', () => {
    const db = emptyDb();
    migrate(db);
    const author = insertTestUser(db, new Uint8Array(randomBytes(32)));
    const patientId = insertPatientRow(db);
    db.prepare(
      `INSERT INTO entries (id, patient_id, kind, author_id, created_at, amends, canonical, content_hash, signature)
       VALUES ('e1', ?, 'note', ?, '2024-01-01T00:00:00.000Z', NULL, '{}', ?, ?)`,
    ).run(patientId, author.row.id, Buffer.alloc(32), Buffer.alloc(64));
    db.prepare(
      `INSERT INTO audit_log (seq, at, actor_id, action, prev_hash, hash) VALUES (1, '2024-01-01T00:00:00.000Z', NULL, 'x', ?, ?)`,
    ).run(Buffer.alloc(32), Buffer.alloc(32));

    expect(() => db.prepare(`UPDATE entries SET kind = 'vitals' WHERE id = 'e1'`).run()).toThrow(/immutable/);
    expect(() => db.prepare(`UPDATE entries SET canonical = '{"x":1}'`).run()).toThrow(/immutable/);
    expect(() => db.prepare(`DELETE FROM entries WHERE id = 'e1'`).run()).toThrow(/immutable/);
    expect(() => db.prepare(`UPDATE audit_log SET action = 'y' WHERE seq = 1`).run()).toThrow(/append-only/);
    expect(() => db.prepare(`DELETE FROM audit_log`).run()).toThrow(/append-only/);
    // INSERT OR REPLACE deletes the old row to make room: refused as well (needs recursive_triggers).
    expect(() =>
      db
        .prepare(`INSERT OR REPLACE INTO audit_log (seq, at, action, prev_hash, hash) VALUES (1, 'later', 'z', ?, ?)`)
        .run(Buffer.alloc(32), Buffer.alloc(32)),
    ).toThrow(/append-only/);
    expect(() =>
      db
        .prepare(
          `REPLACE INTO entries (id, patient_id, kind, author_id, created_at, canonical, content_hash, signature)
           VALUES ('e1', ?, 'vitals', ?, 'later', '{}', ?, ?)`,
        )
        .run(patientId, author.row.id, Buffer.alloc(32), Buffer.alloc(64)),
    ).toThrow(/immutable/);
    // An upsert is an UPDATE: refused.
    expect(() =>
      db
        .prepare(
          `INSERT INTO audit_log (seq, at, action, prev_hash, hash) VALUES (1, 'later', 'z', ?, ?) ON CONFLICT(seq) DO UPDATE SET action = 'z'`,
        )
        .run(Buffer.alloc(32), Buffer.alloc(32)),
    ).toThrow(/append-only/);
    expect(db.pragma('recursive_triggers', { simple: true })).toBe(1);
    expect(db.prepare('SELECT kind, created_at FROM entries').all()).toEqual([
      { kind: 'note', created_at: '2024-01-01T00:00:00.000Z' },
    ]);
    expect(db.prepare('SELECT action, at FROM audit_log').all()).toEqual([
      { action: 'x', at: '2024-01-01T00:00:00.000Z' },
    ]);
    db.close();
  });

  it('enforces the references of entries (unknown patient or author refused)', () => {
    const db = emptyDb();
    migrate(db);
    expect(() =>
      db
        .prepare(
          `INSERT INTO entries (id, patient_id, kind, author_id, created_at, canonical, content_hash, signature)
           VALUES (?, 'nobody', 'note', 'nobody', 'now', '{}', ?, ?)`,
        )
        .run(randomUUID(), Buffer.alloc(32), Buffer.alloc(64)),
    ).toThrow(/FOREIGN KEY/);
    db.close();
  });
});

describe('the migration runner', () => {
  it('refuses a database whose user_version is newer than the known migrations (UNSUPPORTED), touching nothing', () => {
    const db = emptyDb();
    db.pragma(`user_version = ${migrations.length + 1}`);
    const err = errorOf(() => migrate(db));
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('UNSUPPORTED');
    expect((err as StoreError).message).toMatch(/newer Sijill/);
    expect(objects(db, 'table')).toEqual([]);
    expect(schemaVersion(db)).toBe(migrations.length + 1);
    db.close();
  });

  it('refuses a wrongly numbered migration list before applying anything', () => {
    const db = emptyDb();
    const skip: Migration = { version: 3, name: 'skipped-two', up: (d) => d.exec('CREATE TABLE t3 (x)') };
    expect(() => migrate(db, [migration0001, skip])).toThrow(/numbered 3, expected 2/);
    const dup: Migration = { version: 1, name: 'duplicate', up: (d) => d.exec('CREATE TABLE t1 (x)') };
    expect(() => migrate(db, [migration0001, dup])).toThrow(/numbered 1, expected 2/);
    const zero: Migration = { version: 0, name: 'zero', up: () => undefined };
    expect(() => migrate(db, [zero])).toThrow(/expected 1/);
    expect(schemaVersion(db)).toBe(0);
    expect(objects(db, 'table')).toEqual([]);
    db.close();
  });

  it('applies each migration in its own transaction: a failing one leaves the previous version intact', () => {
    const db = emptyDb();
    const failing: Migration = {
      version: 2,
      name: 'fails-half-way',
      up(d) {
        d.exec('CREATE TABLE half_done (x)');
        throw new Error('boom');
      },
    };
    expect(() => migrate(db, [migration0001, failing])).toThrow('boom');
    expect(schemaVersion(db)).toBe(1);
    expect(objects(db, 'table')).not.toContain('half_done');
    expect(objects(db, 'table')).toContain('audit_log');
    db.close();
  });

  it('stops at the target version when one is given, and continues later', () => {
    const db = emptyDb();
    const second: Migration = {
      version: 2,
      name: 'second',
      up: (d) => d.exec('CREATE TABLE second (x INTEGER) STRICT'),
    };
    expect(migrate(db, [migration0001, second], 1)).toBe(1);
    expect(objects(db, 'table')).not.toContain('second');
    expect(migrate(db, [migration0001, second])).toBe(2);
    expect(objects(db, 'table')).toContain('second');
    db.close();
  });
});
