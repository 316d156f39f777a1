// Signed clinical entries: content hash, Ed25519 signature (checked independently with
// @noble/curves and node:crypto), tamper detection, amendments, canonical JSON.
import { ed25519 } from '@noble/curves/ed25519.js';
import fc from 'fast-check';
import { createHash, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../main/store/crypto/canonical-json';
import { ed25519Signer, publicKeyFromSeed, signEd25519, verifyEd25519 } from '../../../main/store/crypto/ed25519';
import type { Db } from '../../../main/store/database';
import {
  countEntries,
  getEntry,
  insertEntry,
  listEntries,
  type EntryAuthor,
} from '../../../main/store/repositories/entries';
import { insertPatientRow, insertTestUser, openTestDb, type TestUser } from '../../helpers/store';

/** Entries are written inside the transaction that also appends their Merkle leaf (and, in the host, their audit record). */
const insertInTx = (
  db: Db,
  ...rest: Parameters<typeof insertEntry> extends [unknown, ...infer R] ? R : never
): string => db.transaction(() => insertEntry(db, ...rest))();

const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** node:crypto's own verdict, independent of the project's wrapper. */
function nodeCryptoVerifies(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: 'der', type: 'spki' });
  return nodeVerify(null, message, key, signature);
}

interface RawEntry {
  id: string;
  patient_id: string;
  kind: string;
  author_id: string;
  created_at: string;
  amends: string | null;
  canonical: string;
  content_hash: Buffer;
  signature: Buffer;
}
const rawEntry = (db: Db, id: string) => db.prepare('SELECT * FROM entries WHERE id = ?').get(id) as RawEntry;

function setup(): { db: Db; author: TestUser; patientId: string } {
  const { db, dataKey } = openTestDb();
  const author = insertTestUser(db, dataKey, { role: 'doctor', displayName: 'د. سارة' });
  const patientId = insertPatientRow(db);
  return { db, author, patientId };
}

const author = (u: TestUser): EntryAuthor => ({
  id: u.row.id,
  publicKey: u.publicKey,
  sign: ed25519Signer(u.signingKey),
});
const VITALS = { heartRate: 88, spo2: 97, temperatureC: 37.2, supplementalOxygen: false, spo2Scale: 1 };

