// Property (issue 3): 3 to 5 enrolled clinic hosts, random edits, random partitions
// and reconnections, random LAN syncs and USB bundle exchanges. Checked after every
// step against a model of what each replica must hold (replica-model.ts), and at the
// end, after healing every partition, that:
//  - all replicas hold identical patient sets, charts and entries;
//  - every entry ever acknowledged (returned by recordEntry / amendEntry) exists on
//    every replica with the canonical JSON and signature its author's device wrote;
//  - every concurrent edit of a watched field is either in the conflict queue or
//    merged by a documented rule (sync/conflicts/detect.ts):
//      · registers (demographics.familyName, demographics.phone): two writes made
//        without either seeing the other and both still standing when they met are
//        queued as a concurrent-value conflict, with exactly the standing values, on
//        every replica holding them; a write that its own side superseded before the
//        two met is a sequential edit (the superseding write carries the contest on);
//        identical values are no conflict;
//      · list items (allergies, medications): adds on either side are both kept
//        (UNION RULE), an item removed on both sides stays removed, concurrent text
//        assignments standing are queued as concurrent-list-edit, an item removed on
//        one side while its text was edited on the other is queued as
//        removed-vs-edited (three-way, against the common base) unless the remover
//        had seen the edit; a text write its own side removed the item after is
//        superseded by that removal (the removal carries the contest on).
// The cases the property found, shrunk, run first as named regressions.
// Partitions are modelled as groups whose members do not sync with each other's
// groups (bundles still cross them, as a USB stick does); every LAN sync is a new
// connection, and a replica may also stop listening and come back on another port. Each property run opens its
// hosts once (scrypt makes opening slow) and enrolls them with the first host.
//
// Knobs: SIJILL_PROPERTY_RUNS (random runs, default 7, plus one fixed example),
// SIJILL_PROPERTY_SEED and SIJILL_PROPERTY_PATH (replay a reported failure),
// SIJILL_PROPERTY_SHRINK=1 (shrink a failure; every try re-opens hosts, so it is slow),
// SIJILL_PROPERTY_OPS='[n, shared, [ops…]]' (run that case first instead of the fixed
// example; with SIJILL_PROPERTY_RUNS=0, only it), SIJILL_PROPERTY_SYNC_TIMEOUT_MS,
// SIJILL_PROPERTY_TRACE=1 (print every run's steps and timings).
import * as A from '@automerge/automerge';
import { randomUUID } from 'node:crypto';
import type { DocumentId } from '@automerge/automerge-repo';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { exportBundleFile, importBundleFile } from '../../../../main/host/sync/bundle-exchange';
import { readConflicts, resolveConflictById, type ConflictView } from '../../../../main/host/sync/conflict-review';
import { entriesOf, type CatalogDoc } from '../../../../main/host/sync/catalog';
import { bundleContextOf } from '../../../../main/host/sync/sync-api';
import { listEntry, type ChartDoc } from '../../../../main/store/charts/chart-doc';
import {
  LISTS,
  REGISTER_FIELDS,
  ReplicaModel,
  type ListName,
  type ModelEvent,
  type RegisterField,
  type Write,
} from './replica-model';
import { openTestHost, registration, snapshot, type TestHost } from './sync-fixture';

type Op =
  | { t: 'register'; r: number }
  | { t: 'entry'; r: number; p: number }
  | { t: 'amend'; r: number; k: number }
  | { t: 'set'; r: number; p: number; field: RegisterField }
  | { t: 'add'; r: number; p: number; list: ListName }
  | { t: 'edit'; r: number; p: number; k: number; list: ListName }
  | { t: 'remove'; r: number; p: number; k: number; list: ListName }
  | { t: 'resolve'; r: number; k: number; choose: number }
  | { t: 'sync'; a: number; b: number }
  | { t: 'sync2'; a: number; b: number; c: number; d: number }
  | { t: 'bundle'; from: number; to: number }
  | { t: 'partition'; groups: number[] }
  | { t: 'heal' }
  | { t: 'relisten'; r: number };

const MAX_REPLICAS = 5;
const SYNC_TIMEOUT_MS = Number(process.env.SIJILL_PROPERTY_SYNC_TIMEOUT_MS ?? 30_000);
// Patient and item indexes (taken modulo what the replica holds), half the time the first: more concurrent edits.
const idx = fc.oneof(fc.constant(0), fc.nat({ max: 31 }));
const rep = fc.nat({ max: MAX_REPLICAS - 1 });
const list = fc.constantFrom<ListName>(...LISTS);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ t: fc.constant('register' as const), r: rep }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('entry' as const), r: rep, p: idx }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('amend' as const), r: rep, k: idx }) },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('set' as const),
      r: rep,
      p: idx,
      field: fc.constantFrom(...REGISTER_FIELDS),
    }),
  },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('add' as const), r: rep, p: idx, list }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('edit' as const), r: rep, p: idx, k: idx, list }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('remove' as const), r: rep, p: idx, k: idx, list }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('resolve' as const), r: rep, k: idx, choose: idx }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('sync' as const), a: rep, b: rep }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('sync2' as const), a: rep, b: rep, c: rep, d: rep }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('bundle' as const), from: rep, to: rep }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('partition' as const),
      groups: fc.array(fc.nat({ max: 2 }), { minLength: MAX_REPLICAS, maxLength: MAX_REPLICAS }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('heal' as const) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('relisten' as const), r: rep }) },
);

