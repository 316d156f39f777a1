// Opening the encrypted SQLite database. The whole file is encrypted (SQLite3
// Multiple Ciphers) with the raw 32-byte database key, so no page, not even the
// header, is readable without it.
//
// Cipher: AEGIS-256 for databases created now. It is an authenticated cipher (a tag
// per page, a fresh random nonce per page write) that runs on the CPU's AES
// instructions; the SQLCipher v4 scheme (AES-256-CBC + HMAC-SHA512) cost ~20 µs of
// CPU per 4 KiB page, most of a committed entry's time (see bench/). Databases made
// before the switch say nothing in their key file and keep the SQLCipher scheme.
import Database from 'better-sqlite3-multiple-ciphers';
import { closeSync, openSync, readSync } from 'node:fs';
import { toHex } from './crypto/encoding';
import { StoreError } from './errors';

export type Db = Database.Database;

export const DATABASE_CIPHERS = ['aegis-256', 'sqlcipher-v4'] as const;
export type DatabaseCipher = (typeof DATABASE_CIPHERS)[number];
export const DEFAULT_DATABASE_CIPHER: DatabaseCipher = 'aegis-256';

function selectCipher(db: Db, cipher: DatabaseCipher): void {
  if (cipher === 'aegis-256') {
    db.pragma(`cipher='aegis'`);
    db.pragma(`algorithm='aegis-256'`);
  } else {
    db.pragma(`cipher='sqlcipher'`);
    db.pragma(`legacy=4`);
  }
}

export function openEncryptedDatabase(
  file: string,
  dataKey: Uint8Array,
  options: { create: boolean; cipher?: DatabaseCipher },
): Db {
  if (dataKey.length !== 32) throw new TypeError('database key must be 32 bytes');
  const db = new Database(file, { fileMustExist: !options.create });
  try {
    selectCipher(db, options.cipher ?? DEFAULT_DATABASE_CIPHER);
    // Raw key syntax: the key is used as is, without a second KDF on every open.
    db.pragma(`key="x'${toHex(dataKey)}'"`);
    // First read proves the key: a wrong key or a damaged file fails here.
    db.prepare('SELECT count(*) AS n FROM sqlite_master').get();
    // ... but only the first page. Every page carries a MAC: reading them all now turns a
    // damaged page anywhere in the file into CORRUPT here, not a raw SQLite error later.
    if (!options.create && db.pragma('quick_check', { simple: true }) !== 'ok') {
      throw new Error('database disk image is malformed (quick_check)');
    }
    db.pragma('journal_mode = WAL');
    // FULL: a committed (acknowledged) transaction survives power loss, not just a crash.
    db.pragma('synchronous = FULL');
    // Checkpoint the WAL every ~40 MB rather than SQLite's ~4 MB: each checkpoint
    // copies pages into the database file and fsyncs it, and recording writes the
    // same few last pages again and again, so rarer checkpoints copy each page once
    // for many commits. (bench/: entry insert ratio 0.43 -> 0.51.) The cost is a
    // larger -wal file between checkpoints, replayed at open after a crash.
    db.pragma('wal_autocheckpoint = 10000');
    db.pragma('foreign_keys = ON');
    // Without this, INSERT OR REPLACE deletes a conflicting row WITHOUT firing DELETE
    // triggers, silently overwriting an "immutable" entry or audit record.
    db.pragma('recursive_triggers = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('secure_delete = ON');
  } catch (err) {
    db.close();
    const msg = err instanceof Error ? err.message : String(err);
    if (/not a database|malformed|encrypted/i.test(msg)) {
      throw new StoreError(
        'CORRUPT',
        `The database file ${file} cannot be read with its key: it is damaged or was replaced. Restore it from a backup.`,
      );
    }
    throw err;
  }
  return db;
}

/** The first bytes of a plain SQLite file; an encrypted Sijill database must never start with them. */
export const PLAIN_SQLITE_HEADER = 'SQLite format 3\u0000';

export function startsWithPlainSqliteHeader(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(16);
    const n = readSync(fd, buf, 0, 16, 0);
    return n === 16 && buf.toString('latin1') === PLAIN_SQLITE_HEADER;
  } finally {
    closeSync(fd);
  }
}
