// Store fixtures. scrypt costs ~150 ms per passphrase or password, so a test file
// initialises ONE data directory (useStoreTemplate) and every test works on its own
// copy of it, opened with the known database key. Users are inserted directly with
// a placeholder password hash unless a test is about passwords.
import { randomBytes, randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, onTestFinished } from 'vitest';
import type { PatientRegistration, Role } from '../../main/api';
import { DUMMY_PASSWORD_HASH } from '../../main/access/passwords';
import type { UserRow } from '../../main/access/users';
import { generateEd25519 } from '../../main/store/crypto/ed25519';
import { dbPath, sealPrivateKey, initDataDir, type OpenStore } from '../../main/store/data-dir';
import { openEncryptedDatabase, type Db } from '../../main/store/database';
import { migrate } from '../../main/store/migrate';
import { ChartStore } from '../../main/store/charts/chart-store';
import type { LoadedLimits } from '../../main/store/charts/loaded-documents';
import { getMeta, requireMeta, setMeta } from '../../main/store/repositories/meta';
import { makeTempDir, removeDir, tempDir } from './temp-dir';

export const TEST_PASSPHRASE = 'correct horse battery staple';
export const TEST_CLINIC = 'Al-Noor Test Clinic';

export interface StoreTemplate {
  /** The initialised data directory (closed). */
  dir: string;
  dataKey: Uint8Array;
  passphrase: string;
}

/** Initialises a data directory (one scrypt) and closes it, ready to be copied. */
export async function createStoreTemplate(passphrase = TEST_PASSPHRASE): Promise<StoreTemplate> {
  const dir = join(makeTempDir('sijill-template'), 'data');
  const store = await initDataDir(dir, { clinicName: TEST_CLINIC, passphrase });
  store.db.close();
  return { dir, dataKey: store.dataKey, passphrase };
}

/** One template per test file: made in beforeAll, removed in afterAll. */
export function useStoreTemplate(): () => StoreTemplate {
  let template: StoreTemplate | undefined;
  beforeAll(async () => {
    template = await createStoreTemplate();
  });
  afterAll(() => {
    if (template) removeDir(join(template.dir, '..'));
  });
  return () => {
    if (!template) throw new Error('store template not ready');
    return template;
  };
}

/** Copies the template's files into a fresh data directory, removed when the test finishes. */
export function copyTemplate(template: StoreTemplate): string {
  const dir = join(tempDir('sijill-data'), 'data');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const name of readdirSync(template.dir)) copyFileSync(join(template.dir, name), join(dir, name));
  return dir;
}

/** Opens a data directory with its known key (no scrypt); the database is closed after the test. */
export function openWithKey(dataDir: string, dataKey: Uint8Array): OpenStore {
  const db = openEncryptedDatabase(dbPath(dataDir), dataKey, { create: false });
  migrate(db);
  onTestFinished(() => {
    if (db.open) db.close();
  });
  return { dataDir, db, dataKey };
}

/** A private, open copy of the template. */
export function cloneStore(template: StoreTemplate): OpenStore {
  return openWithKey(copyTemplate(template), template.dataKey);
}

/**
 * Migrates a bare test database and gives it a device id, as initDataDir does: the
 * Merkle log names its origin device in every leaf.
 */
export function migrateBare(db: Db): void {
  migrate(db);
  if (getMeta(db, 'device.id') === null) setMeta(db, 'device.id', randomUUID());
}

/** A migrated, encrypted database with a random key in a fresh temp dir (no scrypt, only a device id). */
export function openTestDb(): { db: Db; dataKey: Uint8Array; file: string; dir: string } {
  const dir = tempDir('sijill-db');
  const file = join(dir, 'test.db');
  const dataKey = new Uint8Array(randomBytes(32));
  const db = openEncryptedDatabase(file, dataKey, { create: true });
  onTestFinished(() => {
    if (db.open) db.close();
  });
  migrateBare(db);
  return { db, dataKey, file, dir };
}

export interface TestUser {
  row: UserRow;
  signingKey: Uint8Array;
  publicKey: Uint8Array;
}

/**
 * Inserts a user directly (placeholder password hash that no password matches), with
 * a real Ed25519 key pair sealed under the database key as createUser does.
 */
export function insertTestUser(
  db: Db,
  dataKey: Uint8Array,
  opts: { role?: Role; username?: string; displayName?: string } = {},
): TestUser {
  const keys = generateEd25519();
  const row: UserRow = {
    id: randomUUID(),
    username: opts.username ?? `user-${randomUUID().slice(0, 8)}`,
    display_name: opts.displayName ?? 'Dr. Test',
    role: opts.role ?? 'doctor',
    password_hash: DUMMY_PASSWORD_HASH,
    public_key: Buffer.from(keys.publicKey),
    private_key_enc: Buffer.from(sealPrivateKey(dataKey, keys.privateKey)),
    created_at: new Date().toISOString(),
    disabled: 0,
    failed_logins: 0,
    locked_until: null,
  };
  db.prepare(
    `INSERT INTO users (id, username, display_name, role, password_hash, public_key, private_key_enc, created_at)
     VALUES (@id, @username, @display_name, @role, @password_hash, @public_key, @private_key_enc, @created_at)`,
  ).run(row);
  return { row, signingKey: keys.privateKey, publicKey: keys.publicKey };
}