/** Every kind of concurrency at least once, whatever the random runs draw. */
const EXAMPLE: [number, number, Op[]] = [
  3,
  1,
  [
    { t: 'add', r: 0, p: 0, list: 'medications' },
    { t: 'add', r: 0, p: 0, list: 'medications' },
    { t: 'add', r: 0, p: 0, list: 'allergies' },
    { t: 'entry', r: 0, p: 0 },
    { t: 'sync', a: 1, b: 0 },
    { t: 'sync', a: 2, b: 0 },
    { t: 'partition', groups: [0, 1, 1, 1, 1] },
    { t: 'set', r: 0, p: 0, field: 'familyName' },
    { t: 'set', r: 1, p: 0, field: 'familyName' },
    { t: 'set', r: 2, p: 0, field: 'phone' },
    { t: 'set', r: 2, p: 0, field: 'phone' },
    { t: 'set', r: 0, p: 0, field: 'phone' },
    { t: 'edit', r: 0, p: 0, k: 0, list: 'medications' },
    { t: 'edit', r: 1, p: 0, k: 0, list: 'medications' },
    { t: 'edit', r: 0, p: 0, k: 1, list: 'medications' },
    { t: 'remove', r: 2, p: 0, k: 1, list: 'medications' },
    { t: 'add', r: 1, p: 0, list: 'allergies' },
    { t: 'add', r: 2, p: 0, list: 'allergies' },
    { t: 'remove', r: 1, p: 0, k: 0, list: 'allergies' },
    { t: 'remove', r: 2, p: 0, k: 0, list: 'allergies' },
    { t: 'entry', r: 1, p: 0 },
    { t: 'amend', r: 2, k: 0 },
    { t: 'amend', r: 0, k: 0 },
    { t: 'sync', a: 0, b: 1 },
    { t: 'sync', a: 1, b: 2 },
    { t: 'bundle', from: 0, to: 2 },
    { t: 'resolve', r: 2, k: 0, choose: 0 },
    { t: 'relisten', r: 0 },
    { t: 'heal' },
    { t: 'sync', a: 2, b: 0 },
    { t: 'register', r: 2 },
    { t: 'sync2', a: 0, b: 1, c: 2, d: 0 },
  ],
];

interface Stats {
  runs: number;
  ops: Record<string, number>;
  blocked: number;
  registerPairs: { queued: number; superseded: number; sameValue: number };
  itemTextPairs: { queued: number; superseded: number; sameValue: number };
  removedVsEdited: { queued: number; seenByRemover: number };
  unionAdds: number;
  bothRemoved: number;
  entries: number;
}
const stats: Stats = {
  runs: 0,
  ops: {},
  blocked: 0,
  registerPairs: { queued: 0, superseded: 0, sameValue: 0 },
  itemTextPairs: { queued: 0, superseded: 0, sameValue: 0 },
  removedVsEdited: { queued: 0, seenByRemover: 0 },
  unionAdds: 0,
  bothRemoved: 0,
  entries: 0,
};

const str = (v: unknown): string | null =>
  v === null || v === undefined ? null : A.isImmutableString(v) ? v.val : String(v);
const sameSet = <T>(a: Iterable<T>, b: Iterable<T>) => {
  const x = [...new Set(a)].map(String).sort();
  const y = [...new Set(b)].map(String).sort();
  return JSON.stringify(x) === JSON.stringify(y);
};

/** One property run: the hosts, the model, and a readable trace for failure reports. */
class World {
  readonly model: ReplicaModel;
  readonly urls: string[] = [];
  readonly trace: string[] = [];
  groups: number[];
  /** Short names for the trace: P0, m12, E7… (patients by order, items and entries by event number). */
  readonly label = new Map<string, string>();
  #patients = 0;

  constructor(
    readonly hosts: TestHost[],
    readonly logs: string[],
  ) {
    this.model = new ReplicaModel(hosts.length);
    this.groups = hosts.map(() => 0);
  }

  get n() {
    return this.hosts.length;
  }

  name(id: string): string {
    return this.label.get(id) ?? id.slice(0, 8);
  }

  fail(message: string): never {
    throw new Error(
      `${message}\n--- steps ---\n${this.trace.join('\n')}\n--- last host log lines ---\n${this.logs.slice(-40).join('\n')}`,
    );
  }

  check(cond: boolean, message: () => string): asserts cond {
    if (!cond) this.fail(message());
  }

  // ---- operations -------------------------------------------------------------------

