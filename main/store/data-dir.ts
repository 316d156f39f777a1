// A Sijill data directory: the encrypted database and, beside it, the key file that
// wraps the database key. This module creates one (first run) and opens one.
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { generateEd25519 } from './crypto/ed25519';
import { toB64 } from './crypto/encoding';
import { open, seal, subkey } from './crypto/key-wrap';
import { openEncryptedDatabase, type Db } from './database';
import { StoreError } from './errors';
import {
  createKeyFile,
  databaseCipherOf,
  readKeyFile,
  rewrapKeyFile,
  unwrapDataKey,
  writeKeyFileAtomic,
} from './keyfile';
import { migrate } from './migrate';
import { setMeta } from './repositories/meta';

export const DB_FILE = 'sijill.db';
export const KEY_FILE = 'sijill.key.json';

export interface OpenStore {
  dataDir: string;
  db: Db;
  /** The database key; kept in host memory only, never logged or sent anywhere. */
  dataKey: Uint8Array;
}

export const dbPath = (dataDir: string) => join(dataDir, DB_FILE);
export const keyFilePath = (dataDir: string) => join(dataDir, KEY_FILE);

export function isInitialized(dataDir: string): boolean {
  return existsSync(dbPath(dataDir)) && existsSync(keyFilePath(dataDir));
}

const PRIVATE_KEY_CONTEXT = 'private-signing-key';
/** Private signing keys in the database are sealed under a subkey of the database key. */
export function sealPrivateKey(dataKey: Uint8Array, seed: Uint8Array): Uint8Array {
  return seal(subkey(dataKey, PRIVATE_KEY_CONTEXT), seed, PRIVATE_KEY_CONTEXT);
}

export function unsealPrivateKey(dataKey: Uint8Array, box: Uint8Array): Uint8Array {
  return open(subkey(dataKey, PRIVATE_KEY_CONTEXT), box, PRIVATE_KEY_CONTEXT);
}

export interface InitOptions {
  clinicName: string;
  passphrase: string;
}

/**
 * Creates the database in a temporary file, migrates it and writes the clinic's
 * identity, then writes the key file and moves the database into place: a crash
 * part-way leaves no half-initialised directory that looks ready.
 */
export async function initDataDir(dataDir: string, options: InitOptions): Promise<OpenStore> {
  if (isInitialized(dataDir)) {
    throw new StoreError('ALREADY_INITIALIZED', `${dataDir} already holds a Sijill database.`);
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const { dataKey, keyFile } = await createKeyFile(options.passphrase);
  const tmp = join(dataDir, `${DB_FILE}.init-${process.pid}`);
  for (const suffix of ['', '-wal', '-shm']) rmSync(tmp + suffix, { force: true });
  const cipher = databaseCipherOf(keyFile);
  const db = openEncryptedDatabase(tmp, dataKey, { create: true, cipher });
  try {
    migrate(db);
    const device = generateEd25519();
    db.transaction(() => {
      setMeta(db, 'clinic.name', options.clinicName);
      setMeta(db, 'device.id', randomUUID());
      setMeta(db, 'device.public_key', toB64(device.publicKey));
      setMeta(db, 'device.private_key', toB64(sealPrivateKey(dataKey, device.privateKey)));
      // MRNs are issued offline: a random per-device prefix plus a local counter.
      setMeta(db, 'mrn.prefix', randomMrnPrefix());
      setMeta(db, 'mrn.next', '1');
      setMeta(db, 'created_at', new Date().toISOString());
    })();
  } finally {
    db.close();
  }
  writeKeyFileAtomic(keyFilePath(dataDir), keyFile);
  renameSync(tmp, dbPath(dataDir));
  return { dataDir, db: openEncryptedDatabase(dbPath(dataDir), dataKey, { create: false, cipher }), dataKey };
}

const MRN_ALPHABET = 'ACDEFGHJKLMNPQRTUVWXY3479'; // no look-alikes (0/O, 1/I, 5/S, 8/B, 2/Z, 6/G)
function randomMrnPrefix(): string {
  const bytes = randomBytes(5);
  return Array.from(bytes, (b) => MRN_ALPHABET[b % MRN_ALPHABET.length]).join('');
}

export async function openDataDir(dataDir: string, passphrase: string): Promise<OpenStore> {
  if (!isInitialized(dataDir)) {
    throw new StoreError('NOT_INITIALIZED', `No Sijill database in ${dataDir}. Run "sijill init" first.`);
  }
  const keyFile = readKeyFile(keyFilePath(dataDir));
  const dataKey = await unwrapDataKey(keyFile, passphrase);
  const db = openEncryptedDatabase(dbPath(dataDir), dataKey, { create: false, cipher: databaseCipherOf(keyFile) });
  try {
    migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return { dataDir, db, dataKey };
}

/** Re-wraps the database key under a new passphrase. The database itself is not rewritten. */
export async function changePassphrase(dataDir: string, oldPassphrase: string, newPassphrase: string): Promise<void> {
  const path = keyFilePath(dataDir);
  writeKeyFileAtomic(path, await rewrapKeyFile(readKeyFile(path), oldPassphrase, newPassphrase));
}
