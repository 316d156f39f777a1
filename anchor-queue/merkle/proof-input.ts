// Screening of proofs that arrive from outside (receipts, ledgers, peers). The
// verifiers must answer false, never throw, whatever they are handed.
import { isHash } from './bytes';

/**
 * A proof for a tree of at most 2^53 - 1 leaves has at most 53 elements (54 once
 * RFC 9162 prepends the first root). Anything longer is rejected before hashing.
 */
export const MAX_PROOF_LENGTH = 64;

/**
 * A private copy of `proof` if it is an array of at most MAX_PROOF_LENGTH 32-byte
 * hashes, else undefined. Copying first means a caller-side getter or later
 * mutation cannot change what was checked.
 */
export function readProof(proof: unknown): Uint8Array[] | undefined {
  if (!Array.isArray(proof) || proof.length > MAX_PROOF_LENGTH) return undefined;
  const copy: Uint8Array[] = [];
  for (let i = 0; i < proof.length; i++) {
    const element: unknown = proof[i];
    if (!isHash(element)) return undefined;
    copy.push(Uint8Array.from(element));
  }
  return copy;
}

/** A private copy of a 32-byte hash, or undefined. */
export function readHash(value: unknown): Uint8Array | undefined {
  return isHash(value) ? Uint8Array.from(value) : undefined;
}
