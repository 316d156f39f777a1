// The automerge-repo storage adapter over the encrypted SQLite database: the
// StorageAdapterInterface contract, prefix-safe ranges, refused keys, and a real Repo.
import { Repo, type PeerId, type StorageKey } from '@automerge/automerge-repo';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { SqliteStorageAdapter } from '../../sync';
import { openEncryptedDatabase, type Db } from '../../main/store/database';
import { migrate } from '../../main/store/migrate';
import { tempDir } from '../helpers/temp-dir';

interface Fixture {
  db: Db;
  adapter: SqliteStorageAdapter;
  file: string;
  dataKey: Uint8Array;
}

/** A fresh encrypted, migrated database in its own temp dir, with an adapter on it. */
function fixture(): Fixture {
  const file = join(tempDir('sijill-sync'), 'sync.db');
  const dataKey = new Uint8Array(randomBytes(32));
  const db = openEncryptedDatabase(file, dataKey, { create: true });
  migrate(db);
  onTestFinished(() => {
    if (db.open) db.close();
  });
  return { db, adapter: new SqliteStorageAdapter(db), file, dataKey };
}

const bytes = (...values: number[]) => new Uint8Array(values);
const keysOf = (chunks: { key: StorageKey }[]) => chunks.map((c) => c.key.join('/')).sort();
const rowCount = (db: Db) => (db.prepare('SELECT count(*) AS n FROM automerge_chunks').get() as { n: number }).n;

describe('load / save / remove', () => {
  it('load of a missing key → undefined', async () => {
    const { adapter } = fixture();
    expect(await adapter.load(['AAAAA', 'sync-state', 'xxxxx'])).toBeUndefined();
    expect(await adapter.load(['storage-adapter-id'])).toBeUndefined();
  });

  it('round-trips data as a plain Uint8Array, for single and composite keys', async () => {
    const { adapter } = fixture();
    await adapter.save(['storage-adapter-id'], bytes(0, 1, 127, 99, 154, 235));
    await adapter.save(['AAAAA', 'snapshot', 'h1'], bytes(1, 2, 3));
    const a = await adapter.load(['storage-adapter-id']);
    expect(a).toStrictEqual(bytes(0, 1, 127, 99, 154, 235));
    expect(a!.constructor).toBe(Uint8Array);
    expect(await adapter.load(['AAAAA', 'snapshot', 'h1'])).toStrictEqual(bytes(1, 2, 3));
    // A prefix is not the key.
    expect(await adapter.load(['AAAAA', 'snapshot'])).toBeUndefined();
  });

  it('round-trips a large payload, an empty one, and Unicode or empty key parts', async () => {
    const { adapter } = fixture();
    const large = new Uint8Array(randomBytes(300_000));
    await adapter.save(['doc', 'incremental', 'big'], large);
    expect(Buffer.from((await adapter.load(['doc', 'incremental', 'big']))!).equals(Buffer.from(large))).toBe(true);
    await adapter.save(['doc', 'empty'], new Uint8Array(0));
    expect(await adapter.load(['doc', 'empty'])).toStrictEqual(new Uint8Array(0));
    await adapter.save(['وثيقة', 'مفتاح'], bytes(9));
    expect(await adapter.load(['وثيقة', 'مفتاح'])).toStrictEqual(bytes(9));
    await adapter.save(['x', ''], bytes(7));
    expect(await adapter.load(['x', ''])).toStrictEqual(bytes(7));
    expect(await adapter.load(['x'])).toBeUndefined();
  });

  it('a second save overwrites the first', async () => {
    const { db, adapter } = fixture();
    await adapter.save(['AAAAA', 'sync-state', 'p1'], bytes(1, 1, 1));
    await adapter.save(['AAAAA', 'sync-state', 'p1'], bytes(2));
    expect(await adapter.load(['AAAAA', 'sync-state', 'p1'])).toStrictEqual(bytes(2));
    expect(rowCount(db)).toBe(1);
  });

  it('remove deletes exactly that key; removing a missing key is a no-op', async () => {
    const { adapter } = fixture();
    await adapter.save(['AAAAA', 'snapshot', 'x'], bytes(1));
    await adapter.save(['AAAAA', 'snapshot', 'xy'], bytes(2));
    await adapter.save(['AAAAA', 'snapshot'], bytes(3));
    await adapter.remove(['AAAAA', 'snapshot', 'x']);
    expect(await adapter.load(['AAAAA', 'snapshot', 'x'])).toBeUndefined();
    expect(await adapter.load(['AAAAA', 'snapshot', 'xy'])).toStrictEqual(bytes(2));
    expect(await adapter.load(['AAAAA', 'snapshot'])).toStrictEqual(bytes(3));
    await expect(adapter.remove(['nothing', 'here'])).resolves.toBeUndefined();
    await adapter.remove(['AAAAA', 'snapshot']);
    expect(keysOf(await adapter.loadRange(['AAAAA']))).toEqual(['AAAAA/snapshot/xy']);
  });
});