describe('insertEntry / listEntries', () => {
  it('stores the canonical JSON, its SHA-256 and a valid Ed25519 signature by the author', () => {
    const { db, author: doctor, patientId } = setup();
    const createdAt = new Date('2024-06-01T08:30:00.000Z');
    const id = insertInTx(db, author(doctor), { patientId, kind: 'vitals', body: VITALS, createdAt });
    const row = rawEntry(db, id);

    // The canonical JSON is exactly what was signed, with every field of the format.
    expect(JSON.parse(row.canonical)).toEqual({
      v: 1,
      id,
      kind: 'vitals',
      patientId,
      authorId: doctor.row.id,
      authorKey: Buffer.from(doctor.publicKey).toString('hex'),
      createdAt: '2024-06-01T08:30:00.000Z',
      amends: null,
      amendReason: null,
      body: VITALS,
    });
    expect(row.canonical).toBe(canonicalJson(JSON.parse(row.canonical)));

    const bytes = new TextEncoder().encode(row.canonical);
    const hash = createHash('sha256').update(bytes).digest();
    expect(row.content_hash.equals(hash)).toBe(true);
    expect(ed25519.verify(new Uint8Array(row.signature), bytes, doctor.publicKey)).toBe(true);
    expect(nodeCryptoVerifies(doctor.publicKey, bytes, row.signature)).toBe(true);

    const [entry] = listEntries(db, patientId);
    expect(entry).toEqual({
      id,
      patientId,
      kind: 'vitals',
      body: VITALS,
      authorId: doctor.row.id,
      authorName: 'د. سارة',
      authorRole: 'doctor',
      createdAt: '2024-06-01T08:30:00.000Z',
      amends: null,
      amendReason: null,
      amendedBy: [],
      contentHash: hash.toString('hex'),
      signatureValid: true,
    });
    expect(getEntry(db, id)).toEqual(entry);
    expect(countEntries(db)).toBe(1);
  });

  it('@noble/curves and node:crypto agree on valid and invalid signatures', () => {
    const { author: doctor } = setup();
    for (let i = 0; i < 20; i++) {
      const msg = new TextEncoder().encode(`message ${i} — رسالة`);
      const sig = signEd25519(doctor.signingKey, msg);
      expect(ed25519.verify(sig, msg, doctor.publicKey)).toBe(true);
      expect(nodeCryptoVerifies(doctor.publicKey, msg, sig)).toBe(true);
      expect(verifyEd25519(doctor.publicKey, msg, sig)).toBe(true);
      const bad = Uint8Array.from(sig);
      bad[i % 64] = bad[i % 64]! ^ 0x10;
      expect(ed25519.verify(bad, msg, doctor.publicKey)).toBe(nodeCryptoVerifies(doctor.publicKey, msg, bad));
      expect(verifyEd25519(doctor.publicKey, msg, bad)).toBe(false);
    }
    // Our signatures are plain RFC 8032: noble produces the very same bytes for the same seed.
    const msg = new TextEncoder().encode('deterministic');
    expect(
      Buffer.from(signEd25519(doctor.signingKey, msg)).equals(Buffer.from(ed25519.sign(msg, doctor.signingKey))),
    ).toBe(true);
    expect(
      Buffer.from(publicKeyFromSeed(doctor.signingKey)).equals(Buffer.from(ed25519.getPublicKey(doctor.signingKey))),
    ).toBe(true);
  });

  it('lists only the patient’s entries, oldest first', () => {
    const { db, author: doctor, patientId } = setup();
    const other = insertPatientRow(db);
    const at = (m: number) => new Date(Date.UTC(2024, 0, 1, 10, m));
    const late = insertInTx(db, author(doctor), {
      patientId,
      kind: 'note',
      body: { text: 'later' },
      createdAt: at(30),
    });
    const early = insertInTx(db, author(doctor), {
      patientId,
      kind: 'note',
      body: { text: 'earlier' },
      createdAt: at(5),
    });
    insertInTx(db, author(doctor), {
      patientId: other,
      kind: 'note',
      body: { text: 'someone else' },
      createdAt: at(10),
    });
    expect(listEntries(db, patientId).map((e) => e.id)).toEqual([early, late]);
    expect(listEntries(db, other)).toHaveLength(1);
    expect(listEntries(db, 'nobody')).toEqual([]);
    expect(getEntry(db, 'no-such-entry')).toBeUndefined();
  });

  it('refuses a body with NaN or Infinity, writing nothing', () => {
    const { db, author: doctor, patientId } = setup();
    expect(() => insertInTx(db, author(doctor), { patientId, kind: 'vitals', body: { heartRate: NaN } })).toThrow(
      /non-finite/,
    );
    expect(() =>
      insertInTx(db, author(doctor), { patientId, kind: 'vitals', body: { nested: { t: Infinity } } }),
    ).toThrow(/non-finite/);
    expect(countEntries(db)).toBe(0);
  });

  it('refuses an entry for an unknown patient (foreign key)', () => {
    const { db, author: doctor } = setup();
    expect(() => insertInTx(db, author(doctor), { patientId: 'ghost', kind: 'note', body: { text: 'x' } })).toThrow(
      /FOREIGN KEY/,
    );
  });
});

