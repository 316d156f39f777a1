// Anchoring benchmarks, each a ratio against a baseline measured in the same run,
// interleaved in rounds so machine drift affects both sides alike.
//
// 1. benchMerkleProofs: append N leaves to a MerkleLog over the in-memory node store
//    and produce every leaf's inclusion proof at size N, against a bare loop of 2N
//    node:crypto SHA-256 calls on 64-byte inputs (createHash/update/digest; target:
//    ratio <= 1.5). Run with the host's hasher (node:crypto one-shot hash(), what
//    the device's log uses) and with the library default (@noble/hashes, pure JS,
//    what offline verifiers use), with the number of hashes each side computes so
//    the comparison is explicit: the appends alone are ~2N hashes, and the proofs
//    add their own. Also printed: the ratio against a loop of one-shot hash() calls,
//    the faster way to call the same OpenSSL code.
// 2. benchMerkleSqlite: the same on the encrypted SQLite node store (the production
//    store), appends committed 1,000 per transaction, default hasher.
// 3. benchLeafAppendOverhead: the entry insert path (signed entry + its audit record,
//    one committed transaction each, synchronous = FULL) with and without the two leaf
//    appends (appendRecordLeaf, the production code), target: anchoring adds < 10 %.
import { createHash, hash as oneShotHash, randomBytes, randomUUID } from 'node:crypto';
import { rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  InMemoryMerkleNodeStore,
  MerkleLog,
  rfc6962Hasher,
  type MerkleHasher,
  type MerkleNodeStore,
} from '../anchor-queue';
import { userSigningKey } from '../main/access/users';
import { appendRecordLeaf, auditLeafId } from '../main/store/anchor-log/record-leaf';
import { SqliteMerkleNodeStore } from '../main/store/anchor-log/sqlite-node-store';
import { patientExists } from '../main/store/charts/projection';
import { canonicalJson } from '../main/store/crypto/canonical-json';
import { ed25519Signer } from '../main/store/crypto/ed25519';
import { toHex, utf8 } from '../main/store/crypto/encoding';
import { sha256 } from '../main/store/crypto/hash';
import { nativeMerkleHasher } from '../main/store/crypto/merkle-hasher';
import { openEncryptedDatabase, type Db } from '../main/store/database';
import type { EntryAuthor } from '../main/store/repositories/entries';
import { migrate } from '../main/store/migrate';
import { stmt } from '../main/store/statements';
import { benchClinic, percentile } from './support';

const ROUNDS = 10;

// ---- hashers ------------------------------------------------------------------------

/** Wraps a hasher with a plain counter (no closure over a reset, one increment per hash). */
function counted(inner: MerkleHasher): MerkleHasher & { count: number } {
  const h = {
    count: 0,
    hashLeaf: (data: Uint8Array) => {
      h.count++;
      return inner.hashLeaf(data);
    },
    hashChildren: (l: Uint8Array, r: Uint8Array) => {
      h.count++;
      return inner.hashChildren(l, r);
    },
    emptyRoot: () => {
      h.count++;
      return inner.emptyRoot();
    },
  };
  return h;
}

// ---- baseline -------------------------------------------------------------------------

const baselineInput = new Uint8Array(64);
let sink = 0;

/** `n` node:crypto SHA-256 calls on 64-byte inputs (varied so nothing is cached), ms. */
function baselineHashes(n: number): number {
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    baselineInput[0] = i & 0xff;
    baselineInput[1] = (i >>> 8) & 0xff;
    baselineInput[2] = (i >>> 16) & 0xff;
    sink ^= createHash('sha256').update(baselineInput).digest()[0]!;
  }
  return performance.now() - t;
}

