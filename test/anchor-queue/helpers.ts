// Shared test helpers for anchor-queue: hex, deterministic leaves, bit flips, and
// a hash-free description of what proof shape the RFC 9162 verifiers expect.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { InMemoryMerkleNodeStore, MerkleLog, type MerkleHasher } from '../../anchor-queue';

export const hex = (bytes: Uint8Array): string => bytesToHex(bytes);
export const unhex = (text: string): Uint8Array => hexToBytes(text);

/** `count` leaves of varied length (0..40 bytes, empty included), determined by `seed`. */
export function syntheticLeaves(count: number, seed: number): Uint8Array[] {
  const leaves: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const digest = sha256(new TextEncoder().encode(`leaf ${seed} ${i}`));
    const length = (i * 7 + seed) % 41;
    const leaf = new Uint8Array(length);
    for (let j = 0; j < length; j++) leaf[j] = digest[j % 32] as number;
    leaves.push(leaf);
  }
  return leaves;
}

export function buildLog(leaves: readonly Uint8Array[], hasher?: MerkleHasher): MerkleLog {
  const log = new MerkleLog(new InMemoryMerkleNodeStore(), hasher);
  for (const leaf of leaves) log.append(leaf);
  return log;
}

/** A copy of `bytes` with one bit inverted (bit is taken modulo the bit length). */
export function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  const position = bit % (copy.length * 8);
  copy[position >> 3] = (copy[position >> 3] as number) ^ (1 << (position & 7));
  return copy;
}

/**
 * The order (L = sibling on the left, R = on the right) in which RFC 9162 §2.1.3.2
 * folds an inclusion path for (index, size); its length is the only path length the
 * verifier accepts. Two (index, size) pairs with the same shape run the same hash
 * computation, so one proof verifies for both with the same root; any other pair
 * fails. Derived from the RFC's index arithmetic, without hashing.
 */
export function inclusionShape(index: number, size: number): string {
  if (index >= size) return 'invalid';
  let fn = index;
  let sn = size - 1;
  let shape = '';
  while (sn > 0) {
    if (fn % 2 === 1 || fn === sn) {
      shape += 'L';
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      shape += 'R';
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return shape;
}

/**
 * The same idea for RFC 9162 §2.1.4.2 with a proof of `proofLength` elements: whether
 * root1 is prepended, then per element B (folded into both roots) or S (second only).
 * 'invalid' when the verifier must reject that length; 'trivial' for the cases that
 * need an empty proof (size1 = 0 or size1 = size2).
 */
export function consistencyShape(size1: number, size2: number, proofLength: number): string {
  if (size1 > size2) return 'invalid';
  if (size1 === 0 || size1 === size2) return proofLength === 0 ? 'trivial' : 'invalid';
  if (proofLength === 0) return 'invalid';
  const prepend = Number.isInteger(Math.log2(size1));
  const elements = proofLength + (prepend ? 1 : 0);
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let shape = prepend ? 'P:' : 'N:';
  for (let i = 1; i < elements; i++) {
    if (sn === 0) return 'invalid';
    if (fn % 2 === 1 || fn === sn) {
      shape += 'B';
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      shape += 'S';
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? shape : 'invalid';
}
