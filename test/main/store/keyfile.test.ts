// The key file: the random database key wrapped under a passphrase-derived key.
// scrypt costs ~150 ms, so one key file is created for the whole file and each
// test damages its own copy of it.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../../main/store/errors';
import {
  createKeyFile,
  DEFAULT_KDF,
  parseKeyFile,
  readKeyFile,
  rewrapKeyFile,
  unwrapDataKey,
  writeKeyFileAtomic,
  type KeyFile,
} from '../../../main/store/keyfile';
import { tempDir } from '../../helpers/temp-dir';

const PASSPHRASE = 'zaytun wa tamr 2024';

let dataKey: Uint8Array;
let keyFile: KeyFile;

beforeAll(async () => {
  ({ dataKey, keyFile } = await createKeyFile(PASSPHRASE));
});

/** Expects `promise` to reject with a StoreError of `code`; returns it for further checks. */
async function storeError(promise: Promise<unknown>, code: StoreError['code']): Promise<StoreError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreError);
  expect((err as StoreError).code).toBe(code);
  return err as StoreError;
}

function syncStoreError(fn: () => unknown, code: StoreError['code']): StoreError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(StoreError);
  expect((err as StoreError).code).toBe(code);
  return err as StoreError;
}

const b64 = (s: string) => Buffer.from(s, 'base64');

describe('createKeyFile / unwrapDataKey', () => {
  it('creates a random 32-byte key, wrapped under scrypt with the default cost', async () => {
    expect(dataKey).toBeInstanceOf(Uint8Array);
    expect(dataKey.length).toBe(32);
    expect(Buffer.from(dataKey).equals(Buffer.alloc(32))).toBe(false);
    expect(keyFile.format).toBe('sijill-keyfile');
    expect(keyFile.version).toBe(1);
    expect(keyFile.cipher).toBe('xchacha20poly1305');
    expect(keyFile.kdf).toMatchObject({ name: 'scrypt', N: DEFAULT_KDF.N, r: DEFAULT_KDF.r, p: DEFAULT_KDF.p });
    expect(b64(keyFile.kdf.salt).length).toBe(16);
    // nonce (24) + key (32) + tag (16)
    expect(b64(keyFile.wrappedKey).length).toBe(72);
    expect(Number.isNaN(Date.parse(keyFile.createdAt))).toBe(false);
  });

  it('never holds the database key in the clear', () => {
    const text = JSON.stringify(keyFile);
    const hex = Buffer.from(dataKey).toString('hex');
    const base64 = Buffer.from(dataKey).toString('base64');
    expect(text).not.toContain(hex);
    expect(text).not.toContain(base64);
    expect(b64(keyFile.wrappedKey).includes(Buffer.from(dataKey))).toBe(false);
  });

  it('unwraps the same key with the right passphrase', async () => {
    const key = await unwrapDataKey(keyFile, PASSPHRASE);
    expect(Buffer.from(key).equals(Buffer.from(dataKey))).toBe(true);
  });

  it('accepts the passphrase in another Unicode normalisation form (NFC is applied)', async () => {
    const { dataKey: k, keyFile: kf } = await createKeyFile('caf\u00e9 passphrase');
    const key = await unwrapDataKey(kf, 'cafe\u0301 passphrase');
    expect(Buffer.from(key).equals(Buffer.from(k))).toBe(true);
  });

  it('gives two key files different keys and salts', async () => {
    const other = await createKeyFile(PASSPHRASE);
    expect(Buffer.from(other.dataKey).equals(Buffer.from(dataKey))).toBe(false);
    expect(other.keyFile.kdf.salt).not.toBe(keyFile.kdf.salt);
  });

  it('refuses a wrong passphrase with WRONG_PASSPHRASE and a clear message', async () => {
    const err = await storeError(unwrapDataKey(keyFile, 'zaytun wa tamr 2025'), 'WRONG_PASSPHRASE');
    expect(err.message).toMatch(/wrong database passphrase/i);
    expect(err.message).not.toMatch(/poly1305|tag|invalid/i);
  });
});