  async apply(op: Op): Promise<void> {
    const n = this.n;
    switch (op.t) {
      case 'register': {
        const r = op.r % n;
        const h = this.hosts[r]!;
        const p = await h.clinic.registerPatient(h.doctor, registration(`G${this.model.events.length}`));
        this.label.set(p.id, `P${this.#patients++}`);
        this.model.record(r, { kind: 'register', patientId: p.id, initial: { familyName: 'Hassan', phone: null } });
        return this.step(op, `r${r} registers ${this.name(p.id)}`, [r]);
      }
      case 'entry': {
        const r = op.r % n;
        const p = this.pickPatient(r, op.p);
        if (!p) return this.skip(op);
        const h = this.hosts[r]!;
        const e = h.clinic.recordEntry(h.doctor, p, 'note', { text: `note ${this.model.events.length}` });
        this.recordEntry(r, p, e.id, null);
        return this.step(op, `r${r} records entry ${this.name(e.id)} on ${this.name(p)}`, [r]);
      }
      case 'amend': {
        const r = op.r % n;
        const know = this.model.know[r]!;
        const entries = this.model.entries(know);
        const amended = new Set(entries.map((e) => e.body.amends).filter((x): x is string => x !== null));
        const latest = entries.filter((e) => !amended.has(e.body.entryId));
        if (latest.length === 0) return this.skip(op);
        const target = latest[op.k % latest.length]!.body;
        const h = this.hosts[r]!;
        let e;
        try {
          e = h.clinic.amendEntry(h.doctor, target.entryId, 'corrected', {
            text: `amended ${this.model.events.length}`,
          });
        } catch (err) {
          this.fail(
            `r${r} could not amend ${this.name(target.entryId)} (the model says it holds its latest version): ${err}`,
          );
        }
        this.recordEntry(r, target.patientId, e.id, target.entryId);
        return this.step(op, `r${r} amends ${this.name(target.entryId)} with ${this.name(e.id)}`, [r]);
      }
      case 'set': {
        const r = op.r % n;
        const p = this.pickPatient(r, op.p);
        if (!p) return this.skip(op);
        const value = op.field === 'familyName' ? `F${this.model.events.length}` : `0770${this.model.events.length}`;
        const h = this.hosts[r]!;
        await h.clinic.charts.change(p, h.doctor.id, { action: 'test.edit' }, (d) => {
          d.demographics[op.field] = new A.ImmutableString(value);
        });
        this.model.record(r, { kind: 'set', patientId: p, field: op.field, value });
        return this.step(op, `r${r} sets ${op.field} of ${this.name(p)} = ${value}`, [r]);
      }
      case 'add': {
        const r = op.r % n;
        const p = this.pickPatient(r, op.p);
        if (!p) return this.skip(op);
        const h = this.hosts[r]!;
        const text = `${op.list === 'allergies' ? 'allergy' : 'med'} ${this.model.events.length}`;
        let itemId: string;
        if (op.list === 'allergies') {
          // Through the clinic's own operation; its id is the one the model does not know yet.
          const known = new Set(this.model.items(this.model.know[r]!, p, 'allergies').map((i) => i.itemId));
          const chart = await h.clinic.addAllergy(h.doctor, p, text);
          const fresh = chart.allergies.filter((a) => !known.has(a.id));
          this.check(fresh.length === 1, () => `r${r}: after adding one allergy, ${fresh.length} unknown allergies`);
          itemId = fresh[0]!.id;
        } else {
          itemId = randomUUID();
          const at = new Date().toISOString();
          await h.clinic.charts.change(p, h.doctor.id, { action: 'test.medication.add' }, (d) => {
            d.medications.push(listEntry(itemId, text, at, h.doctor.id));
          });
        }
        this.label.set(itemId, `${op.list === 'allergies' ? 'a' : 'm'}${this.model.events.length}`);
        this.model.record(r, { kind: 'item.add', patientId: p, list: op.list, itemId, text });
        return this.step(op, `r${r} adds ${op.list} ${this.name(itemId)} to ${this.name(p)}`, [r]);
      }
      case 'edit':
      case 'remove': {
        const r = op.r % n;
        const p = this.pickPatient(r, op.p);
        if (!p) return this.skip(op);
        const items = this.model.items(this.model.know[r]!, p, op.list);
        // Nothing to edit or remove there yet: add an item instead.
        if (items.length === 0) return this.apply({ t: 'add', r, p: op.p, list: op.list });
        const { itemId } = items[op.k % items.length]!;
        const text = `${op.list === 'allergies' ? 'allergy' : 'med'} ${this.model.events.length}`;
        const h = this.hosts[r]!;
        let found = true;
        await h.clinic.charts.change(p, h.doctor.id, { action: `test.${op.list}.${op.t}` }, (d: ChartDoc) => {
          const i = d[op.list].findIndex((x) => str(x.id) === itemId);
          if (i < 0) found = false;
          else if (op.t === 'edit') d[op.list][i]!.text = text;
          else d[op.list].splice(i, 1);
        });
        this.check(found, () => `r${r}: ${op.list} item ${this.name(itemId)} of ${this.name(p)} is not in the chart`);
        if (op.t === 'edit') {
          this.model.record(r, { kind: 'item.edit', patientId: p, list: op.list, itemId, text });
          return this.step(op, `r${r} edits ${op.list} ${this.name(itemId)} of ${this.name(p)} = "${text}"`, [r]);
        }
        this.model.record(r, { kind: 'item.remove', patientId: p, list: op.list, itemId });
        return this.step(op, `r${r} removes ${op.list} ${this.name(itemId)} of ${this.name(p)}`, [r]);
      }
      case 'resolve': {
        const r = op.r % n;
        const h = this.hosts[r]!;
        const know = this.model.know[r]!;
        const open = readConflicts(h.clinic.db, h.doctor.id, { status: 'open' }).filter((c) => {
          if (!c.patientId || c.kind === 'removed-vs-edited') return false;
          if (c.kind === 'concurrent-list-edit')
            return this.model.items(know, c.patientId, c.path[0] as ListName).some((i) => i.itemId === c.itemId);
          return true;
        });
        if (open.length === 0) return this.skip(op);
        const c = open[op.k % open.length]!;
        const choose = op.choose % c.values.length;
        const value = String(c.values[choose]!.value);
        await resolveConflictById(h.clinic, h.doctor.id, c.id, { choose }, 'property test: chosen at random');
        const p = c.patientId!;
        if (c.kind === 'concurrent-value') {
          const field = c.path[1] as RegisterField;
          this.model.record(r, { kind: 'set', patientId: p, field, value, resolution: true });
        } else {
          const l = c.path[0] as ListName;
          this.model.record(r, {
            kind: 'item.edit',
            patientId: p,
            list: l,
            itemId: c.itemId!,
            text: value,
            resolution: true,
          });
        }
        return this.step(
          op,
          `r${r} resolves ${c.kind} ${c.path.map((x) => this.name(x)).join('.')} of ${this.name(p)}: "${value}"`,
          [r],
        );
      }
      case 'sync': {
        const [a, b] = this.pair(op.a, op.b);
        if (this.groups[a] !== this.groups[b]) return this.block(`r${a} ⇄ r${b}`);
        const merges = this.mergesOf([a, b], [b, a]);
        await this.syncOnce(a, b);
        this.model.sync(a, b);
        return this.step(op, `r${a} syncs with r${b} (LAN)`, [a, b], merges);
      }
      case 'sync2': {
        // Two disjoint pairs at once: c and d are drawn from the replicas a and b leave.
        const [a, b] = this.pair(op.a, op.b);
        const others = this.hosts.map((_, i) => i).filter((i) => i !== a && i !== b);
        if (others.length < 2) return this.apply({ t: 'sync', a, b });
        const c = others[op.c % others.length]!;
        const rest = others.filter((i) => i !== c);
        const d = rest[op.d % rest.length]!;
        if (this.groups[a] !== this.groups[b] || this.groups[c] !== this.groups[d])
          return this.block(`r${a} ⇄ r${b} ∥ r${c} ⇄ r${d}`);
        const merges = [...this.mergesOf([a, b], [b, a]), ...this.mergesOf([c, d], [d, c])];
        await Promise.all([this.syncOnce(a, b), this.syncOnce(c, d)]);
        this.model.sync(a, b);
        this.model.sync(c, d);
        return this.step(op, `r${a} syncs with r${b} while r${c} syncs with r${d} (LAN)`, [a, b, c, d], merges);
      }
      case 'bundle': {
        const [from, to] = this.pair(op.from, op.to);
        const merges = this.mergesOf([to], [from]);
        const src = this.hosts[from]!.clinic;
        const dst = this.hosts[to]!.clinic;
        const out = await exportBundleFile(bundleContextOf(src), null, dst.deviceId);
        const res = await importBundleFile(bundleContextOf(dst), null, out.file);
        this.model.receive(to, from);
        return this.step(
          op,
          `r${from} → r${to} by bundle (${res.documents} documents, ${res.conflicts} new conflicts)`,
          [to],
          merges,
        );
      }
      case 'partition': {
        this.groups = this.hosts.map((_, i) => op.groups[i] ?? 0);
        return this.step(op, `partition: ${this.groups.map((g, i) => `r${i}:${g}`).join(' ')}`, []);
      }
      case 'heal': {
        this.groups = this.hosts.map(() => 0);
        return this.step(op, 'partitions healed', []);
      }
      case 'relisten': {
        // The replica goes off the network and comes back on another port: peers reconnect to it there.
        const r = op.r % n;
        const sync = this.hosts[r]!.clinic.sync;
        await sync.stopListening();
        this.urls[r] = `ws://127.0.0.1:${await sync.listen({ port: 0, host: '127.0.0.1' })}`;
        return this.step(op, `r${r} stops listening and listens again at ${this.urls[r]}`, [r]);
      }
    }
  }

