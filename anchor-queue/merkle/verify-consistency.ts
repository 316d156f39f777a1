// RFC 9162 §2.1.4.2 "Verifying Consistency between Two Tree Heads", step by step,
// plus the two trivial cases the RFC leaves out (equal sizes, empty first tree).
import { bytesEqual } from './bytes';
import { rfc6962Hasher } from './hasher';
import { readHash, readProof } from './proof-input';
import { halve, isOdd, isPowerOfTwo, isTreeSize } from './tree-math';

const EMPTY_TREE_ROOT = rfc6962Hasher.emptyRoot();

/**
 * True iff `proof` shows that the tree of `size1` leaves with root `root1` is a
 * prefix of the tree of `size2` leaves with root `root2` (the log only appended).
 * Never throws: anything malformed is simply false.
 *
 * - size1 = size2: the proof must be empty and the roots equal.
 * - size1 = 0: the proof must be empty and root1 must be the empty-tree root
 *   SHA-256(""); every tree extends the empty one.
 * - 0 < size1 < size2: the RFC algorithm; an empty proof fails.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): boolean {
  try {
    const firstHash = readHash(root1);
    const secondHash = readHash(root2);
    const path = readProof(proof);
    if (!firstHash || !secondHash || !path || !isTreeSize(size1) || !isTreeSize(size2)) return false;
    if (size1 > size2) return false;
    if (size1 === size2) return path.length === 0 && bytesEqual(firstHash, secondHash);
    if (size1 === 0) return path.length === 0 && bytesEqual(firstHash, EMPTY_TREE_ROOT);

    // 1. An empty path proves nothing.
    if (path.length === 0) return false;
    // 2. When the first tree is a perfect subtree of the second, its root is the
    //    first node of the path.
    if (isPowerOfTwo(size1)) path.unshift(firstHash);
    // 3.
    let fn = size1 - 1;
    let sn = size2 - 1;
    // 4. Climb past the levels where the first tree's last leaf is a right child.
    while (isOdd(fn)) {
      fn = halve(fn);
      sn = halve(sn);
    }
    // 5.
    let fr = path[0] as Uint8Array;
    let sr = fr;
    // 6.
    for (let i = 1; i < path.length; i++) {
      const c = path[i] as Uint8Array;
      // 6a.
      if (sn === 0) return false;
      if (isOdd(fn) || fn === sn) {
        // 6b. c is a left sibling shared by both trees.
        fr = rfc6962Hasher.hashChildren(c, fr);
        sr = rfc6962Hasher.hashChildren(c, sr);
        if (!isOdd(fn)) {
          while (!isOdd(fn) && fn !== 0) {
            fn = halve(fn);
            sn = halve(sn);
          }
        }
      } else {
        // c is a right sibling that only the second tree has.
        sr = rfc6962Hasher.hashChildren(sr, c);
      }
      // 6c.
      fn = halve(fn);
      sn = halve(sn);
    }
    // 7.
    return sn === 0 && bytesEqual(fr, firstHash) && bytesEqual(sr, secondHash);
  } catch {
    // Only exotic objects (proxies, throwing getters) get here: invalid input.
    return false;
  }
}
