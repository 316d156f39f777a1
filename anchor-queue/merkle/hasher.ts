// RFC 6962 / RFC 9162 §2.1.1 hashing. The 0x00 / 0x01 prefixes keep a leaf from
// ever being mistaken for an interior node (second-preimage protection).
import { sha256 } from '@noble/hashes/sha2.js';

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

/**
 * The three hash operations a Merkle log needs. Behind an interface so tests can
 * count them (to prove the log is O(log n)) without touching the algorithms.
 */
export interface MerkleHasher {
  /** SHA-256(0x00 ‖ data): the hash of one leaf's data. */
  hashLeaf(data: Uint8Array): Uint8Array;
  /** SHA-256(0x01 ‖ left ‖ right): the hash of an interior node. */
  hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array;
  /** SHA-256 of the empty string: the root of a tree with no leaves. */
  emptyRoot(): Uint8Array;
}

function prefixed(prefix: number, ...parts: Uint8Array[]): Uint8Array {
  let length = 1;
  for (const part of parts) length += part.length;
  const buffer = new Uint8Array(length);
  buffer[0] = prefix;
  let offset = 1;
  for (const part of parts) {
    buffer.set(part, offset);
    offset += part.length;
  }
  return buffer;
}

export const rfc6962Hasher: MerkleHasher = {
  hashLeaf: (data) => sha256(prefixed(LEAF_PREFIX, data)),
  hashChildren: (left, right) => sha256(prefixed(NODE_PREFIX, left, right)),
  emptyRoot: () => sha256(new Uint8Array(0)),
};

/** A hasher that counts every hash it computes, for complexity tests and metrics. */
export interface CountingHasher extends MerkleHasher {
  /** Hash operations since creation or the last reset(). */
  readonly count: number;
  reset(): void;
}

export function createCountingHasher(inner: MerkleHasher = rfc6962Hasher): CountingHasher {
  let count = 0;
  return {
    hashLeaf(data) {
      count++;
      return inner.hashLeaf(data);
    },
    hashChildren(left, right) {
      count++;
      return inner.hashChildren(left, right);
    },
    emptyRoot() {
      count++;
      return inner.emptyRoot();
    },
    get count() {
      return count;
    },
    reset() {
      count = 0;
    },
  };
}