/** A minimal projection row so that entries (which reference patients) can be inserted without a chart. */
export function insertPatientRow(db: Db, id: string = randomUUID(), mrn = `TESTX-${id.slice(0, 7)}`): string {
  const now = new Date().toISOString();
  db.prepare(
    `INSERT INTO patients (id, document_id, mrn, given_name, family_name, sex, birth_date, heads, created_at, updated_at)
     VALUES (?, ?, ?, 'Test', 'Patient', 'unknown', '1990-01-01', '[]', ?, ?)`,
  ).run(id, `doc-${id}`, mrn, now, now);
  return id;
}

export function samplePatient(overrides: Partial<PatientRegistration> = {}): PatientRegistration {
  return {
    givenName: 'أحمد',
    fatherName: 'محمد',
    familyName: 'علي',
    latinName: 'Ahmed Mohammed Ali',
    sex: 'male',
    birthDate: '1985-03-14',
    phone: '+964 770 123 4567',
    nationalId: 'IQ-19850314-77',
    address: 'حي الجامعة، البصرة',
    ...overrides,
  };
}

export interface SharedCharts {
  store: OpenStore;
  charts: ChartStore;
  deviceId: string;
}

/**
 * One initialised, open store with a ChartStore for a whole describe block, for tests
 * that only read what beforeAll wrote. Closed and removed in afterAll.
 */
export function useSharedCharts(setup?: (s: SharedCharts) => Promise<void>): () => SharedCharts {
  let shared: SharedCharts | undefined;
  let template: StoreTemplate | undefined;
  beforeAll(async () => {
    template = await createStoreTemplate();
    const db = openEncryptedDatabase(dbPath(template.dir), template.dataKey, { create: false });
    migrate(db);
    const deviceId = requireMeta(db, 'device.id');
    shared = {
      store: { dataDir: template.dir, db, dataKey: template.dataKey },
      charts: new ChartStore(db, deviceId),
      deviceId,
    };
    if (setup) await setup(shared);
  });
  afterAll(async () => {
    if (shared) {
      await shared.charts.close();
      shared.store.db.close();
    }
    if (template) removeDir(join(template.dir, '..'));
  });
  return () => {
    if (!shared) throw new Error('shared chart store not ready');
    return shared;
  };
}

/**
 * A ChartStore on a data directory (by default a private copy of the template), opened
 * with the known key. `close()` closes the charts and the database; it also runs after
 * the test if the test did not call it.
 */
export function openCharts(
  template: StoreTemplate,
  dataDir = copyTemplate(template),
  limits?: Partial<LoadedLimits>,
): SharedCharts & { close(): Promise<void> } {
  const db = openEncryptedDatabase(dbPath(dataDir), template.dataKey, { create: false });
  migrate(db);
  const deviceId = requireMeta(db, 'device.id');
  const charts = new ChartStore(db, deviceId, limits);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await charts.close();
    db.close();
  };
  onTestFinished(close);
  return { store: { dataDir, db, dataKey: template.dataKey }, charts, deviceId, close };
}

export interface DbTemplate {
  file: string;
  dataKey: Uint8Array;
}

/**
 * A migrated database (random key, no data-dir metadata) prepared once per file by
 * `init` (e.g. users with real password hashes), then copied for each test.
 */
export function useDbTemplate(init: (db: Db, dataKey: Uint8Array) => Promise<void>): () => DbTemplate {
  let template: DbTemplate | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    dir = makeTempDir('sijill-dbtemplate');
    const file = join(dir, 'template.db');
    const dataKey = new Uint8Array(randomBytes(32));
    const db = openEncryptedDatabase(file, dataKey, { create: true });
    try {
      migrateBare(db);
      await init(db, dataKey);
    } finally {
      db.close();
    }
    template = { file, dataKey };
  });
  afterAll(() => {
    if (dir) removeDir(dir);
  });
  return () => {
    if (!template) throw new Error('database template not ready');
    return template;
  };
}

/** A private, open copy of a database template, closed and removed after the test. */
export function cloneDb(template: DbTemplate): { db: Db; dataKey: Uint8Array } {
  const file = join(tempDir('sijill-db'), 'test.db');
  copyFileSync(template.file, file);
  const db = openEncryptedDatabase(file, template.dataKey, { create: false });
  onTestFinished(() => {
    if (db.open) db.close();
  });
  return { db, dataKey: template.dataKey };
}
