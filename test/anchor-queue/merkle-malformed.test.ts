// The verify functions face proofs from outside (receipts, ledgers, peers): any
// malformed input must give false, never an exception.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_PROOF_LENGTH, verifyConsistency, verifyInclusion } from '../../anchor-queue';
import { buildLog, syntheticLeaves } from './helpers';

const log = buildLog(syntheticLeaves(13, 4));
const good = {
  leaf: log.leafHash(5),
  index: 5,
  size: 13,
  inclusion: log.inclusionProof(5, 13),
  size1: 6,
  consistency: log.consistencyProof(6, 13),
  root1: log.root(6),
  root: log.root(13),
};

const badNumbers: unknown[] = [
  -1,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  2 ** 53,
  2 ** 64,
  Number.MAX_VALUE,
  -0.5,
  '5',
  5n,
  null,
  undefined,
  {},
  [5],
  true,
];
const badHashes: unknown[] = [
  null,
  undefined,
  new Uint8Array(0),
  new Uint8Array(31),
  new Uint8Array(33),
  new Uint16Array(16),
  Array.from({ length: 32 }, () => 0),
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  new ArrayBuffer(32),
  {},
  42,
];
const throwingProxy = new Proxy([], {
  get() {
    throw new Error('hostile proof');
  },
});
const throwingGetter = Object.defineProperty([new Uint8Array(32)], 0, {
  get() {
    throw new Error('hostile element');
  },
});
const badProofs: unknown[] = [
  null,
  undefined,
  'proof',
  {},
  { length: 1, 0: new Uint8Array(32) },
  [null],
  [new Uint8Array(31)],
  [...good.inclusion.slice(0, 2), 'not a hash', good.inclusion[3]],
  new Array(4), // holes
  Array.from({ length: MAX_PROOF_LENGTH + 1 }, () => new Uint8Array(32)),
  throwingProxy,
  throwingGetter,
];

type Inclusion = Parameters<typeof verifyInclusion>;
type Consistency = Parameters<typeof verifyConsistency>;
const inclusion = (...args: unknown[]) => verifyInclusion(...(args as Inclusion));
const consistency = (...args: unknown[]) => verifyConsistency(...(args as Consistency));

describe('verifyInclusion with malformed input', () => {
  it('accepts the well-formed baseline (so the cases below fail for their own reason)', () => {
    expect(inclusion(good.leaf, good.index, good.size, good.inclusion, good.root)).toBe(true);
  });

  it.each(badNumbers)('returns false for index %s', (index) => {
    expect(inclusion(good.leaf, index, good.size, good.inclusion, good.root)).toBe(false);
  });

  it.each(badNumbers)('returns false for tree size %s', (size) => {
    expect(inclusion(good.leaf, good.index, size, good.inclusion, good.root)).toBe(false);
  });

  it.each(badHashes)('returns false for leaf hash or root %s', (hash) => {
    expect(inclusion(hash, good.index, good.size, good.inclusion, good.root)).toBe(false);
    expect(inclusion(good.leaf, good.index, good.size, good.inclusion, hash)).toBe(false);
  });

  it.each(badProofs.map((proof, i) => [i, proof]))('returns false for bad proof #%i', (_i, proof) => {
    expect(inclusion(good.leaf, good.index, good.size, proof, good.root)).toBe(false);
  });

  it('refuses an over-long proof before reading any of its elements', () => {
    let reads = 0;
    const long = Array.from({ length: MAX_PROOF_LENGTH + 1 }, () => new Uint8Array(32));
    Object.defineProperty(long, 0, {
      get() {
        reads++;
        return new Uint8Array(32);
      },
    });
    expect(inclusion(good.leaf, good.index, good.size, long, good.root)).toBe(false);
    expect(consistency(good.size1, good.size, long, good.root1, good.root)).toBe(false);
    expect(reads).toBe(0);
  });

  it('returns false for index ≥ size, size 0, and a missing argument', () => {
    expect(inclusion(good.leaf, 13, 13, good.inclusion, good.root)).toBe(false);
    expect(inclusion(good.leaf, 0, 0, [], good.root)).toBe(false);
    expect(inclusion(good.leaf, good.index, good.size, good.inclusion)).toBe(false);
    expect(inclusion()).toBe(false);
  });

  it('returns a boolean for any values at all', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), fc.anything(), fc.anything(), (a, b, c, d, e) => {
        expect(inclusion(a, b, c, d, e)).toBe(false);
        expect(inclusion(good.leaf, b, c, d, good.root)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe('verifyConsistency with malformed input', () => {
  it('accepts the well-formed baseline', () => {
    expect(consistency(good.size1, good.size, good.consistency, good.root1, good.root)).toBe(true);
  });

  it.each(badNumbers)('returns false for size %s', (size) => {
    expect(consistency(size, good.size, good.consistency, good.root1, good.root)).toBe(false);
    expect(consistency(good.size1, size, good.consistency, good.root1, good.root)).toBe(false);
  });

  it.each(badHashes)('returns false for root %s', (hash) => {
    expect(consistency(good.size1, good.size, good.consistency, hash, good.root)).toBe(false);
    expect(consistency(good.size1, good.size, good.consistency, good.root1, hash)).toBe(false);
  });

  it.each(badProofs.map((proof, i) => [i, proof]))('returns false for bad proof #%i', (_i, proof) => {
    expect(consistency(good.size1, good.size, proof, good.root1, good.root)).toBe(false);
  });

  it('returns false for size1 > size2 and for non-empty proofs in the trivial cases', () => {
    expect(consistency(13, 6, good.consistency, good.root, good.root1)).toBe(false);
    expect(consistency(13, 13, [good.root], good.root, good.root)).toBe(false);
    expect(consistency(0, 13, [good.root], log.root(0), good.root)).toBe(false);
    expect(consistency(6, 13, [], good.root1, good.root)).toBe(false);
  });

  it('trivial cases: equal sizes need equal roots; size 0 needs the empty-tree root', () => {
    expect(consistency(13, 13, [], good.root, good.root)).toBe(true);
    expect(consistency(13, 13, [], good.root1, good.root)).toBe(false);
    expect(consistency(0, 13, [], log.root(0), good.root)).toBe(true);
    expect(consistency(0, 13, [], good.root1, good.root)).toBe(false);
    expect(consistency(0, 0, [], log.root(0), log.root(0))).toBe(true);
  });

  it('returns a boolean for any values at all', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), fc.anything(), fc.anything(), (a, b, c, d, e) => {
        expect(consistency(a, b, c, d, e)).toBe(false);
        expect(consistency(a, b, c, good.root1, good.root)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