describe('loadRange / removeRange are prefix-safe', () => {
  const ALL: StorageKey[] = [
    ['a'],
    ['a', 'b'],
    ['a', 'b', 'c'],
    ['a', 'b', 'c', 'd'],
    ['a', 'bc'],
    ['a', 'b\u0001'],
    ['a', 'b\u001e', 'z'],
    ['a', 'b ', 'z'],
    ['ab'],
    ['ab', 'c'],
    ['b', 'a'],
  ];
  async function filled(): Promise<Fixture> {
    const f = fixture();
    for (const [i, key] of ALL.entries()) await f.adapter.save(key, bytes(i));
    return f;
  }

  it('the prefix ["a","b"] matches ["a","b"] and ["a","b",…], never ["a","bc"], ["ab"] or ["a","b\\u0001"]', async () => {
    const { adapter } = await filled();
    const chunks = await adapter.loadRange(['a', 'b']);
    expect(keysOf(chunks)).toEqual(['a/b', 'a/b/c', 'a/b/c/d']);
    // keys come back as arrays, with their own data
    const c = chunks.find((x) => x.key.length === 3)!;
    expect(c.key).toEqual(['a', 'b', 'c']);
    expect(c.data).toStrictEqual(bytes(2));
  });

  it('the prefix ["a"] matches every key under "a" but not "ab"', async () => {
    const { adapter } = await filled();
    expect(keysOf(await adapter.loadRange(['a']))).toEqual(
      ['a', 'a/b', 'a/b/c', 'a/b/c/d', 'a/bc', 'a/b\u0001', 'a/b\u001e/z', 'a/b /z'].sort(),
    );
    expect(keysOf(await adapter.loadRange(['ab']))).toEqual(['ab', 'ab/c']);
    expect(await adapter.loadRange(['zzz'])).toEqual([]);
    expect(await adapter.loadRange(['a', 'b', 'c', 'd', 'e'])).toEqual([]);
  });

  it('removeRange(["a","b"]) removes ["a","b"] and below only', async () => {
    const { adapter } = await filled();
    await adapter.removeRange(['a', 'b']);
    const left = keysOf(await adapter.loadRange(['a'])).concat(
      keysOf(await adapter.loadRange(['ab'])),
      keysOf(await adapter.loadRange(['b'])),
    );
    expect(left.sort()).toEqual(['a', 'a/bc', 'a/b\u0001', 'a/b\u001e/z', 'a/b /z', 'ab', 'ab/c', 'b/a'].sort());
    expect(await adapter.load(['a', 'b'])).toBeUndefined();
    expect(await adapter.load(['a', 'b', 'c', 'd'])).toBeUndefined();
  });

  it('removeRange(["a"]) leaves "ab" and "b" alone', async () => {
    const { db, adapter } = await filled();
    await adapter.removeRange(['a']);
    expect(keysOf(await adapter.loadRange(['ab']))).toEqual(['ab', 'ab/c']);
    expect(keysOf(await adapter.loadRange(['b']))).toEqual(['b/a']);
    expect(rowCount(db)).toBe(3);
  });
});

describe('refused keys', () => {
  it('refuses any key part containing U+001F, and the empty key, for every operation; nothing is stored', async () => {
    const { db, adapter } = fixture();
    for (const key of [['a\u001fb'], ['doc', 'snap\u001fshot'], ['\u001f'], []] as StorageKey[]) {
      await expect(adapter.save(key, bytes(1))).rejects.toThrow(TypeError);
      await expect(adapter.load(key)).rejects.toThrow(TypeError);
      await expect(adapter.remove(key)).rejects.toThrow(TypeError);
      await expect(adapter.loadRange(key)).rejects.toThrow(TypeError);
      await expect(adapter.removeRange(key)).rejects.toThrow(TypeError);
    }
    expect(rowCount(db)).toBe(0);
  });

  it('a refused key cannot alias a real one (["a\\u001fb"] would otherwise read ["a","b"])', async () => {
    const { adapter } = fixture();
    await adapter.save(['a', 'b'], bytes(5));
    await expect(adapter.load(['a\u001fb'])).rejects.toThrow(TypeError);
    await expect(adapter.removeRange(['a\u001fb'])).rejects.toThrow(TypeError);
    expect(await adapter.load(['a', 'b'])).toStrictEqual(bytes(5));
  });
});