/** The same with node:crypto's one-shot hash() (no Hash object per call), ms. */
function oneShotBaselineHashes(n: number): number {
  const t = performance.now();
  for (let i = 0; i < n; i++) {
    baselineInput[0] = i & 0xff;
    baselineInput[1] = (i >>> 8) & 0xff;
    baselineInput[2] = (i >>> 16) & 0xff;
    sink ^= oneShotHash('sha256', baselineInput, 'buffer')[0]!;
  }
  return performance.now() - t;
}

// ---- 1 and 2: appends and every inclusion proof ------------------------------------------

export interface MerkleProofsResult {
  hasher: string;
  store: string;
  leaves: number;
  appendMs: number;
  proofMs: number;
  /** Time of the 2N-hash baseline, summed over the same rounds. */
  baselineMs: number;
  baselineHashes: number;
  appendHashes: number;
  proofHashes: number;
  proofElements: number;
  /** (appends + proofs) / baseline: the figure, target <= 1.5. */
  ratio: number;
  /** (appends + proofs) / the same 2N hashes called through one-shot hash(). */
  oneShotRatio: number;
  /** appends alone (~2N hashes) / the whole baseline (2N hashes). */
  appendRatio: number;
  /** Time per hash the log computed / time per baseline hash: the log's overhead per hash. */
  perHashRatio: number;
}

/** A leaf's data as recordLeaf makes it: ~170 bytes (magic, ids, content hash, salt). */
function leafDataFor(i: number, out: Uint8Array): Uint8Array {
  out[0] = i & 0xff;
  out[1] = (i >>> 8) & 0xff;
  out[2] = (i >>> 16) & 0xff;
  out[3] = (i >>> 24) & 0xff;
  return out;
}

function measureLog(
  leaves: number,
  hasherName: string,
  inner: MerkleHasher,
  storeName: string,
  store: MerkleNodeStore,
  appendBatch: (work: () => void) => void = (work) => work(),
): MerkleProofsResult {
  const hasher = counted(inner);
  const log = new MerkleLog(store, hasher);
  const leaf = new Uint8Array(170).fill(0x5a);
  const per = Math.ceil(leaves / ROUNDS);
  let appendMs = 0;
  let proofMs = 0;
  let baselineMs = 0;
  let oneShotMs = 0;
  let baselineCount = 0;
  // Warm both code paths (JIT) on a throwaway log before anything is timed.
  baselineHashes(20_000);
  oneShotBaselineHashes(20_000);
  const warm = new MerkleLog(new InMemoryMerkleNodeStore(), inner);
  for (let i = 0; i < 20_000; i++) warm.append(leafDataFor(i, leaf));
  for (let i = 0; i < 20_000; i++) warm.inclusionProof(i, 20_000);

  // Appends, each round followed by N/ROUNDS baseline hashes.
  let appended = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const upto = Math.min(leaves, appended + per);
    const t = performance.now();
    for (let done = appended; done < upto;) {
      const chunkEnd = Math.min(upto, done + 1_000);
      appendBatch(() => {
        for (let i = done; i < chunkEnd; i++) log.append(leafDataFor(i, leaf));
      });
      done = chunkEnd;
    }
    appendMs += performance.now() - t;
    baselineMs += baselineHashes(upto - appended);
    oneShotMs += oneShotBaselineHashes(upto - appended);
    baselineCount += upto - appended;
    appended = upto;
  }
  const appendHashes = hasher.count;
  hasher.count = 0;

  // Every inclusion proof at size N, each round followed by N/ROUNDS baseline hashes.
  let elements = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const from = r * per;
    const to = Math.min(leaves, from + per);
    const t = performance.now();
    for (const proof of log.inclusionProofs(leaves, from, to)) elements += proof.length;
    proofMs += performance.now() - t;
    baselineMs += baselineHashes(to - from);
    oneShotMs += oneShotBaselineHashes(to - from);
    baselineCount += to - from;
  }
  const proofHashes = hasher.count;
  const merkleMs = appendMs + proofMs;
  return {
    hasher: hasherName,
    store: storeName,
    leaves,
    appendMs,
    proofMs,
    baselineMs,
    baselineHashes: baselineCount,
    appendHashes,
    proofHashes,
    proofElements: elements,
    ratio: merkleMs / baselineMs,
    oneShotRatio: merkleMs / oneShotMs,
    appendRatio: appendMs / baselineMs,
    perHashRatio: merkleMs / (appendHashes + proofHashes) / (baselineMs / baselineCount),
  };
}

