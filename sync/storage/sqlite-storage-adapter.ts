// automerge-repo storage in the encrypted SQLite database. Keys are arrays of
// strings; we join them with U+001F (unit separator), which never occurs in
// automerge-repo's document ids, chunk types or hashes, and refuse any part that
// contains it. Range queries are prefix-safe: the prefix ["a","b"] matches
// ["a","b"] and ["a","b",…] but never ["a","bc"].
import type { Chunk, StorageAdapterInterface, StorageKey } from '@automerge/automerge-repo';
import type Database from 'better-sqlite3-multiple-ciphers';

const SEP = '\u001f';
const AFTER_SEP = '\u0020';

function encodeKey(key: StorageKey): string {
  if (key.length === 0) throw new TypeError('storage key must have at least one part');
  for (const part of key) {
    if (typeof part !== 'string' || part.includes(SEP)) throw new TypeError('storage key part is not a plain string');
  }
  return key.join(SEP);
}

const decodeKey = (key: string): StorageKey => key.split(SEP);

export class SqliteStorageAdapter implements StorageAdapterInterface {
  readonly #load: Database.Statement<[string], { data: Buffer }>;
  readonly #save: Database.Statement<[string, Uint8Array]>;
  readonly #remove: Database.Statement<[string]>;
  readonly #loadRange: Database.Statement<[string, string, string], { key: string; data: Buffer }>;
  readonly #removeRange: Database.Statement<[string, string, string]>;
  #closed = false;

  constructor(db: Database.Database) {
    this.#load = db.prepare('SELECT data FROM automerge_chunks WHERE key = ?');
    this.#save = db.prepare(
      'INSERT INTO automerge_chunks (key, data) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET data = excluded.data',
    );
    this.#remove = db.prepare('DELETE FROM automerge_chunks WHERE key = ?');
    const range = 'key = ? OR (key >= ? AND key < ?)';
    this.#loadRange = db.prepare(`SELECT key, data FROM automerge_chunks WHERE ${range} ORDER BY key`);
    this.#removeRange = db.prepare(`DELETE FROM automerge_chunks WHERE ${range}`);
  }

  async load(key: StorageKey): Promise<Uint8Array | undefined> {
    const row = this.#load.get(encodeKey(key));
    return row ? new Uint8Array(row.data) : undefined;
  }

  async save(key: StorageKey, data: Uint8Array): Promise<void> {
    // automerge-repo may fire a debounced save after shutdown(); the owner flushes
    // every document before closing, so such a late save repeats stored state.
    if (this.#closed) return;
    this.#save.run(encodeKey(key), data);
  }

  /** Call after Repo.flush() and shutdown(), before closing the database. */
  close(): void {
    this.#closed = true;
  }

  async remove(key: StorageKey): Promise<void> {
    if (this.#closed) return;
    this.#remove.run(encodeKey(key));
  }

  async loadRange(keyPrefix: StorageKey): Promise<Chunk[]> {
    const p = encodeKey(keyPrefix);
    return this.#loadRange
      .all(p, p + SEP, p + AFTER_SEP)
      .map((r) => ({ key: decodeKey(r.key), data: new Uint8Array(r.data) }));
  }

  async removeRange(keyPrefix: StorageKey): Promise<void> {
    if (this.#closed) return;
    const p = encodeKey(keyPrefix);
    this.#removeRange.run(p, p + SEP, p + AFTER_SEP);
  }
}