  pair(x: number, y: number): [number, number] {
    const a = x % this.n;
    let b = y % this.n;
    if (a === b) b = (b + 1) % this.n;
    return [a, b];
  }

  async syncOnce(a: number, b: number): Promise<void> {
    const r = await this.hosts[a]!.clinic.sync.syncOnce(this.urls[b]!, { timeoutMs: SYNC_TIMEOUT_MS });
    if (!r.converged)
      this.fail(
        `r${a} → r${b}: syncOnce did not converge within ${SYNC_TIMEOUT_MS} ms\n${(await this.syncState([a, b])).join('\n')}`,
      );
  }

  /** Per chart: the heads each replica projected and what each one's catalog says every device holds. */
  async syncState(replicas: number[]): Promise<string[]> {
    const out: string[] = [];
    const dev = (id: string) => `r${this.hosts.findIndex((h) => h.clinic.deviceId === id)}`;
    const short = (heads: string) => (JSON.parse(heads) as string[]).map((h) => h.slice(0, 6)).join('+');
    for (const r of replicas) {
      const c = this.hosts[r]!.clinic;
      const catalogHandle = await c.charts.repo.find(c.sync.membership!.catalogDocId as DocumentId);
      const docs = (catalogHandle.doc() as Partial<CatalogDoc>).docs ?? {};
      const rows = c.db.prepare('SELECT id, document_id, heads FROM patients ORDER BY id').all() as {
        id: string;
        document_id: string;
        heads: string;
      }[];
      for (const row of rows) {
        const byDev = entriesOf(docs[row.document_id])
          .map(([d, h]) => `${dev(d)}=${short(h)}`)
          .join(' ');
        out.push(`r${r} ${this.name(row.id)}: holds ${short(row.heads)}; its catalog says ${byDev || '(nothing)'}`);
      }
    }
    return out;
  }

  pickPatient(r: number, p: number): string | undefined {
    const ps = this.model.patients(this.model.know[r]!);
    return ps.length === 0 ? undefined : ps[p % ps.length];
  }

  recordEntry(r: number, patientId: string, entryId: string, amends: string | null): void {
    const row = this.hosts[r]!.clinic.db.prepare(
      'SELECT canonical, hex(signature) AS sig FROM entries WHERE id = ?',
    ).get(entryId) as { canonical: string; sig: string };
    this.label.set(entryId, `E${this.model.events.length}`);
    this.model.record(r, { kind: 'entry', patientId, entryId, amends, canonical: row.canonical, sig: row.sig });
    stats.entries++;
  }

