// The data directory: encrypted database + key file. One directory is initialised
// for the file (scrypt is slow) and each test works on its own copy.
import Database from 'better-sqlite3-multiple-ciphers';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrations } from '../../../main/store/migrations';
import { describe, expect, it } from 'vitest';
import { publicKeyFromSeed } from '../../../main/store/crypto/ed25519';
import { open as openBox, subkey } from '../../../main/store/crypto/key-wrap';
import {
  changePassphrase,
  DB_FILE,
  dbPath,
  initDataDir,
  isInitialized,
  KEY_FILE,
  keyFilePath,
  openDataDir,
} from '../../../main/store/data-dir';
import { openEncryptedDatabase, PLAIN_SQLITE_HEADER, startsWithPlainSqliteHeader } from '../../../main/store/database';
import { StoreError } from '../../../main/store/errors';
import { readKeyFile } from '../../../main/store/keyfile';
import { migrate, schemaVersion } from '../../../main/store/migrate';
import { getMeta, setMeta } from '../../../main/store/repositories/meta';
import { copyTemplate, openWithKey, TEST_CLINIC, useStoreTemplate } from '../../helpers/store';
import { fileHead, hashFiles, sha256File, tempDir } from '../../helpers/temp-dir';

const template = useStoreTemplate();
const PLAIN_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

async function expectStoreError(promise: Promise<unknown>, code: StoreError['code']): Promise<StoreError> {
  const err = await rejection(promise);
  expect(err).toBeInstanceOf(StoreError);
  expect((err as StoreError).code).toBe(code);
  return err as StoreError;
}

/** XORs `length` bytes at `offset` of a file, in place. */
function damage(file: string, offset: number, length = 32): void {
  const bytes = readFileSync(file);
  for (let i = 0; i < length; i++) bytes[offset + i] = bytes[offset + i]! ^ 0xa5;
  writeFileSync(file, bytes);
}