describe('tamper detection', () => {
  /** One signed entry, with the immutability trigger dropped so the test can alter it. */
  function tamperable() {
    const s = setup();
    const id = insertInTx(s.db, author(s.author), {
      patientId: s.patientId,
      kind: 'note',
      body: { text: 'BP stable, no complaints' },
    });
    expect(listEntries(s.db, s.patientId)[0]!.signatureValid).toBe(true);
    s.db.exec('DROP TRIGGER entries_no_update');
    return { ...s, id, row: rawEntry(s.db, id) };
  }
  const validity = (db: Db, patientId: string, id: string) =>
    listEntries(db, patientId).find((e) => e.id === id)!.signatureValid;

  it('one changed character of the canonical text → signatureValid false', () => {
    const { db, patientId, id, row } = tamperable();
    const altered = row.canonical.replace('stable', 'stabke');
    expect(altered).not.toBe(row.canonical);
    db.prepare('UPDATE entries SET canonical = ? WHERE id = ?').run(altered, id);
    expect(validity(db, patientId, id)).toBe(false);
  });

  it('a changed canonical text with a recomputed content hash → still false (the signature does not match)', () => {
    const { db, patientId, id, row } = tamperable();
    const altered = row.canonical.replace('no complaints', 'chest pain');
    db.prepare('UPDATE entries SET canonical = ?, content_hash = ? WHERE id = ?').run(
      altered,
      createHash('sha256').update(altered).digest(),
      id,
    );
    expect(validity(db, patientId, id)).toBe(false);
  });

  it('the patient_id column moved to another patient → false', () => {
    const { db, id } = tamperable();
    const other = insertPatientRow(db);
    db.prepare('UPDATE entries SET patient_id = ? WHERE id = ?').run(other, id);
    expect(validity(db, other, id)).toBe(false);
  });

  it('one flipped bit of the signature → false', () => {
    const { db, patientId, id, row } = tamperable();
    const sig = Buffer.from(row.signature);
    sig[10] = sig[10]! ^ 0x01;
    db.prepare('UPDATE entries SET signature = ? WHERE id = ?').run(sig, id);
    expect(validity(db, patientId, id)).toBe(false);
  });

  it('a changed content hash, kind, created_at or amends column → false', () => {
    const { db, patientId, id, row } = tamperable();
    const restore = () =>
      db
        .prepare('UPDATE entries SET content_hash = ?, kind = ?, created_at = ?, amends = ? WHERE id = ?')
        .run(row.content_hash, row.kind, row.created_at, row.amends, id);
    const hash = Buffer.from(row.content_hash);
    hash[0] = hash[0]! ^ 0xff;
    db.prepare('UPDATE entries SET content_hash = ? WHERE id = ?').run(hash, id);
    expect(validity(db, patientId, id)).toBe(false);
    restore();
    expect(validity(db, patientId, id)).toBe(true);
    db.prepare(`UPDATE entries SET kind = 'vitals' WHERE id = ?`).run(id);
    expect(validity(db, patientId, id)).toBe(false);
    restore();
    db.prepare(`UPDATE entries SET created_at = '2000-01-01T00:00:00.000Z' WHERE id = ?`).run(id);
    expect(validity(db, patientId, id)).toBe(false);
    restore();
    const second = insertInTx(db, author(tamperableAuthor(db)), { patientId, kind: 'note', body: { text: 'other' } });
    db.prepare('UPDATE entries SET amends = ? WHERE id = ?').run(second, id);
    expect(validity(db, patientId, id)).toBe(false);
  });

  it('the entry attributed to another user (author_id changed) → false', () => {
    const { db, patientId, id } = tamperable();
    const impostor = tamperableAuthor(db);
    db.prepare('UPDATE entries SET author_id = ? WHERE id = ?').run(impostor.row.id, id);
    expect(validity(db, patientId, id)).toBe(false);
  });

  it('the author’s public key replaced in the users table → false', () => {
    const { db, patientId, id, author: doctor } = tamperable();
    const other = tamperableAuthor(db);
    db.prepare('UPDATE users SET public_key = ? WHERE id = ?').run(Buffer.from(other.publicKey), doctor.row.id);
    expect(validity(db, patientId, id)).toBe(false);
  });
});

/** A second user in the same database (sealed-key details do not matter for these checks). */
function tamperableAuthor(db: Db): TestUser {
  return insertTestUser(db, new Uint8Array(32), { role: 'nurse' });
}