describe('close()', () => {
  it('ignores late writes after close, but still reads', async () => {
    const { db, adapter } = fixture();
    await adapter.save(['k'], bytes(1));
    adapter.close();
    await adapter.save(['k'], bytes(2));
    await adapter.save(['late'], bytes(3));
    await adapter.remove(['k']);
    await adapter.removeRange(['k']);
    expect(await adapter.load(['k'])).toStrictEqual(bytes(1));
    expect(rowCount(db)).toBe(1);
  });
});

describe('with a real automerge-repo Repo', () => {
  interface Doc {
    title: string;
    readings: number[];
    patient: { name: string };
  }

  it('a document created and flushed is found with the same content by a new Repo on the reopened database', async () => {
    const f = fixture();
    const repo1 = new Repo({
      storage: f.adapter,
      network: [],
      peerId: 'test-device-1' as PeerId,
      sharePolicy: async () => false,
    });
    const handle = repo1.create<Doc>({ title: 'chart', readings: [97, 98], patient: { name: 'فاطمة' } });
    handle.change((d) => {
      d.readings.push(95);
      d.title = 'chart v2';
    });
    await repo1.flush();
    const expected = JSON.parse(JSON.stringify(handle.doc())) as Doc;
    const stored = f.db.prepare('SELECT key FROM automerge_chunks WHERE key LIKE ?').all(`${handle.documentId}%`) as {
      key: string;
    }[];
    expect(stored.length).toBeGreaterThan(0);
    for (const { key } of stored) expect(['snapshot', 'incremental']).toContain(key.split('\u001f')[1]);
    await repo1.shutdown();
    f.adapter.close();
    f.db.close();

    const db2 = openEncryptedDatabase(f.file, f.dataKey, { create: false });
    onTestFinished(() => {
      if (db2.open) db2.close();
    });
    const adapter2 = new SqliteStorageAdapter(db2);
    const repo2 = new Repo({
      storage: adapter2,
      network: [],
      peerId: 'test-device-2' as PeerId,
      sharePolicy: async () => false,
    });
    try {
      const found = await repo2.find<Doc>(handle.url);
      expect(JSON.parse(JSON.stringify(found.doc()))).toEqual(expected);
      expect(found.doc().readings).toEqual([97, 98, 95]);
      expect(found.doc().patient.name).toBe('فاطمة');
      expect(found.heads()).toEqual(handle.heads());
    } finally {
      try {
        await repo2.shutdown();
      } finally {
        adapter2.close();
      }
    }
  });

  it('many changes compact into snapshots without losing anything', async () => {
    const f = fixture();
    const repo = new Repo({
      storage: f.adapter,
      network: [],
      peerId: 'test-device-3' as PeerId,
      sharePolicy: async () => false,
    });
    const handle = repo.create<{ n: number[] }>({ n: [] });
    for (let i = 0; i < 60; i++) {
      handle.change((d) => {
        d.n.push(i);
      });
      if (i % 10 === 0) await repo.flush();
    }
    await repo.flush();
    await repo.shutdown();
    f.adapter.close();
    const kinds = (f.db.prepare('SELECT key FROM automerge_chunks').all() as { key: string }[]).map(
      (r) => r.key.split('\u001f')[1],
    );
    expect(kinds).toContain('snapshot');
    expect(kinds).toContain(undefined); // ["storage-adapter-id"]

    const adapter2 = new SqliteStorageAdapter(f.db);
    const repo2 = new Repo({
      storage: adapter2,
      network: [],
      peerId: 'test-device-4' as PeerId,
      sharePolicy: async () => false,
    });
    try {
      const found = await repo2.find<{ n: number[] }>(handle.url);
      expect(found.doc().n).toEqual(Array.from({ length: 60 }, (_, i) => i));
    } finally {
      try {
        await repo2.shutdown();
      } finally {
        adapter2.close();
      }
    }
  });
});
