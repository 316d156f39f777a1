// RFC 6962 known answers from transparency-dev/merkle (test/fixtures/merkle/SOURCES.md),
// reproduced by the log, by merkleRoot, and checked by the verify functions.
import { describe, expect, it } from 'vitest';
import vectors from '../fixtures/merkle/rfc6962_vectors.json';
import { merkleRoot, rfc6962Hasher, verifyConsistency, verifyInclusion } from '../../anchor-queue';
import { buildLog, hex, unhex } from './helpers';

const leaves = vectors.leaf_inputs_hex.map(unhex);
const log = buildLog(leaves);

describe('RFC 6962 vectors', () => {
  it('covers the tree sizes and proofs the fixture promises', () => {
    expect(leaves).toHaveLength(8);
    expect(vectors.roots.map((r) => r.tree_size)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(vectors.inclusion_proofs).toHaveLength(2);
    expect(vectors.consistency_proofs).toHaveLength(2);
  });

  it.each(vectors.roots)('root of $tree_size leaves from merkleRoot and from the log', ({ tree_size, root }) => {
    expect(hex(merkleRoot(leaves.slice(0, tree_size)))).toBe(root);
    expect(hex(log.root(tree_size))).toBe(root);
  });

  it('the empty tree root is SHA-256 of the empty string', () => {
    expect(hex(rfc6962Hasher.emptyRoot())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it.each(vectors.inclusion_proofs)(
    'inclusion proof for leaf $leaf_index of $tree_size',
    ({ leaf_index, tree_size, proof, root }) => {
      expect(log.inclusionProof(leaf_index, tree_size).map(hex)).toEqual(proof);
      const leafHash = rfc6962Hasher.hashLeaf(leaves[leaf_index] as Uint8Array);
      expect(hex(log.leafHash(leaf_index))).toBe(hex(leafHash));
      expect(verifyInclusion(leafHash, leaf_index, tree_size, proof.map(unhex), unhex(root))).toBe(true);
      // The same proof does not prove the neighbouring leaf.
      const neighbour = rfc6962Hasher.hashLeaf(leaves[leaf_index - 1] as Uint8Array);
      expect(verifyInclusion(neighbour, leaf_index, tree_size, proof.map(unhex), unhex(root))).toBe(false);
    },
  );

  it.each(vectors.consistency_proofs)(
    'consistency proof from $size1 to $size2',
    ({ size1, size2, proof, root1, root2 }) => {
      expect(log.consistencyProof(size1, size2).map(hex)).toEqual(proof);
      expect(verifyConsistency(size1, size2, proof.map(unhex), unhex(root1), unhex(root2))).toBe(true);
      expect(verifyConsistency(size1, size2, proof.map(unhex), unhex(root2), unhex(root1))).toBe(false);
    },
  );

  it('every inclusion and consistency proof of the 8-leaf tree verifies against the vector roots', () => {
    const roots = vectors.roots.map((r) => unhex(r.root));
    let checked = 0;
    for (let size = 1; size <= 8; size++) {
      for (let index = 0; index < size; index++) {
        const proof = log.inclusionProof(index, size);
        expect(verifyInclusion(log.leafHash(index), index, size, proof, roots[size] as Uint8Array)).toBe(true);
        checked++;
      }
      for (let size1 = 0; size1 <= size; size1++) {
        const proof = log.consistencyProof(size1, size);
        expect(verifyConsistency(size1, size, proof, roots[size1] as Uint8Array, roots[size] as Uint8Array)).toBe(true);
        checked++;
      }
    }
    expect(checked).toBe(36 + 44);
  });
});
