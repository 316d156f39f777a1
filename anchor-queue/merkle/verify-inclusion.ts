// RFC 9162 §2.1.3.2 "Verifying an Inclusion Proof", step by step.
import { bytesEqual } from './bytes';
import { rfc6962Hasher } from './hasher';
import { readHash, readProof } from './proof-input';
import { halve, isOdd, isTreeSize } from './tree-math';

/**
 * True iff `proof` shows that the leaf with hash `leafHash` (SHA-256(0x00 ‖ data),
 * not the data) is at 0-based `index` in the tree of `treeSize` leaves whose root
 * is `root`. Never throws: anything malformed is simply false.
 *
 * As in the RFC, the size is bound only through the shape of the path: a proof can
 * also pass for another size whose path has the same shape, with the SAME root. A
 * root is therefore only meaningful together with the size it was signed with
 * (a checkpoint).
 */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  try {
    const leaf = readHash(leafHash);
    const expectedRoot = readHash(root);
    const path = readProof(proof);
    if (!leaf || !expectedRoot || !path || !isTreeSize(index) || !isTreeSize(treeSize)) return false;
    // 1. leaf_index must be below tree_size.
    if (index >= treeSize) return false;
    // 2. fn = leaf_index, sn = tree_size - 1.
    let fn = index;
    let sn = treeSize - 1;
    // 3. r = hash.
    let r = leaf;
    // 4. Fold in each path element.
    for (const p of path) {
      // 4a. A path longer than the tree is deep fails.
      if (sn === 0) return false;
      if (isOdd(fn) || fn === sn) {
        // 4b. The sibling is on the left.
        r = rfc6962Hasher.hashChildren(p, r);
        // Skip the levels where this node is a lone right-edge child (no sibling).
        if (!isOdd(fn)) {
          while (!isOdd(fn) && fn !== 0) {
            fn = halve(fn);
            sn = halve(sn);
          }
        }
      } else {
        // Otherwise the sibling is on the right.
        r = rfc6962Hasher.hashChildren(r, p);
      }
      // 4c.
      fn = halve(fn);
      sn = halve(sn);
    }
    // 5. The path must reach the root exactly, and produce the expected hash.
    return sn === 0 && bytesEqual(r, expectedRoot);
  } catch {
    // Validation above covers ordinary input; this only catches exotic objects
    // (proxies, throwing getters), which are as invalid as any other bad proof.
    return false;
  }
}
