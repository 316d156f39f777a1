// The batch id names one checkpoint (origin, tree size, root) on the ledger and in the
// outbox. Computing it from the checkpoint, not allocating it, is what makes anchoring
// idempotent: a restarted queue, a second device or an auditor all derive the same id.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import type { Hex } from '../ledger/adapter';

/**
 * batchId = SHA-256( utf8(origin) ‖ u64be(treeSize) ‖ root )
 *
 * - utf8(origin): the checkpoint's origin line, UTF-8, no terminator;
 * - u64be(treeSize): the tree size as 8 bytes, big-endian;
 * - root: the 32-byte RFC 6962 root.
 * The two trailing fields have fixed length, so the origin needs no length prefix: the
 * last 40 bytes of the preimage are always size and root, and distinct checkpoints
 * cannot share a preimage. Returned as 0x + 64 lower-case hex digits (a bytes32).
 */
export function batchIdFor(origin: string, treeSize: number, root: Uint8Array): Hex {
  if (origin.length === 0) throw new TypeError('origin must be a non-empty string');
  if (!Number.isSafeInteger(treeSize) || treeSize < 0)
    throw new RangeError(`tree size must be a leaf count, got ${treeSize}`);
  if (!(root instanceof Uint8Array) || root.length !== 32) throw new TypeError('root must be 32 bytes');
  const originBytes = new TextEncoder().encode(origin);
  const preimage = new Uint8Array(originBytes.length + 8 + 32);
  preimage.set(originBytes, 0);
  new DataView(preimage.buffer).setBigUint64(originBytes.length, BigInt(treeSize), false);
  preimage.set(root, originBytes.length + 8);
  return toHex(sha256(preimage));
}

export function toHex(bytes: Uint8Array): Hex {
  return `0x${bytesToHex(bytes)}`;
}

export function fromHex(hex: Hex): Uint8Array {
  return hexToBytes(hex.slice(2));
}
