// Shared machinery of the framer/parser fuzz tests: inputs that are random bytes, random runs of a protocol's
// significant bytes, or valid streams mutated (bit flips, insertions, deletions, truncations, splices,
// repeats); chunked feeding; per-input timing.
//
// FUZZ_RUNS overrides the number of inputs per property (default 100 000: the floor). A failure prints
// fast-check's seed and path; rerun it with FUZZ_SEED=<seed> FUZZ_PATH=<path>. Under CI (CI=true) the seed is
// fixed, so a landing never depends on luck; on a developer's machine every run explores new inputs.
import fc from 'fast-check';
import { performance } from 'node:perf_hooks';

export const RUNS = Number(process.env.FUZZ_RUNS ?? 100_000);
/** "Never hangs": one input (at most a few KiB) must be handled within this, GC pauses included. */
export const PER_INPUT_LIMIT_MS = 100;

export function fcParams(): fc.Parameters<unknown> {
  const params: fc.Parameters<unknown> = { numRuns: RUNS };
  if (process.env.FUZZ_SEED) params.seed = Number(process.env.FUZZ_SEED);
  else if (process.env.CI) params.seed = 20261121;
  if (process.env.FUZZ_PATH) params.path = process.env.FUZZ_PATH;
  return params;
}

export const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);

export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export const equalBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((v, i) => v === b[i]);

/** Splits at the given points (taken modulo the length, sorted, de-duplicated). */
export function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  if (bytes.length === 0) return [bytes];
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(bytes.subarray(prev, p));
    prev = p;
  }
  return chunks;
}

export type Mutation =
  | { k: 'flip'; at: number; bit: number }
  | { k: 'set'; at: number; value: number }
  | { k: 'insert'; at: number; bytes: Uint8Array }
  | { k: 'delete'; at: number; len: number }
  | { k: 'truncate'; at: number }
  | { k: 'splice'; at: number; src: number; from: number; len: number }
  | { k: 'repeat'; at: number; len: number };

/** Applies mutations in order; positions are taken modulo the current length. */
export function mutate(base: Uint8Array, ops: readonly Mutation[], corpus: readonly Uint8Array[]): Uint8Array {
  let b = base;
  for (const op of ops) {
    const n = b.length;
    const at = n === 0 ? 0 : op.at % (n + 1);
    switch (op.k) {
      case 'flip':
        if (n > 0) {
          b = b.slice();
          b[op.at % n] = (b[op.at % n] as number) ^ (1 << op.bit);
        }
        break;
      case 'set':
        if (n > 0) {
          b = b.slice();
          b[op.at % n] = op.value;
        }
        break;
      case 'insert':
        b = concat(b.subarray(0, at), op.bytes, b.subarray(at));
        break;
      case 'delete':
        b = concat(b.subarray(0, at), b.subarray(Math.min(n, at + op.len)));
        break;
      case 'truncate':
        b = b.subarray(0, at);
        break;
      case 'splice': {
        // a piece of another valid stream lands in the middle of this one (two devices, a cut cable)
        const src = corpus[op.src % corpus.length] as Uint8Array;
        const from = src.length === 0 ? 0 : op.from % src.length;
        b = concat(b.subarray(0, at), src.subarray(from, from + op.len), b.subarray(at));
        break;
      }
      case 'repeat':
        // a retransmission or an echo: a slice sent twice
        b = concat(b.subarray(0, at), b.subarray(Math.max(0, at - op.len), at), b.subarray(at));
        break;
    }
  }
  return b;
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({ k: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ k: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('insert' as const),
      at: fc.nat(),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ k: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 24 }) }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('truncate' as const), at: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('splice' as const),
      at: fc.nat(),
      src: fc.nat(),
      from: fc.nat(),
      len: fc.integer({ min: 1, max: 64 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ k: fc.constant('repeat' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 32 }) }),
  },
);

export type GarbageKind = 'random' | 'tokens' | 'mutated';

export interface Garbage {
  kind: GarbageKind;
  bytes: Uint8Array;
}