describe('damaged key files', () => {
  it('bad JSON → CORRUPT, saying the file is damaged', () => {
    const err = syncStoreError(() => parseKeyFile('{"format":"sijill-keyfile",'), 'CORRUPT');
    expect(err.message).toMatch(/key file is damaged/i);
    expect(err.message).toMatch(/backup/i);
    syncStoreError(() => parseKeyFile(''), 'CORRUPT');
  });

  it('wrong version or format → CORRUPT, naming an unknown version', () => {
    const err = syncStoreError(() => parseKeyFile(JSON.stringify({ ...keyFile, version: 2 })), 'CORRUPT');
    expect(err.message).toMatch(/unknown version/i);
    syncStoreError(() => parseKeyFile(JSON.stringify({ ...keyFile, format: 'other' })), 'CORRUPT');
    syncStoreError(() => parseKeyFile(JSON.stringify({ ...keyFile, cipher: 'aes-256-gcm' })), 'CORRUPT');
    syncStoreError(
      () => parseKeyFile(JSON.stringify({ ...keyFile, kdf: { ...keyFile.kdf, name: 'pbkdf2' } })),
      'CORRUPT',
    );
  });

  it('missing fields or wrong types → CORRUPT', () => {
    const { wrappedKey: _omit, ...noKey } = keyFile;
    syncStoreError(() => parseKeyFile(JSON.stringify(noKey)), 'CORRUPT');
    syncStoreError(() => parseKeyFile(JSON.stringify({ ...keyFile, kdf: { ...keyFile.kdf, N: '32768' } })), 'CORRUPT');
    syncStoreError(() => parseKeyFile('null'), 'CORRUPT');
    syncStoreError(() => parseKeyFile('[]'), 'CORRUPT');
  });

  it('an untouched file parses back to the same content', () => {
    expect(parseKeyFile(JSON.stringify(keyFile))).toEqual(keyFile);
  });

  it('one altered byte of wrappedKey → WRONG_PASSPHRASE (authenticated encryption detects it)', async () => {
    for (const index of [0, 30, 71]) {
      const box = b64(keyFile.wrappedKey);
      box[index] = box[index]! ^ 0x01;
      const altered = parseKeyFile(JSON.stringify({ ...keyFile, wrappedKey: box.toString('base64') }));
      const err = await storeError(unwrapDataKey(altered, PASSPHRASE), 'WRONG_PASSPHRASE');
      expect(err.message).toMatch(/passphrase/i);
    }
  });

  it('a truncated or empty wrappedKey → WRONG_PASSPHRASE, never a raw error', async () => {
    const short = b64(keyFile.wrappedKey).subarray(0, 20).toString('base64');
    await storeError(unwrapDataKey({ ...keyFile, wrappedKey: short }, PASSPHRASE), 'WRONG_PASSPHRASE');
    await storeError(unwrapDataKey({ ...keyFile, wrappedKey: '' }, PASSPHRASE), 'WRONG_PASSPHRASE');
  });

  it('an altered salt → WRONG_PASSPHRASE', async () => {
    const salt = b64(keyFile.kdf.salt);
    salt[0] = salt[0]! ^ 0x80;
    await storeError(
      unwrapDataKey({ ...keyFile, kdf: { ...keyFile.kdf, salt: salt.toString('base64') } }, PASSPHRASE),
      'WRONG_PASSPHRASE',
    );
  });

  it('unusable scrypt parameters (N not a power of 2, too much memory) → CORRUPT, never a raw scrypt error', async () => {
    const notPow2 = parseKeyFile(JSON.stringify({ ...keyFile, kdf: { ...keyFile.kdf, N: 3000 } }));
    const err = await storeError(unwrapDataKey(notPow2, PASSPHRASE), 'CORRUPT');
    expect(err.message).toMatch(/key file is damaged/i);
    const huge = parseKeyFile(JSON.stringify({ ...keyFile, kdf: { ...keyFile.kdf, N: 2 ** 22, r: 32 } }));
    await storeError(unwrapDataKey(huge, PASSPHRASE), 'CORRUPT');
  });

  it('scrypt parameters outside the schema bounds → CORRUPT', () => {
    syncStoreError(() => parseKeyFile(JSON.stringify({ ...keyFile, kdf: { ...keyFile.kdf, N: 2 ** 23 } })), 'CORRUPT');
    syncStoreError(() => parseKeyFile(JSON.stringify({ ...keyFile, kdf: { ...keyFile.kdf, r: 0 } })), 'CORRUPT');
  });
});

describe('rewrapKeyFile', () => {
  it('wraps the same key under a new passphrase; the old one no longer opens it', async () => {
    const rewrapped = await rewrapKeyFile(keyFile, PASSPHRASE, 'a brand new passphrase');
    expect(rewrapped.wrappedKey).not.toBe(keyFile.wrappedKey);
    expect(rewrapped.kdf.salt).not.toBe(keyFile.kdf.salt);
    expect(rewrapped.createdAt).toBe(keyFile.createdAt);
    const key = await unwrapDataKey(rewrapped, 'a brand new passphrase');
    expect(Buffer.from(key).equals(Buffer.from(dataKey))).toBe(true);
    await storeError(unwrapDataKey(rewrapped, PASSPHRASE), 'WRONG_PASSPHRASE');
  });

  it('refuses to re-wrap without the current passphrase', async () => {
    await storeError(rewrapKeyFile(keyFile, 'not the passphrase', 'whatever new'), 'WRONG_PASSPHRASE');
  });
});

describe('readKeyFile / writeKeyFileAtomic', () => {
  it('round-trips through disk, owner-only, leaving no temporary file', () => {
    const dir = tempDir();
    const path = join(dir, 'sijill.key.json');
    writeKeyFileAtomic(path, keyFile);
    expect(readKeyFile(path)).toEqual(keyFile);
    expect(readdirSync(dir)).toEqual(['sijill.key.json']);
    if (process.platform !== 'win32') expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('replaces an existing file whole', () => {
    const dir = tempDir();
    const path = join(dir, 'sijill.key.json');
    writeFileSync(path, 'garbage that is much longer than nothing '.repeat(200));
    writeKeyFileAtomic(path, keyFile);
    expect(readKeyFile(path)).toEqual(keyFile);
    expect(readFileSync(path, 'utf8').endsWith('}\n')).toBe(true);
  });

  it('reading a damaged file on disk → CORRUPT', () => {
    const dir = tempDir();
    const path = join(dir, 'sijill.key.json');
    writeFileSync(path, JSON.stringify(keyFile).slice(0, 40));
    syncStoreError(() => readKeyFile(path), 'CORRUPT');
    expect(existsSync(path)).toBe(true);
  });
});