describe('amendments', () => {
  it('an amendment points at the entry it corrects; the original lists it in amendedBy', () => {
    const { db, author: doctor, patientId } = setup();
    const t0 = new Date('2024-03-01T09:00:00.000Z');
    const original = insertInTx(db, author(doctor), {
      patientId,
      kind: 'vitals',
      body: { heartRate: 188 },
      createdAt: t0,
    });
    const fix = insertInTx(db, author(doctor), {
      patientId,
      kind: 'vitals',
      body: { heartRate: 88 },
      amends: original,
      amendReason: 'typo: 188 → 88',
      createdAt: new Date(t0.getTime() + 60_000),
    });
    const fix2 = insertInTx(db, author(doctor), {
      patientId,
      kind: 'vitals',
      body: { heartRate: 86 },
      amends: original,
      amendReason: 'remeasured',
      createdAt: new Date(t0.getTime() + 120_000),
    });
    const entries = listEntries(db, patientId);
    expect(entries.map((e) => e.id)).toEqual([original, fix, fix2]);
    expect(entries[0]).toMatchObject({
      amends: null,
      amendedBy: [fix, fix2],
      body: { heartRate: 188 },
      signatureValid: true,
    });
    expect(entries[1]).toMatchObject({
      amends: original,
      amendReason: 'typo: 188 → 88',
      amendedBy: [],
      signatureValid: true,
    });
    expect(entries[2]).toMatchObject({ amends: original, amendReason: 'remeasured', signatureValid: true });
    expect(getEntry(db, original)!.amendedBy).toEqual([fix, fix2]);
    expect(getEntry(db, fix)!.amends).toBe(original);
    // The original is untouched: still the very same row.
    expect(JSON.parse(rawEntry(db, original).canonical).body).toEqual({ heartRate: 188 });
    // The link and the reason are part of what was signed.
    expect(JSON.parse(rawEntry(db, fix).canonical)).toMatchObject({ amends: original, amendReason: 'typo: 188 → 88' });
  });

  it('refuses an amendment of an entry that does not exist', () => {
    const { db, author: doctor, patientId } = setup();
    expect(() =>
      insertInTx(db, author(doctor), { patientId, kind: 'note', body: { text: 'x' }, amends: 'ghost-entry' }),
    ).toThrow(/FOREIGN KEY/);
  });
});

describe('canonicalJson', () => {
  it('is independent of key order, at every depth, with no white space', () => {
    const a = { b: 1, a: { d: 2, c: [3, { f: 1, e: 'ع' }] } };
    const b = { a: { c: [3, { e: 'ع', f: 1 }], d: 2 }, b: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"a":{"c":[3,{"e":"ع","f":1}],"d":2},"b":1}');
  });

  it('drops undefined members, writes undefined array items as null, escapes like JSON', () => {
    expect(canonicalJson({ a: undefined, b: null, c: [undefined, 1] })).toBe('{"b":null,"c":[null,1]}');
    expect(canonicalJson('line\n"quote"\\')).toBe(JSON.stringify('line\n"quote"\\'));
    expect(canonicalJson([true, false, 0, -1.5, 1e21])).toBe('[true,false,0,-1.5,1e+21]');
    expect(canonicalJson({})).toBe('{}');
    expect(canonicalJson([])).toBe('[]');
  });

  it('refuses NaN and ±Infinity, also nested', () => {
    expect(() => canonicalJson(NaN)).toThrow(TypeError);
    expect(() => canonicalJson(Infinity)).toThrow(/non-finite/);
    expect(() => canonicalJson(-Infinity)).toThrow(/non-finite/);
    expect(() => canonicalJson({ a: [1, { b: NaN }] })).toThrow(/non-finite/);
  });

  it('refuses values JSON cannot carry (functions, bigint, symbols)', () => {
    expect(() => canonicalJson(() => 1)).toThrow(TypeError);
    expect(() => canonicalJson(1n)).toThrow(TypeError);
    expect(() => canonicalJson({ s: Symbol('x') })).toThrow(TypeError);
  });

  it('round-trips through JSON.parse and is stable under shuffling keys (property)', () => {
    const shuffle = (v: unknown, seed: number): unknown => {
      if (Array.isArray(v)) return v.map((x) => shuffle(x, seed));
      if (v && typeof v === 'object') {
        const keys = Object.keys(v);
        const rotated = keys
          .slice(seed % Math.max(keys.length, 1))
          .concat(keys.slice(0, seed % Math.max(keys.length, 1)))
          .reverse();
        return Object.fromEntries(rotated.map((k) => [k, shuffle((v as Record<string, unknown>)[k], seed + 1)]));
      }
      return v;
    };
    fc.assert(
      fc.property(fc.jsonValue({ noUnicodeString: false }), fc.nat(10), (value, seed) => {
        const text = canonicalJson(value);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
        expect(canonicalJson(shuffle(value, seed))).toBe(text);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
      }),
      { numRuns: 150 },
    );
  });
});