  /** The three-way expectations of merges about to happen: [replica, what it will receive]. */
  mergesOf(into: number[], from: number[]) {
    return into.map((r, i) => {
      const ours = new Set(this.model.know[r]!);
      const theirs = new Set(this.model.know[from[i]!]!);
      return { r, expected: this.model.removedVsEdited(ours, theirs) };
    });
  }

  skip(op: Op) {
    this.trace.push(`(skipped ${JSON.stringify(op)}: nothing to act on)`);
  }

  /** A sync across partition groups does not happen. */
  block(what: string) {
    stats.blocked++;
    this.trace.push(`(partitioned: ${what} not synced)`);
  }

  async step(
    op: Op,
    text: string,
    touched: number[],
    merges: { r: number; expected: { patientId: string; list: ListName; itemId: string }[] }[] = [],
  ): Promise<void> {
    stats.ops[op.t] = (stats.ops[op.t] ?? 0) + 1;
    this.trace.push(text);
    for (const r of touched) await this.checkReplica(r);
    for (const m of merges)
      for (const x of m.expected) {
        const found = this.conflicts(m.r, 'all').some(
          (c) =>
            c.kind === 'removed-vs-edited' &&
            c.patientId === x.patientId &&
            c.path[0] === x.list &&
            c.itemId === x.itemId,
        );
        this.check(
          found,
          () =>
            `r${m.r}: ${x.list} item ${this.name(x.itemId)} of ${this.name(x.patientId)} was removed on one side and edited on the other, but no removed-vs-edited conflict is queued`,
        );
      }
  }

  conflicts(r: number, status: 'open' | 'all'): ConflictView[] {
    const h = this.hosts[r]!;
    return readConflicts(h.clinic.db, h.doctor.id, { status });
  }

  // ---- what a replica must hold ------------------------------------------------------

  async checkReplica(r: number): Promise<void> {
    const h = this.hosts[r]!;
    const know = this.model.know[r]!;
    const db = h.clinic.db;
    const patients = (db.prepare('SELECT id FROM patients').all() as { id: string }[]).map((x) => x.id);
    const expected = this.model.patients(know);
    this.check(
      sameSet(patients, expected),
      () =>
        `r${r} holds patients [${patients.map((p) => this.name(p))}], the model says [${expected.map((p) => this.name(p))}]`,
    );
    const open = this.conflicts(r, 'open');
    const queued = (p: string, path: string[], kind: ConflictView['kind'], values: (string | null)[]) =>
      open.some(
        (c) =>
          c.patientId === p &&
          c.kind === kind &&
          JSON.stringify(c.path) === JSON.stringify(path) &&
          sameSet(
            c.values.map((v) => v.value as string | null),
            values,
          ),
      );
    for (const p of expected) {
      const chart = await h.clinic.charts.read(p);
      const row = db.prepare('SELECT family_name, phone FROM patients WHERE id = ?').get(p) as {
        family_name: string;
        phone: string | null;
      };
      this.check(
        row.family_name === chart.familyName && row.phone === chart.phone,
        () => `r${r}: the projection of ${this.name(p)} does not match its chart`,
      );
      for (const field of REGISTER_FIELDS) {
        const values = ReplicaModel.distinctValues(this.model.registerFrontier(know, p, field));
        const shown = chart[field];
        this.check(
          values.includes(shown),
          () => `r${r}: ${this.name(p)}.${field} is ${shown}, the model allows only [${values}]`,
        );
        if (values.length > 1)
          this.check(
            queued(p, ['demographics', field], 'concurrent-value', values),
            () =>
              `r${r}: ${this.name(p)}.${field} holds concurrent values [${values}] but no open concurrent-value conflict with exactly them is queued (open: ${JSON.stringify(open.map((c) => [c.kind, c.path, c.values.map((v) => v.value)]))})`,
          );
      }
      for (const l of LISTS) {
        const items = this.model.items(know, p, l);
        const held = chart[l];
        this.check(
          sameSet(
            held.map((i) => i.id),
            items.map((i) => i.itemId),
          ),
          () =>
            `r${r}: ${this.name(p)}.${l} holds [${held.map((i) => this.name(i.id))}], the model says [${items.map((i) => this.name(i.itemId))}]`,
        );
        for (const item of items) {
          const values = ReplicaModel.distinctValues(item.frontier);
          const text = held.find((i) => i.id === item.itemId)!.text;
          this.check(
            values.includes(text),
            () => `r${r}: ${this.name(p)}.${l} ${this.name(item.itemId)} reads "${text}", the model allows [${values}]`,
          );
          if (values.length > 1)
            this.check(
              queued(p, [l, item.itemId], 'concurrent-list-edit', values),
              () =>
                `r${r}: ${this.name(p)}.${l} ${this.name(item.itemId)} holds concurrent texts [${values}] but no open concurrent-list-edit conflict with exactly them is queued`,
            );
        }
      }
    }
    // Entries: exactly the acknowledged ones this replica must know, byte for byte.
    const rows = db.prepare('SELECT id, canonical, hex(signature) AS sig FROM entries').all() as {
      id: string;
      canonical: string;
      sig: string;
    }[];
    const want = this.model.entries(know);
    const have = new Map(rows.map((x) => [x.id, x]));
    const missing = want
      .filter((e) => !have.has(e.body.entryId))
      .map((e) => `${this.name(e.body.entryId)} (from r${e.replica})`);
    this.check(missing.length === 0, () => `r${r} lacks acknowledged entries ${missing.join(', ')}`);
    for (const e of want) {
      const x = have.get(e.body.entryId)!;
      this.check(
        x.canonical === e.body.canonical && x.sig === e.body.sig,
        () => `r${r}: entry ${e.body.entryId} differs from what its author's device signed`,
      );
    }
    this.check(rows.length === want.length, () => `r${r} holds ${rows.length} entries, the model knows ${want.length}`);
    const refused = db.prepare('SELECT entry_id, reason FROM sync_refused_entries').all();
    this.check(refused.length === 0, () => `r${r} refused entries: ${JSON.stringify(refused)}`);
  }

