// The key file beside the database: the random 32-byte database key, wrapped by a
// key derived from the passphrase with scrypt. Changing the passphrase rewrites only
// this small file (atomically), never the database. The file holds no secret in the
// clear; losing the passphrase loses the data, by design.
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { z } from 'zod';
import { fromB64, toB64 } from './crypto/encoding';
import { open, seal } from './crypto/key-wrap';
import { DATABASE_CIPHERS, DEFAULT_DATABASE_CIPHER, type DatabaseCipher } from './database';
import { StoreError } from './errors';

const WRAP_CONTEXT = 'sijill/database-key/v1';

/** scrypt cost: 2^15 × 8 × 128 B = 32 MiB and ~150 ms here; stored per file so it can be raised later. */
export const DEFAULT_KDF = { N: 2 ** 15, r: 8, p: 1 } as const;

const KeyFileSchema = z.object({
  format: z.literal('sijill-keyfile'),
  version: z.literal(1),
  kdf: z.object({
    name: z.literal('scrypt'),
    N: z
      .number()
      .int()
      .min(2 ** 10)
      .max(2 ** 22),
    r: z.number().int().min(1).max(32),
    p: z.number().int().min(1).max(16),
    salt: z.string(),
  }),
  cipher: z.literal('xchacha20poly1305'),
  wrappedKey: z.string(),
  /** How the database pages are encrypted. Absent in key files written before AEGIS: SQLCipher v4. */
  databaseCipher: z.enum(DATABASE_CIPHERS).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type KeyFile = z.infer<typeof KeyFileSchema>;

async function deriveWrappingKey(passphrase: string, kdf: KeyFile['kdf']): Promise<Uint8Array> {
  return scryptAsync(passphrase.normalize('NFC'), fromB64(kdf.salt), { N: kdf.N, r: kdf.r, p: kdf.p, dkLen: 32 });
}

async function wrap(
  dataKey: Uint8Array,
  passphrase: string,
  createdAt: string,
  databaseCipher: DatabaseCipher,
): Promise<KeyFile> {
  const kdf = { name: 'scrypt' as const, ...DEFAULT_KDF, salt: toB64(new Uint8Array(randomBytes(16))) };
  const kek = await deriveWrappingKey(passphrase, kdf);
  return {
    format: 'sijill-keyfile',
    version: 1,
    kdf,
    cipher: 'xchacha20poly1305',
    wrappedKey: toB64(seal(kek, dataKey, WRAP_CONTEXT)),
    databaseCipher,
    createdAt,
    updatedAt: new Date().toISOString(),
  };
}

export async function createKeyFile(passphrase: string): Promise<{ dataKey: Uint8Array; keyFile: KeyFile }> {
  const dataKey = new Uint8Array(randomBytes(32));
  return { dataKey, keyFile: await wrap(dataKey, passphrase, new Date().toISOString(), DEFAULT_DATABASE_CIPHER) };
}

export function parseKeyFile(text: string): KeyFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new StoreError('CORRUPT', 'The key file is damaged (not valid JSON). Restore it from a backup.');
  }
  const parsed = KeyFileSchema.safeParse(raw);
  if (!parsed.success)
    throw new StoreError('CORRUPT', 'The key file is damaged or of an unknown version. Restore it from a backup.');
  return parsed.data;
}

export async function unwrapDataKey(keyFile: KeyFile, passphrase: string): Promise<Uint8Array> {
  let kek: Uint8Array;
  try {
    kek = await deriveWrappingKey(passphrase, keyFile.kdf);
  } catch {
    // e.g. N not a power of 2, or parameters beyond scrypt's memory limit: the file was altered.
    throw new StoreError(
      'CORRUPT',
      'The key file is damaged (its key-derivation parameters are unusable). Restore it from a backup.',
    );
  }
  try {
    const key = open(kek, fromB64(keyFile.wrappedKey), WRAP_CONTEXT);
    if (key.length !== 32) throw new Error('bad key length');
    return key;
  } catch {
    throw new StoreError('WRONG_PASSPHRASE', 'Wrong database passphrase. Nothing was opened or changed.');
  }
}

export async function rewrapKeyFile(keyFile: KeyFile, oldPassphrase: string, newPassphrase: string): Promise<KeyFile> {
  const dataKey = await unwrapDataKey(keyFile, oldPassphrase);
  return wrap(dataKey, newPassphrase, keyFile.createdAt, databaseCipherOf(keyFile));
}

/** The cipher the database beside this key file was created with. */
export function databaseCipherOf(keyFile: KeyFile): DatabaseCipher {
  return keyFile.databaseCipher ?? 'sqlcipher-v4';
}

export function readKeyFile(path: string): KeyFile {
  return parseKeyFile(readFileSync(path, 'utf8'));
}

/** Write-then-rename with fsync, so a crash leaves either the old or the new file, never half of one. */
export function writeKeyFileAtomic(path: string, keyFile: KeyFile): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(keyFile, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
