// The Merkle Tree Hash of RFC 9162 §2.1.1, written straight from its recursive
// definition. The log computes roots from stored subtrees instead; keeping this
// literal version makes it an independent reference for tests and small batches.
import { rfc6962Hasher, type MerkleHasher } from './hasher';
import { largestPowerOfTwoBelow } from './tree-math';

/**
 * MTH(D[n]) of a list of leaf DATA (each hashed as SHA-256(0x00 ‖ data)).
 * The empty list has root SHA-256(""). O(n) hashes.
 */
export function merkleRoot(leaves: readonly Uint8Array[], hasher: MerkleHasher = rfc6962Hasher): Uint8Array {
  if (!Array.isArray(leaves)) throw new TypeError('merkleRoot expects an array of Uint8Array leaves');
  const leafHashes = leaves.map((leaf, i) => {
    if (!(leaf instanceof Uint8Array)) throw new TypeError(`leaf ${i} is not a Uint8Array`);
    return hasher.hashLeaf(leaf);
  });
  if (leafHashes.length === 0) return hasher.emptyRoot();
  return subtreeHash(leafHashes, 0, leafHashes.length, hasher);
}

// MTH(D[start:end]) for end - start ≥ 1: split at the largest power of two below n.
function subtreeHash(leafHashes: Uint8Array[], start: number, end: number, hasher: MerkleHasher): Uint8Array {
  const n = end - start;
  if (n === 1) return leafHashes[start] as Uint8Array;
  const k = largestPowerOfTwoBelow(n);
  return hasher.hashChildren(
    subtreeHash(leafHashes, start, start + k, hasher),
    subtreeHash(leafHashes, start + k, end, hasher),
  );
}