  // ---- the end ----------------------------------------------------------------------

  /** Every replica syncs with r0, round after round, until all hold the same and know everything (partitions healed). */
  async heal(): Promise<void> {
    this.groups = this.hosts.map(() => 0);
    this.trace.push('--- final heal: star rounds through r0 ---');
    for (let round = 0; round < 4; round++) {
      for (let i = 1; i < this.n; i++) {
        const merges = this.mergesOf([i, 0], [0, i]);
        await this.syncOnce(i, 0);
        this.model.sync(i, 0);
        await this.step({ t: 'sync', a: i, b: 0 }, `r${i} syncs with r0 (heal round ${round})`, [i, 0], merges);
      }
      const snaps = (await Promise.all(this.hosts.map((h) => snapshot(h)))).map((s) => JSON.stringify(s));
      const everything = this.model.events.length;
      if (snaps.every((s) => s === snaps[0]) && this.model.know.every((k) => k.size === everything)) return;
    }
    this.fail('the replicas still differ after 4 heal rounds');
  }

  async finalChecks(): Promise<void> {
    const all = new Set(this.model.events.map((e) => e.id));
    for (let r = 0; r < this.n; r++)
      this.check(this.model.know[r]!.size === all.size, () => `model: r${r} does not know everything after the heal`);
    // Identical patient sets, charts (whatever Automerge picked among concurrent values) and entries.
    const snaps = await Promise.all(this.hosts.map((h) => snapshot(h)));
    for (let r = 1; r < this.n; r++) expect(snaps[r], `r${r} differs from r0 after the heal`).toEqual(snaps[0]);
    expect(snaps[0]!.patients).toEqual(this.model.patients(all).sort());
    // Every entry ever acknowledged, everywhere, as signed.
    const entries = this.model.entries(all);
    expect(snaps[0]!.entries.map((e) => (e as { id: string }).id)).toEqual(entries.map((e) => e.body.entryId).sort());
    for (const e of entries)
      for (let r = 0; r < this.n; r++) {
        const row = this.hosts[r]!.clinic.db.prepare(
          'SELECT canonical, hex(signature) AS sig FROM entries WHERE id = ?',
        ).get(e.body.entryId) as { canonical: string; sig: string } | undefined;
        expect(row, `entry ${e.body.entryId} on r${r}`).toEqual({ canonical: e.body.canonical, sig: e.body.sig });
      }
    this.classifyConcurrentEdits();
  }

