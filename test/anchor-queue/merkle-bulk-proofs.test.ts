// Bulk inclusion proofs: identical to one-by-one proofs, and the right-edge subtree
// hashes of an unbalanced tree are computed once for all leaves, not once per leaf.
import { describe, expect, it } from 'vitest';
import { createCountingHasher, InMemoryMerkleNodeStore, MerkleLog, verifyInclusion } from '../../anchor-queue';

function logOf(n: number) {
  const hasher = createCountingHasher();
  const log = new MerkleLog(new InMemoryMerkleNodeStore(), hasher);
  for (let i = 0; i < n; i++) log.append(new TextEncoder().encode(`leaf ${i}`));
  return { log, hasher };
}

describe('MerkleLog.inclusionProofs', () => {
  it('yields exactly the proofs inclusionProof gives, for every size and range', () => {
    const { log } = logOf(37);
    for (const size of [1, 2, 5, 8, 13, 32, 37]) {
      const bulk = [...log.inclusionProofs(size)];
      expect(bulk).toHaveLength(size);
      bulk.forEach((proof, i) => {
        expect(proof).toEqual(log.inclusionProof(i, size));
        expect(verifyInclusion(log.leafHash(i), i, size, proof, log.root(size))).toBe(true);
      });
      expect([...log.inclusionProofs(size, 1, Math.min(3, size))]).toEqual(bulk.slice(1, Math.min(3, size)));
    }
  });

  it('hashes each right-edge subtree once for the whole range', () => {
    const { log, hasher } = logOf(1000); // 1000 = 512 + 256 + 128 + 64 + 32 + 8: an unbalanced right edge
    let before = hasher.count;
    for (let i = 0; i < 1000; i++) log.inclusionProof(i, 1000);
    const oneByOne = hasher.count - before;
    before = hasher.count;
    for (const proof of log.inclusionProofs(1000)) expect(proof.length).toBeGreaterThan(0);
    const bulk = hasher.count - before;
    expect(bulk).toBeLessThanOrEqual(Math.ceil(Math.log2(1000)) ** 2);
    expect(bulk * 50).toBeLessThan(oneByOne);
  });

  it('refuses a range outside the tree', () => {
    const { log } = logOf(4);
    expect(() => [...log.inclusionProofs(4, 2, 5)]).toThrow(RangeError);
    expect(() => [...log.inclusionProofs(5)]).toThrow(RangeError);
  });
});