describe('initDataDir / openDataDir', () => {
  it('initialises a directory that opens with the passphrase and holds the clinic identity', async () => {
    const t = template();
    expect(readdirSync(t.dir).sort()).toEqual([DB_FILE, KEY_FILE].sort());
    const dir = copyTemplate(t);
    expect(isInitialized(dir)).toBe(true);
    const store = await openDataDir(dir, t.passphrase);
    try {
      expect(Buffer.from(store.dataKey).equals(Buffer.from(t.dataKey))).toBe(true);
      expect(schemaVersion(store.db)).toBe(migrations.length);
      expect(getMeta(store.db, 'clinic.name')).toBe(TEST_CLINIC);
      expect(getMeta(store.db, 'device.id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(getMeta(store.db, 'mrn.prefix')).toMatch(/^[ACDEFGHJKLMNPQRTUVWXY3479]{5}$/);
      expect(getMeta(store.db, 'mrn.next')).toBe('1');
      // The device's private key is sealed under a subkey of the database key and matches its public key.
      const pub = Buffer.from(getMeta(store.db, 'device.public_key')!, 'base64');
      const sealed = Buffer.from(getMeta(store.db, 'device.private_key')!, 'base64');
      expect(pub.length).toBe(32);
      const seed = openBox(subkey(store.dataKey, 'private-signing-key'), sealed, 'private-signing-key');
      expect(Buffer.from(publicKeyFromSeed(seed)).equals(pub)).toBe(true);
    } finally {
      store.db.close();
    }
  });

  it('never leaves a plain SQLite header, also after data was written and the database closed', () => {
    const t = template();
    expect(fileHead(dbPath(t.dir), 16).equals(PLAIN_HEADER)).toBe(false);
    expect(PLAIN_SQLITE_HEADER).toBe('SQLite format 3\u0000');

    const store = openWithKey(copyTemplate(t), t.dataKey);
    const marker = 'PLAINTEXT-MARKER-نص-واضح';
    const insert = store.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
    store.db.transaction(() => {
      for (let i = 0; i < 500; i++) insert.run(`test.${i}`, `${marker} ${i} ${'x'.repeat(200)}`);
    })();
    // While open, the new pages live in the WAL: it is encrypted too.
    const wal = `${dbPath(store.dataDir)}-wal`;
    expect(existsSync(wal)).toBe(true);
    expect(readFileSync(wal).includes(Buffer.from('PLAINTEXT-MARKER'))).toBe(false);
    store.db.close();

    const file = dbPath(store.dataDir);
    const bytes = readFileSync(file);
    expect(bytes.length).toBeGreaterThan(100_000);
    expect(bytes.subarray(0, 16).equals(PLAIN_HEADER)).toBe(false);
    expect(startsWithPlainSqliteHeader(file)).toBe(false);
    expect(bytes.includes(Buffer.from('PLAINTEXT-MARKER'))).toBe(false);
    expect(bytes.includes(Buffer.from(TEST_CLINIC))).toBe(false);
    expect(bytes.includes(Buffer.from('CREATE TABLE'))).toBe(false);

    // And the data is there when opened with the key.
    const again = openWithKey(store.dataDir, t.dataKey);
    expect(getMeta(again.db, 'test.499')).toMatch(/^PLAINTEXT-MARKER-نص-واضح 499/);
  });

  it('startsWithPlainSqliteHeader recognises a plain SQLite file (the check itself can fail)', () => {
    const dir = tempDir();
    const file = join(dir, 'plain.db');
    const plain = new Database(file);
    plain.exec('CREATE TABLE t (x)');
    plain.close();
    expect(startsWithPlainSqliteHeader(file)).toBe(true);
  });

  it('cannot be read without the key, neither by plain SQLite nor with another key', () => {
    const t = template();
    const dir = copyTemplate(t);
    const plain = new Database(dbPath(dir), { fileMustExist: true });
    try {
      expect(() => plain.prepare('SELECT count(*) FROM sqlite_master').get()).toThrow(/not a database/i);
    } finally {
      plain.close();
    }
    let err: unknown;
    try {
      openEncryptedDatabase(dbPath(dir), new Uint8Array(randomBytes(32)), { create: false });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('CORRUPT');
  });

  it('turns WAL mode, foreign keys and full synchronous writes on', () => {
    const t = template();
    const store = openWithKey(copyTemplate(t), t.dataKey);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
    // foreign keys are enforced, not just declared
    expect(() =>
      store.db
        .prepare(
          `INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at) VALUES ('h', 'nobody', 'a', 'b', 'c')`,
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
  });

  it('a wrong passphrase gives a clear error and changes nothing in the directory', async () => {
    const t = template();
    const dir = copyTemplate(t);
    const before = hashFiles(dir);
    const err = await expectStoreError(openDataDir(dir, 'not the right passphrase'), 'WRONG_PASSPHRASE');
    expect(err.message).toMatch(/wrong database passphrase/i);
    expect(err.message).toMatch(/nothing was opened or changed/i);
    expect(hashFiles(dir)).toEqual(before);
    expect(readdirSync(dir).sort()).toEqual([DB_FILE, KEY_FILE].sort());
  });

  it('opening an uninitialised directory → NOT_INITIALIZED, and nothing is created', async () => {
    const empty = tempDir();
    const err = await expectStoreError(openDataDir(empty, 'whatever passphrase'), 'NOT_INITIALIZED');
    expect(err.message).toMatch(/sijill init/);
    expect(readdirSync(empty)).toEqual([]);
    await expectStoreError(openDataDir(join(empty, 'does-not-exist'), 'whatever passphrase'), 'NOT_INITIALIZED');
    expect(existsSync(join(empty, 'does-not-exist'))).toBe(false);
    // A key file alone (the database is missing) is not an initialised directory either.
    const half = join(empty, 'half');
    mkdirSync(half);
    writeFileSync(keyFilePath(half), readFileSync(keyFilePath(template().dir)));
    expect(isInitialized(half)).toBe(false);
    await expectStoreError(openDataDir(half, template().passphrase), 'NOT_INITIALIZED');
  });

  it('initialising twice → ALREADY_INITIALIZED, and the existing files are untouched', async () => {
    const dir = copyTemplate(template());
    const before = hashFiles(dir);
    const err = await expectStoreError(
      initDataDir(dir, { clinicName: 'Other', passphrase: 'another passphrase' }),
      'ALREADY_INITIALIZED',
    );
    expect(err.message).toContain(dir);
    expect(hashFiles(dir)).toEqual(before);
  });

  it('refuses a database written by a newer schema with UNSUPPORTED', async () => {
    const t = template();
    const dir = copyTemplate(t);
    const raw = openEncryptedDatabase(dbPath(dir), t.dataKey, { create: false });
    const newer = migrations.length + 1;
    raw.pragma(`user_version = ${newer}`);
    raw.close();
    const err = await expectStoreError(openDataDir(dir, t.passphrase), 'UNSUPPORTED');
    expect(err.message).toMatch(/newer Sijill/);
    // Still at the newer version: the old build did not touch it.
    const check = openEncryptedDatabase(dbPath(dir), t.dataKey, { create: false });
    expect(schemaVersion(check)).toBe(newer);
    check.close();
  });
});

describe('a damaged database file', () => {
  const cases: [string, (size: number) => number][] = [
    ['the header of the first page', () => 0],
    ['inside the first page', () => 1000],
    ['a page in the middle', (size) => Math.floor(size / 4096 / 2) * 4096 + 500],
    ['the last page', (size) => size - 200],
  ];
  for (const [where, offset] of cases) {
    it(`damage in ${where} → StoreError CORRUPT with a clear message, not a raw SQLite error`, async () => {
      const t = template();
      const dir = copyTemplate(t);
      const file = dbPath(dir);
      const probe = openEncryptedDatabase(file, t.dataKey, { create: false });
      // A migration that rebuilds a table (0011) leaves a free page: compact first, so
      // the damage lands on a page in use.
      probe.exec('VACUUM');
      expect(probe.pragma('freelist_count', { simple: true })).toBe(0); // every page is in use
      probe.close();
      const size = statSync(file).size;
      expect(size % 4096).toBe(0);
      damage(file, offset(size));
      const err = await expectStoreError(openDataDir(dir, t.passphrase), 'CORRUPT');
      expect(err.message).toMatch(/damaged/);
      expect(err.message).toMatch(/backup/i);
      expect(err.message).not.toMatch(/SQLITE_|malformed|not a database/i);
    });
  }

  it('a database file replaced by garbage → CORRUPT', async () => {
    const t = template();
    const dir = copyTemplate(t);
    writeFileSync(dbPath(dir), randomBytes(8192));
    await expectStoreError(openDataDir(dir, t.passphrase), 'CORRUPT');
  });
});

describe('the page cipher', () => {
  it('new databases use AEGIS-256 and say so in their key file', () => {
    const t = template();
    expect(readKeyFile(keyFilePath(t.dir)).databaseCipher).toBe('aegis-256');
    // The SQLCipher scheme cannot read an AEGIS database with the same key.
    expect(() => openEncryptedDatabase(dbPath(t.dir), t.dataKey, { create: false, cipher: 'sqlcipher-v4' })).toThrow(
      StoreError,
    );
  });

  it('a key file from before AEGIS (no databaseCipher) opens its SQLCipher v4 database', async () => {
    const t = template();
    const dir = tempDir();
    const legacy = openEncryptedDatabase(dbPath(dir), t.dataKey, { create: true, cipher: 'sqlcipher-v4' });
    migrate(legacy);
    setMeta(legacy, 'clinic.name', 'Legacy Clinic');
    legacy.close();
    const { databaseCipher, ...keyFile } = readKeyFile(keyFilePath(t.dir));
    expect(databaseCipher).toBe('aegis-256');
    writeFileSync(keyFilePath(dir), JSON.stringify(keyFile));

    const store = await openDataDir(dir, t.passphrase);
    expect(getMeta(store.db, 'clinic.name')).toBe('Legacy Clinic');
    store.db.close();
    // A passphrase change keeps the database's cipher: still absent means SQLCipher.
    await changePassphrase(dir, t.passphrase, 'the new clinic passphrase');
    expect(readKeyFile(keyFilePath(dir)).databaseCipher).toBe('sqlcipher-v4');
    (await openDataDir(dir, 'the new clinic passphrase')).db.close();
  });
});

describe('changePassphrase', () => {
  it('re-wraps the key without rewriting the database', async () => {
    const t = template();
    const dir = copyTemplate(t);
    const dbBefore = sha256File(dbPath(dir));
    const keyBefore = readKeyFile(keyFilePath(dir));
    await changePassphrase(dir, t.passphrase, 'the new clinic passphrase');
    expect(sha256File(dbPath(dir))).toBe(dbBefore);
    const keyAfter = readKeyFile(keyFilePath(dir));
    expect(keyAfter.wrappedKey).not.toBe(keyBefore.wrappedKey);
    expect(keyAfter.createdAt).toBe(keyBefore.createdAt);
    expect(keyAfter.databaseCipher).toBe('aegis-256');
    expect(readdirSync(dir).sort()).toEqual([DB_FILE, KEY_FILE].sort());

    const store = await openDataDir(dir, 'the new clinic passphrase');
    expect(getMeta(store.db, 'clinic.name')).toBe(TEST_CLINIC);
    store.db.close();
    await expectStoreError(openDataDir(dir, t.passphrase), 'WRONG_PASSPHRASE');
  });

  it('with a wrong current passphrase → WRONG_PASSPHRASE and nothing changes', async () => {
    const dir = copyTemplate(template());
    const before = hashFiles(dir);
    await expectStoreError(
      changePassphrase(dir, 'not the passphrase', 'the new clinic passphrase'),
      'WRONG_PASSPHRASE',
    );
    expect(hashFiles(dir)).toEqual(before);
  });
});