  /**
   * Every pair of concurrent writes to one watched field: queued (some replica's queue,
   * any status, has a record of that place holding both values), superseded on its own
   * side before the two met (a later write that saw one and not the other carries the
   * contest on, and is itself a pair checked here), or identical values. Every item
   * removed concurrently with an edit of its text: queued as removed-vs-edited, or a
   * remover had seen the edit. Every queued record names a place the model found
   * contested (no false alarms).
   */
  classifyConcurrentEdits(): void {
    const records = this.hosts.flatMap((_, r) => this.conflicts(r, 'all'));
    const events = this.model.events;
    const inQueue = (p: string, path: string[], a: string | null, b: string | null) =>
      records.some((c) => {
        if (c.patientId !== p || JSON.stringify(c.path) !== JSON.stringify(path)) return false;
        const vs = c.values.map((v) => v.value);
        return vs.includes(a) && vs.includes(b);
      });
    const contested = new Set<string>();
    // `removals`: for an item's text, the item's removals. A removal that saw one write and not
    // the other supersedes it like a later write does, and carries the contest on as a
    // removed-vs-edited pair (checked below).
    const classifyPairs = (
      writes: Write[],
      p: string,
      path: string[],
      counter: Stats['registerPairs'],
      removals: ModelEvent[] = [],
    ) => {
      const later = [...writes.map((w) => w.event), ...removals];
      for (let i = 0; i < writes.length; i++)
        for (let j = i + 1; j < writes.length; j++) {
          const [x, y] = [writes[i]!, writes[j]!];
          if (!ReplicaModel.concurrent(x.event, y.event)) continue;
          contested.add(JSON.stringify([p, path]));
          if (x.value === y.value) counter.sameValue++;
          else if (inQueue(p, path, x.value, y.value)) counter.queued++;
          else if (
            later.some(
              (w) =>
                (ReplicaModel.before(x.event, w) && !ReplicaModel.before(y.event, w)) ||
                (ReplicaModel.before(y.event, w) && !ReplicaModel.before(x.event, w)),
            )
          )
            counter.superseded++;
          else
            this.fail(
              `concurrent writes ${path.map((s) => this.name(s)).join('.')} of ${this.name(p)} = "${x.value}" (r${x.event.replica}) and "${y.value}" (r${y.event.replica}) are neither queued nor superseded`,
            );
        }
    };
    const registers = new Map<string, Write[]>();
    const texts = new Map<string, Write[]>();
    const removals = new Map<string, ModelEvent[]>();
    const adds = new Map<string, ModelEvent[]>();
    for (const e of events) {
      const b = e.body;
      if (b.kind === 'set') {
        const k = JSON.stringify([b.patientId, b.field]);
        registers.set(k, [...(registers.get(k) ?? []), { event: e, value: b.value }]);
      } else if (b.kind === 'item.add' || b.kind === 'item.edit') {
        const k = JSON.stringify([b.patientId, b.list, b.itemId]);
        texts.set(k, [...(texts.get(k) ?? []), { event: e, value: b.text }]);
        if (b.kind === 'item.add') {
          const lk = JSON.stringify([b.patientId, b.list]);
          adds.set(lk, [...(adds.get(lk) ?? []), e]);
        }
      } else if (b.kind === 'item.remove') {
        const k = JSON.stringify([b.patientId, b.list, b.itemId]);
        removals.set(k, [...(removals.get(k) ?? []), e]);
      }
    }
    for (const [k, ws] of registers) {
      const [p, field] = JSON.parse(k) as [string, string];
      classifyPairs(ws, p, ['demographics', field], stats.registerPairs);
    }
    for (const [k, ws] of texts) {
      const [p, l, itemId] = JSON.parse(k) as [string, string, string];
      classifyPairs(ws, p, [l, itemId], stats.itemTextPairs, removals.get(k));
      for (const rm of removals.get(k) ?? [])
        for (const w of ws) {
          if (w.event.body.kind !== 'item.edit' || !ReplicaModel.concurrent(w.event, rm)) continue;
          contested.add(JSON.stringify([p, [l, itemId]]));
          if (records.some((c) => c.kind === 'removed-vs-edited' && c.patientId === p && c.itemId === itemId))
            stats.removedVsEdited.queued++;
          else if ((removals.get(k) ?? []).some((d) => ReplicaModel.before(w.event, d)))
            stats.removedVsEdited.seenByRemover++;
          else
            this.fail(
              `${l} ${this.name(itemId)} of ${this.name(p)}: removed on r${rm.replica} while edited on r${w.event.replica} ("${w.value}"), and no removed-vs-edited conflict was queued anywhere`,
            );
        }
    }
    for (const ws of removals.values())
      for (let i = 0; i < ws.length; i++)
        for (let j = i + 1; j < ws.length; j++) if (ReplicaModel.concurrent(ws[i]!, ws[j]!)) stats.bothRemoved++;
    for (const ws of adds.values())
      for (let i = 0; i < ws.length; i++)
        for (let j = i + 1; j < ws.length; j++) if (ReplicaModel.concurrent(ws[i]!, ws[j]!)) stats.unionAdds++;
    for (const c of records)
      this.check(
        contested.has(JSON.stringify([c.patientId, c.path])),
        () =>
          `a ${c.kind} conflict is queued for ${c.path.map((s) => this.name(s)).join('.')} of ${this.name(c.patientId ?? '?')}, where the model saw no concurrent edit`,
      );
  }
}

/**
 * Opens n hosts, enrolls them all with the first, registers `shared` patients there
 * and syncs every replica with it once: every device knows the whole roster (so any
 * two may sync or exchange bundles) and the shared charts are where concurrent edits
 * happen.
 */
async function openWorld(n: number, shared: number, logs: string[]): Promise<World> {
  const hosts: TestHost[] = [];
  try {
    for (const h of await Promise.all(Array.from({ length: n }, (_, i) => openTestHost(`replica${i}`)))) hosts.push(h);
    const w = new World(hosts, logs);
    const first = hosts[0]!.clinic.sync;
    w.urls.push(`ws://127.0.0.1:${await first.listen({ port: 0, host: '127.0.0.1' })}`);
    for (let i = 1; i < n; i++) {
      const { code } = await first.enrollmentCode(null);
      await hosts[i]!.clinic.sync.join({ code, peerUrl: w.urls[0]!, deviceName: `replica${i}`, actorId: null });
      w.urls.push(`ws://127.0.0.1:${await hosts[i]!.clinic.sync.listen({ port: 0, host: '127.0.0.1' })}`);
    }
    for (let p = 0; p < shared; p++) await w.apply({ t: 'register', r: 0 });
    for (let i = 1; i < n; i++) await w.apply({ t: 'sync', a: i, b: 0 });
    for (let i = 0; i < n; i++) expect(hosts[i]!.clinic.sync.roster?.devices.size, `roster of replica ${i}`).toBe(n);
    w.trace.push('--- enrolled; random steps ---');
    return w;
  } catch (e) {
    await Promise.all(hosts.map((h) => h.close()));
    throw e;
  }
}

/** One case: open and enroll, apply the steps, heal, check everything; the hosts are closed whatever happens. */
async function runCase(n: number, shared: number, ops: Op[], logs: string[]): Promise<void> {
  const trace = process.env.SIJILL_PROPERTY_TRACE === '1';
  logs.length = 0;
  const t0 = Date.now();
  const world = await openWorld(n, shared, logs);
  const t1 = Date.now();
  try {
    for (const op of ops) await world.apply(op);
    const t2 = Date.now();
    await world.heal();
    await world.finalChecks();
    stats.runs++;
    if (trace)
      console.info(
        `${world.trace.join('\n')}\nopen+enroll ${t1 - t0} ms, steps ${t2 - t1} ms, heal+checks ${Date.now() - t2} ms`,
      );
  } finally {
    await Promise.all(world.hosts.map((h) => h.close()));
  }
}

