// Property-based checks of the log against merkleRoot and the RFC 9162 verifiers,
// on random trees up to 10,000 leaves, including tampering of every kind.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { merkleRoot, verifyConsistency, verifyInclusion, type MerkleLog } from '../../anchor-queue';
import { buildLog, consistencyShape, flipBit, hex, inclusionShape, syntheticLeaves } from './helpers';

const MAX_LEAVES = 10_000;

function checkInclusion(log: MerkleLog, index: number, size: number, bit: number, otherSize: number): void {
  const proof = log.inclusionProof(index, size);
  const leafHash = log.leafHash(index);
  const root = log.root(size);
  expect(verifyInclusion(leafHash, index, size, proof, root)).toBe(true);

  // Any single bit flip in a proof element, the root or the leaf hash fails.
  proof.forEach((element, i) => {
    const tampered = proof.map((p, j) => (j === i ? flipBit(element, bit) : p));
    expect(verifyInclusion(leafHash, index, size, tampered, root)).toBe(false);
  });
  expect(verifyInclusion(leafHash, index, size, proof, flipBit(root, bit))).toBe(false);
  expect(verifyInclusion(flipBit(leafHash, bit), index, size, proof, root)).toBe(false);

  // A path that is one element too short or too long fails.
  if (proof.length > 0) expect(verifyInclusion(leafHash, index, size, proof.slice(0, -1), root)).toBe(false);
  expect(verifyInclusion(leafHash, index, size, [...proof, root], root)).toBe(false);

  // Another index fails: the neighbours, and one far away.
  for (const other of [index - 1, index + 1, (index + 1 + (bit % size)) % size]) {
    if (other !== index && other >= 0) expect(verifyInclusion(leafHash, other, size, proof, root)).toBe(false);
  }

  // Another size: always fails with that size's root; with the original root it
  // passes exactly when RFC 9162 runs the same computation (same path shape).
  if (otherSize !== size && otherSize > index) {
    const sameShape = inclusionShape(index, otherSize) === inclusionShape(index, size);
    expect(verifyInclusion(leafHash, index, otherSize, proof, root)).toBe(sameShape);
    if (otherSize <= log.size) {
      const isTheRightProof = log.inclusionProof(index, otherSize).map(hex).join() === proof.map(hex).join();
      expect(isTheRightProof).toBe(false);
      expect(verifyInclusion(leafHash, index, otherSize, proof, log.root(otherSize))).toBe(false);
    }
  }
}

function checkConsistency(log: MerkleLog, size1: number, size2: number, bit: number, shift: number): void {
  const proof = log.consistencyProof(size1, size2);
  const root1 = log.root(size1);
  const root2 = log.root(size2);
  expect(verifyConsistency(size1, size2, proof, root1, root2)).toBe(true);
  if (size1 === 0 || size1 === size2) {
    expect(proof).toEqual([]);
    return;
  }
  proof.forEach((element, i) => {
    const tampered = proof.map((p, j) => (j === i ? flipBit(element, bit) : p));
    expect(verifyConsistency(size1, size2, tampered, root1, root2)).toBe(false);
  });
  expect(verifyConsistency(size1, size2, proof, flipBit(root1, bit), root2)).toBe(false);
  expect(verifyConsistency(size1, size2, proof, root1, flipBit(root2, bit))).toBe(false);
  expect(verifyConsistency(size1, size2, proof.slice(0, -1), root1, root2)).toBe(false);
  expect(verifyConsistency(size1, size2, [...proof, root2], root1, root2)).toBe(false);

  // Changed sizes: with the original roots, pass only where RFC 9162 runs the same
  // computation; with the roots of the new sizes, always fail.
  const delta = 1 + (shift % 5);
  for (const [s1, s2] of [
    [size1 + delta, size2],
    [size1 - delta, size2],
    [size1, size2 + delta],
    [size1, size2 - delta],
  ] as const) {
    if (s1 < 0 || s2 < 0) continue;
    const sameShape = consistencyShape(s1, s2, proof.length) === consistencyShape(size1, size2, proof.length);
    expect(verifyConsistency(s1, s2, proof, root1, root2)).toBe(sameShape);
    if (s1 <= s2 && s2 <= log.size) {
      expect(verifyConsistency(s1, s2, proof, log.root(s1), log.root(s2))).toBe(false);
    }
  }
}