export interface GarbageOptions {
  /** Valid streams of the protocol, the seeds of mutation. */
  corpus: readonly Uint8Array[];
  /** Bytes that mean something to the protocol (sync, delimiters, control characters). */
  specials: readonly number[];
  /** Longest random input. Default 160. */
  maxRandom?: number;
}

/** A third random bytes, a third random runs over the protocol's special bytes, a third mutated valid streams. */
export function garbage(o: GarbageOptions): fc.Arbitrary<Garbage> {
  const maxRandom = o.maxRandom ?? 160;
  const byte = fc.oneof(
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) },
    { weight: 1, arbitrary: fc.constantFrom(...o.specials) },
  );
  return fc.oneof(
    fc.uint8Array({ maxLength: maxRandom, size: 'max' }).map((bytes): Garbage => ({ kind: 'random', bytes })),
    fc
      .array(byte, { maxLength: maxRandom, size: 'max' })
      .map((a): Garbage => ({ kind: 'tokens', bytes: Uint8Array.from(a) })),
    fc.tuple(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 5 })).map(([i, ops]): Garbage => ({
      kind: 'mutated',
      bytes: mutate(o.corpus[i % o.corpus.length] as Uint8Array, ops, o.corpus),
    })),
  );
}

/** Chunk boundaries for feeding an input (framers must not depend on how reads split the stream). */
export const cuts = fc.array(fc.nat(), { maxLength: 3 });

/** A cheap assertion for the hot loop (vitest's expect costs more than the framers under test). */
export function check(condition: boolean, message: () => string): asserts condition {
  if (!condition) throw new Error(message());
}

/** Per-input timing and input statistics of one fuzz property. */
export class FuzzStats {
  runs = 0;
  bytes = 0;
  /** Slowest input as first measured (includes GC pauses and JIT warm-up). */
  maxMs = 0;
  /** Slowest input after re-running slow ones: the fastest of three runs (what the input itself costs). */
  maxConfirmedMs = 0;
  totalMs = 0;
  readonly kinds: Record<GarbageKind, number> = { random: 0, tokens: 0, mutated: 0 };
  private t0 = performance.now();

  /**
   * Times `fn` (one input, on a fresh framer it creates itself) and returns its result. An input slower than
   * PER_INPUT_LIMIT_MS is run twice more: a garbage-collection pause does not repeat, a hang or a quadratic
   * blow-up does, so it fails only if every run was over the limit.
   */
  time<T>(g: Garbage, extraBytes: number, fn: () => T): T {
    let t = performance.now();
    let out = fn();
    let ms = performance.now() - t;
    this.runs++;
    this.kinds[g.kind]++;
    this.bytes += g.bytes.length + extraBytes;
    this.totalMs += ms;
    if (ms > this.maxMs) this.maxMs = ms;
    for (let retry = 0; retry < 2 && ms > PER_INPUT_LIMIT_MS / 4; retry++) {
      t = performance.now();
      out = fn();
      ms = Math.min(ms, performance.now() - t);
    }
    if (ms > this.maxConfirmedMs) this.maxConfirmedMs = ms;
    if (ms > PER_INPUT_LIMIT_MS) {
      throw new Error(
        `one input of ${g.bytes.length} bytes took ${ms.toFixed(1)} ms, three times (limit ${PER_INPUT_LIMIT_MS} ms)`,
      );
    }
    return out;
  }

  summary(name: string): string {
    const wall = (performance.now() - this.t0) / 1000;
    return (
      `${name}: ${this.runs} inputs (random ${this.kinds.random}, special-byte runs ${this.kinds.tokens}, ` +
      `mutated ${this.kinds.mutated}), ${(this.bytes / 1e6).toFixed(1)} MB, ` +
      `mean ${((this.totalMs / Math.max(1, this.runs)) * 1000).toFixed(1)} µs/input, slowest ${this.maxConfirmedMs.toFixed(2)} ms ` +
      `(first run ${this.maxMs.toFixed(2)} ms; limit ${PER_INPUT_LIMIT_MS} ms), ${wall.toFixed(1)} s wall`
    );
  }
}