/** The hosts log every connection: keep the lines for failure reports instead of the console. */
function captureHostLogs(): { logs: string[]; restore(): void } {
  const logs: string[] = [];
  const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    logs.push(args.map(String).join(' '));
    if (logs.length > 2000) logs.splice(0, 1000);
  });
  return { logs, restore: () => spy.mockRestore() };
}

/**
 * Failures this property found, shrunk to deterministic cases (same checks as the
 * property: the model after every step, then heal and the final checks).
 */
const REGRESSIONS: [string, [number, number, Op[]]][] = [
  [
    // Each device's first publish creates the chart's signedEntries map; two concurrent
    // creations conflict and Automerge shows one map: the other device's entry is lost.
    'the first entries of one chart, signed and published on two devices apart, both arrive',
    [
      3,
      1,
      [
        { t: 'entry', r: 0, p: 0 },
        { t: 'entry', r: 1, p: 0 },
        { t: 'bundle', from: 0, to: 2 },
        { t: 'bundle', from: 1, to: 2 },
      ],
    ],
  ],
  [
    // The export reads the catalog before the registering device's own entry for the new
    // chart is written; the importer then creates docs[chart] itself, concurrently, and
    // after the merge the registering device's acknowledgement is hidden: no sync between
    // them converges again.
    'a chart registered just before a bundle export syncs to convergence afterwards',
    [
      3,
      1,
      [
        { t: 'register', r: 1 },
        { t: 'bundle', from: 1, to: 0 },
      ],
    ],
  ],
  [
    // The listening side publishes its new entries only when its exchange with the peer
    // starts, chained after the previous exchange's wait for convergence (up to 2 s once
    // the peer left, and the chart changed since): the connecting side converges on the
    // chart edit and leaves without the entry. That wait is not always pending when the
    // next sync starts, so the round is repeated (it failed 3 times in 5 single rounds).
    'an entry signed on the listening device between two syncs reaches the connecting device',
    [
      3,
      1,
      Array.from({ length: 4 }, (): Op[] => [
        { t: 'sync', a: 1, b: 0 },
        { t: 'set', r: 0, p: 0, field: 'phone' },
        { t: 'entry', r: 0, p: 0 },
      ]).flat(),
    ],
  ],
  [
    // r1 edits an item's text and then removes the item; r0, apart, edits the same text.
    // The two text writes are concurrent, but r1's own removal superseded its edit before
    // they met: the contest is the removal against r0's edit (removed-vs-edited), and the
    // model once wrongly demanded a text conflict between the two edits (seed -1494574116).
    'an edit its own side removed is superseded by the removal, which is queued against the other edit',
    [
      3,
      1,
      [
        { t: 'add', r: 1, p: 0, list: 'medications' },
        { t: 'bundle', from: 1, to: 0 },
        { t: 'edit', r: 1, p: 0, k: 0, list: 'medications' },
        { t: 'remove', r: 1, p: 0, k: 0, list: 'medications' },
        { t: 'edit', r: 0, p: 0, k: 0, list: 'medications' },
        { t: 'sync', a: 0, b: 1 },
      ],
    ],
  ],
];

describe('sync between 3 to 5 replicas (property)', () => {
  afterAll(() => {
    console.info(`replica property stats: ${JSON.stringify(stats)}`);
  });

  it.each(REGRESSIONS)(
    'regression: %s',
    async (_name, [n, shared, ops]) => {
      const { logs, restore } = captureHostLogs();
      try {
        await runCase(n, shared, ops, logs);
      } finally {
        restore();
      }
    },
    120_000,
  );

  it('converges to identical data, keeps every acknowledged entry, and queues or merges every concurrent edit', async () => {
    const { logs, restore } = captureHostLogs();
    const env = process.env;
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 3, max: MAX_REPLICAS }),
          fc.integer({ min: 1, max: 3 }),
          fc.array(opArb, { minLength: 15, maxLength: 40 }),
          (n, shared, ops) => runCase(n, shared, ops, logs),
        ),
        {
          // The fixed example counts as one of the runs.
          numRuns: 1 + Number(env.SIJILL_PROPERTY_RUNS ?? 7),
          examples: [env.SIJILL_PROPERTY_OPS ? (JSON.parse(env.SIJILL_PROPERTY_OPS) as typeof EXAMPLE) : EXAMPLE],
          ...(env.SIJILL_PROPERTY_SEED ? { seed: Number(env.SIJILL_PROPERTY_SEED) } : {}),
          ...(env.SIJILL_PROPERTY_PATH ? { path: env.SIJILL_PROPERTY_PATH } : {}),
          endOnFailure: env.SIJILL_PROPERTY_SHRINK !== '1',
        },
      );
    } finally {
      restore();
    }
    // The fixed example makes each rule happen at least once: the test cannot pass vacuously.
    // (A replay of one case, OPS or SEED with PATH, does not run the example.)
    if (env.SIJILL_PROPERTY_OPS || env.SIJILL_PROPERTY_PATH) return;
    expect(stats.registerPairs.queued).toBeGreaterThan(0);
    expect(stats.itemTextPairs.queued).toBeGreaterThan(0);
    expect(stats.removedVsEdited.queued).toBeGreaterThan(0);
    expect(stats.unionAdds).toBeGreaterThan(0);
    expect(stats.bothRemoved).toBeGreaterThan(0);
    expect(stats.ops.bundle ?? 0).toBeGreaterThan(0);
    expect(stats.ops.resolve ?? 0).toBeGreaterThan(0);
  }, 600_000);
});