describe('Merkle log properties', () => {
  it('small random trees: the root at every size equals merkleRoot, and every proof verifies', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 48 }), { maxLength: 70 }), (leaves) => {
        const log = buildLog(leaves);
        for (let size = 0; size <= leaves.length; size++) {
          expect(hex(log.root(size))).toBe(hex(merkleRoot(leaves.slice(0, size))));
        }
        const root = log.root();
        for (let index = 0; index < leaves.length; index++) {
          expect(verifyInclusion(log.leafHash(index), index, leaves.length, log.inclusionProof(index), root)).toBe(
            true,
          );
        }
        for (let size1 = 0; size1 <= leaves.length; size1++) {
          const proof = log.consistencyProof(size1);
          expect(verifyConsistency(size1, leaves.length, proof, log.root(size1), root)).toBe(true);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('random trees up to 10,000 leaves: sampled proofs verify and every tampering fails', () => {
    const sample = fc.record({
      at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
      from: fc.double({ min: 0, max: 1, noNaN: true }),
      bit: fc.nat(255),
      otherSize: fc.integer({ min: 1, max: MAX_LEAVES + 100 }),
    });
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: MAX_LEAVES })),
        fc.nat(1000),
        fc.array(sample, { minLength: 1, maxLength: 6 }),
        (size, seed, samples) => {
          const leaves = syntheticLeaves(size, seed);
          const log = buildLog(leaves);
          expect(hex(log.root())).toBe(hex(merkleRoot(leaves)));
          for (const { at, from, bit, otherSize } of samples) {
            const index = Math.floor(at * size);
            checkInclusion(log, index, size, bit, otherSize);
            checkInclusion(log, Math.floor(at * (index + 1)), index + 1, bit, otherSize);
            checkConsistency(log, Math.floor(from * size), size, bit, otherSize);
            checkConsistency(log, Math.max(1, Math.floor(from * index)), index + 1, bit, otherSize);
          }
        },
      ),
      { numRuns: 14 },
    );
  });

  it('a 10,000-leaf log: the root at every size is the one merkleRoot gives', () => {
    const leaves = syntheticLeaves(MAX_LEAVES, 77);
    const log = buildLog(leaves);
    const finalRoot = merkleRoot(leaves);
    expect(hex(log.root())).toBe(hex(finalRoot));
    // Direct comparison at sizes where trees change shape (powers of two and around them).
    for (const size of [0, 1, 2, 3, 255, 256, 257, 4095, 4096, 4097, 8191, 8192, 8193, 9999]) {
      expect(hex(log.root(size))).toBe(hex(merkleRoot(leaves.slice(0, size))));
    }
    // Every other size: merkleRoot per prefix would take 10^8 hashes, so each
    // root(size) is instead tied to merkleRoot(all leaves) by a consistency proof,
    // which the RFC verifier only accepts if root(size) is that prefix's MTH.
    for (let size = 1; size < MAX_LEAVES; size++) {
      const ok = verifyConsistency(size, MAX_LEAVES, log.consistencyProof(size), log.root(size), finalRoot);
      if (!ok) expect.fail(`root at size ${size} is not consistent with merkleRoot of all leaves`);
    }
  });

  it('RFC 9162 inclusion binds the size only through the path shape (documented behaviour)', () => {
    // Leaf 0 climbs the same left edge in trees of 5..8 leaves, so the 5-leaf proof
    // also passes for a claimed size 6 with the 5-leaf root. The root for size 6
    // differs, which is why roots must come from a signed checkpoint (size + root).
    const log = buildLog(syntheticLeaves(8, 5));
    const proof = log.inclusionProof(0, 5);
    expect(verifyInclusion(log.leafHash(0), 0, 6, proof, log.root(5))).toBe(true);
    expect(verifyInclusion(log.leafHash(0), 0, 6, proof, log.root(6))).toBe(false);
    expect(inclusionShape(0, 5)).toBe(inclusionShape(0, 6));
    expect(inclusionShape(0, 5)).not.toBe(inclusionShape(0, 9));
    expect(verifyInclusion(log.leafHash(0), 0, 9, proof, log.root(5))).toBe(false);
  });
});