/** In-memory node store, with the host's hasher (node:crypto) and the library default (@noble/hashes). */
export function benchMerkleProofs(leaves: number): MerkleProofsResult[] {
  return [
    measureLog(leaves, 'node:crypto hash(), as the host', nativeMerkleHasher, 'memory', new InMemoryMerkleNodeStore()),
    measureLog(leaves, '@noble/hashes, library default', rfc6962Hasher, 'memory', new InMemoryMerkleNodeStore()),
  ];
}

/** The production node store: the encrypted database, the host's hasher, 1,000 appends per transaction. */
export function benchMerkleSqlite(leaves: number): MerkleProofsResult {
  const dir = mkdtempSync(join(tmpdir(), 'sijill-bench-merkle-'));
  const db: Db = openEncryptedDatabase(join(dir, 'merkle.db'), new Uint8Array(randomBytes(32)), { create: true });
  try {
    migrate(db);
    return measureLog(
      leaves,
      'node:crypto hash(), as the host',
      nativeMerkleHasher,
      'sqlite (encrypted)',
      new SqliteMerkleNodeStore(db),
      (work) => db.transaction(work)(),
    );
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- 3: the leaf appends' share of the entry insert time --------------------------------

export interface LeafOverheadResult {
  entries: number;
  /** Median ms per entry: the same statements without the leaves, with them, and Clinic.recordEntry. */
  withoutLeafMs: number;
  withLeafMs: number;
  productionMs: number;
  /** (with - without) / without on the medians, percent. Target < 10. */
  overheadPercent: number;
  /** The same on the means (load spikes included). */
  meanOverheadPercent: number;
  /** Database pages one committed entry writes to the WAL, without and with its two leaves. */
  pagesWithout: number;
  pagesWith: number;
  /** Clinic.recordEntry against the same statements with leaves: ~1 means the replica is faithful. */
  productionVsReplica: number;
}

/** The audit record hash, as main/access/audit-log.ts computes it. */
function auditHash(
  prev: Uint8Array,
  row: {
    seq: number;
    at: string;
    actor_id: string | null;
    action: string;
    patient_id: string | null;
    entity_id: string | null;
    detail: string | null;
  },
): Uint8Array {
  const body = canonicalJson({
    v: 1,
    seq: row.seq,
    at: row.at,
    actor: row.actor_id,
    action: row.action,
    patient: row.patient_id,
    entity: row.entity_id,
    detail: row.detail,
  });
  const bytes = new TextEncoder().encode(body);
  const buf = new Uint8Array(prev.length + bytes.length);
  buf.set(prev, 0);
  buf.set(bytes, prev.length);
  return sha256(buf);
}

/**
 * Clinic.recordEntry's transaction (patient check, signed entry, audit record), written
 * out statement by statement so the two leaf appends can be left out; with `leaves` it
 * is the production path. Returns nothing: the bench needs the cost only.
 */
function replicaRecordEntry(
  db: Db,
  author: EntryAuthor,
  actorId: string,
  patientId: string,
  body: Record<string, unknown>,
  leaves: boolean,
): void {
  db.transaction(() => {
    if (!patientExists(db, patientId)) throw new Error('no patient');
    const content = {
      v: 1,
      id: randomUUID(),
      kind: 'vitals',
      patientId,
      authorId: author.id,
      authorKey: toHex(author.publicKey),
      createdAt: new Date().toISOString(),
      amends: null,
      amendReason: null,
      body,
    };
    const canonical = canonicalJson(content);
    const bytes = utf8(canonical);
    const hash = sha256(bytes);
    const signature = author.sign(bytes);
    const entryLeaf = leaves ? appendRecordLeaf(db, 'entry', content.id, hash) : null;
    stmt(
      db,
      `INSERT INTO entries (id, patient_id, kind, author_id, created_at, amends, canonical, content_hash, signature, leaf_index, leaf_salt)
     VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
    ).run(
      content.id,
      content.patientId,
      content.kind,
      content.authorId,
      content.createdAt,
      content.amends,
      canonical,
      hash,
      signature,
      entryLeaf?.leafIndex ?? null,
      entryLeaf?.salt ?? null,
    );

    const last = stmt(db, 'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as
      { seq: number; hash: Buffer } | undefined;
    const row = {
      seq: (last?.seq ?? 0) + 1,
      at: new Date().toISOString(),
      actor_id: actorId,
      action: 'entry.create',
      patient_id: patientId,
      entity_id: content.id,
      detail: canonicalJson({ kind: 'vitals' }),
    };
    const prev = last ? new Uint8Array(last.hash) : new Uint8Array(32);
    const auditRecordHash = auditHash(prev, row);
    const auditLeaf = leaves ? appendRecordLeaf(db, 'audit', auditLeafId(row.seq), auditRecordHash) : null;
    stmt(
      db,
      'INSERT INTO audit_log (seq, at, actor_id, action, patient_id, entity_id, detail, prev_hash, hash, leaf_index, leaf_salt) VALUES (?,?,?,?,?,?,?,?,?,?,?)',
    ).run(
      row.seq,
      row.at,
      row.actor_id,
      row.action,
      row.patient_id,
      row.entity_id,
      row.detail,
      prev,
      auditRecordHash,
      auditLeaf?.leafIndex ?? null,
      auditLeaf?.salt ?? null,
    );
  })();
}

export async function benchLeafAppendOverhead(entries: number): Promise<LeafOverheadResult> {
  const { clinic, user, cleanup } = await benchClinic();
  try {
    const db = clinic.db;
    const patient = await clinic.registerPatient(user, {
      givenName: 'أحمد',
      familyName: 'علي',
      sex: 'male',
      birthDate: '1980-01-01',
    });
    const author: EntryAuthor = {
      id: user.id,
      publicKey: new Uint8Array(user.public_key),
      sign: ed25519Signer(userSigningKey(clinic.store.dataKey, user)),
    };
    const body = {
      heartRate: 84,
      spo2Scale: 1,
      supplementalOxygen: false,
      systolic: 124,
      diastolic: 79,
      temperatureC: 37.1,
    };
    // A log of clinic size first, written through MerkleLog as another writer would: the
    // first record leaf then reads the log's edge from the store (O(log n) nodes), and
    // every later one writes its row at the end of a table of that size.
    db.transaction(() => {
      const log = new MerkleLog(new SqliteMerkleNodeStore(db), nativeMerkleHasher);
      const leaf = new Uint8Array(170);
      for (let i = 0; i < 50_000; i++) log.append(leafDataFor(i, leaf));
    })();

    const variants = {
      without: () => replicaRecordEntry(db, author, user.id, patient.id, body, false),
      with: () => replicaRecordEntry(db, author, user.id, patient.id, body, true),
      production: () => void clinic.recordEntry(user, patient.id, 'vitals', body),
    };
    const names = Object.keys(variants) as (keyof typeof variants)[];
    for (const name of names) for (let i = 0; i < 20; i++) variants[name](); // warm-up
    // Interleaved one entry at a time, the order rotating, each timed on its own: the
    // machine's load then falls on all three alike, and medians shrug off its spikes.
    const times: Record<keyof typeof variants, number[]> = { without: [], with: [], production: [] };
    for (let i = 0; i < entries; i++) {
      for (let j = 0; j < names.length; j++) {
        const name = names[(i + j) % names.length]!;
        const t = performance.now();
        variants[name]();
        times[name].push(performance.now() - t);
      }
    }
    const median = (xs: number[]) =>
      percentile(
        [...xs].sort((a, b) => a - b),
        50,
      );
    const withoutLeafMs = median(times.without);
    const withLeafMs = median(times.with);
    const productionMs = median(times.production);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    // Why: pages each commit writes to the WAL (each encrypted and synced), counted per entry.
    const walPages = (run: () => void) => {
      let frames = 0;
      for (let i = 0; i < 50; i++) {
        db.pragma('wal_checkpoint(TRUNCATE)');
        run();
        frames += (db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[])[0]!.log;
      }
      return frames / 50;
    };
    const pagesWithout = walPages(variants.without);
    const pagesWith = walPages(variants.with);
    return {
      pagesWithout,
      pagesWith,
      entries,
      withoutLeafMs,
      withLeafMs,
      productionMs,
      overheadPercent: ((withLeafMs - withoutLeafMs) / withoutLeafMs) * 100,
      meanOverheadPercent: ((mean(times.with) - mean(times.without)) / mean(times.without)) * 100,
      productionVsReplica: productionMs / withLeafMs,
    };
  } finally {
    await cleanup();
  }
}

// ---- printing --------------------------------------------------------------------------

const f = (x: number, digits = 2) => x.toFixed(digits);
const k = (n: number) => n.toLocaleString('en-US');

export function formatMerkleProofs(r: MerkleProofsResult): string {
  const total = r.appendHashes + r.proofHashes;
  return (
    `merkle ${k(r.leaves)} appends + every inclusion proof [${r.store}, ${r.hasher}]: ratio ${f(r.ratio)} vs ${k(r.baselineHashes)} node:crypto SHA-256(64 B) (target <= 1.5)` +
    `\n    (${f(r.oneShotRatio)} vs the same hashes through one-shot hash())` +
    `\n    appends alone ${f(r.appendRatio)} (their ${k(r.appendHashes)} hashes vs the same ${k(r.baselineHashes)}); proofs took ${f(r.proofMs / r.appendMs)}x the append time` +
    `\n    hash work: ${k(r.appendHashes)} append + ${k(r.proofHashes)} proof hashes = ${f(total / r.baselineHashes)}x the baseline's ${k(r.baselineHashes)}` +
    ` (${k(r.proofElements)} proof elements); per hash ${f(r.perHashRatio)}x a baseline hash`
  );
}

export function formatLeafOverhead(r: LeafOverheadResult): string {
  return (
    `leaf appends while recording ${k(r.entries)} entries (entry + audit record, 2 leaves, committed, synchronous=FULL):` +
    ` +${f(r.overheadPercent, 1)}% insert time on medians, +${f(r.meanOverheadPercent, 1)}% on means (target < 10%)` +
    ` (medians ${f(r.withLeafMs * 1000, 0)} vs ${f(r.withoutLeafMs * 1000, 0)} µs)` +
    `; with/without ${f(r.withLeafMs / r.withoutLeafMs, 3)}, Clinic.recordEntry/replica ${f(r.productionVsReplica, 3)}` +
    `; pages written per commit ${f(r.pagesWith, 1)} vs ${f(r.pagesWithout, 1)} without leaves`
  );
}

/** Everything above, printed; `quick` shrinks the sizes for CI-ish runs. */
export async function runAnchorBenchmarks(quick: boolean): Promise<void> {
  const memoryLeaves = quick ? 100_000 : 1_000_000;
  for (const r of benchMerkleProofs(memoryLeaves)) console.log(formatMerkleProofs(r));
  console.log(formatMerkleProofs(benchMerkleSqlite(quick ? 20_000 : 100_000)));
  console.log(formatLeafOverhead(await benchLeafAppendOverhead(quick ? 300 : 3_000)));
  if (sink === -1) console.log(''); // keeps the baseline's digests observable
}
