// Offline verification of a receipt. Every check is reported, pass or fail, so a
// person can see exactly what holds; the receipt is valid only if all of them do.
// Pure: no database, no network (the on-chain check is a separate step).
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { verifyCheckpoint } from '../checkpoint/checkpoint';
import { parseVerifierKey } from '../checkpoint/note-keys';
import { leafHash } from '../leaf';
import { verifyConsistency } from '../merkle/verify-consistency';
import { verifyInclusion } from '../merkle/verify-inclusion';
import { batchIdFor } from '../outbox/batch-id';
import { ReceiptSchema, type Receipt } from './receipt';

export interface ReceiptCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ReceiptVerification {
  ok: boolean;
  checks: ReceiptCheck[];
  /** Present when the receipt parsed: what it proves. */
  summary?: {
    recordKind: string;
    recordId: string;
    leafIndex: number;
    treeSize: number;
    anchoredTreeSize: number | null;
  };
}

export const receiptOrigin = (deviceId: string) => `sijill.device/${deviceId}`;

/**
 * Verifies a receipt (parsed JSON). `trustedVerifierKey`, when given, pins the device
 * key instead of trusting the one inside the receipt.
 */
export function verifyReceipt(input: unknown, options: { trustedVerifierKey?: string } = {}): ReceiptVerification {
  const checks: ReceiptCheck[] = [];
  const add = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });
  const parsed = ReceiptSchema.safeParse(input);
  if (!parsed.success) {
    add(
      'format',
      false,
      `not a Sijill receipt: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
    return { ok: false, checks };
  }
  const r: Receipt = parsed.data;
  add('format', true, 'sijill-receipt v1');

  if (r.record) {
    const bytes = new TextEncoder().encode(r.record.canonical);
    const contentOk = bytesToHex(sha256(bytes)) === r.leaf.contentHash;
    add(
      'content hash',
      contentOk,
      contentOk ? 'the record hashes to the leaf content hash' : 'the record does not match the leaf content hash',
    );
    let sigOk: boolean;
    let keyMatches = false;
    try {
      sigOk = ed25519.verify(hexToBytes(r.record.signature), bytes, hexToBytes(r.record.authorKey));
      keyMatches = (JSON.parse(r.record.canonical) as { authorKey?: unknown }).authorKey === r.record.authorKey;
    } catch {
      sigOk = false; // malformed canonical JSON or key bytes
    }
    add(
      'author signature',
      sigOk && keyMatches,
      sigOk && keyMatches
        ? "signed by the author's key named in the record"
        : 'the signature or author key does not verify',
    );
  }

  const origin = receiptOrigin(r.leaf.originDeviceId);
  const verifierKey = options.trustedVerifierKey ?? r.checkpoint.verifierKey;
  const verifier = parseVerifierKey(verifierKey);
  if (options.trustedVerifierKey) {
    const same = options.trustedVerifierKey === r.checkpoint.verifierKey;
    add(
      'device key',
      same,
      same
        ? 'the receipt names the trusted device key'
        : 'the receipt names a different device key than the trusted one',
    );
  }
  if (!verifier.ok) {
    add('checkpoint signature', false, `device key unusable: ${verifier.message}`);
    return { ok: false, checks };
  }
  const cp = verifyCheckpoint(r.checkpoint.note, [verifier.value], origin);
  if (!cp.ok) {
    add('checkpoint signature', false, cp.message);
    return { ok: false, checks };
  }
  const { size, rootHash } = cp.value.checkpoint;
  add('checkpoint signature', true, `checkpoint of ${origin} at size ${size}, signed by the device key`);

  let leaf: Uint8Array | null = null;
  try {
    leaf = leafHash({
      originDeviceId: r.leaf.originDeviceId,
      recordKind: r.leaf.recordKind,
      recordId: r.leaf.recordId,
      contentHash: hexToBytes(r.leaf.contentHash),
      salt: hexToBytes(r.leaf.salt),
    });
  } catch (e) {
    add('leaf', false, `invalid leaf preimage: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (leaf) {
    const included = verifyInclusion(
      leaf,
      r.leaf.index,
      size,
      r.inclusionProof.map((h) => hexToBytes(h)),
      rootHash,
    );
    add(
      'inclusion',
      included,
      included
        ? `leaf ${r.leaf.index} is in the log of size ${size}`
        : 'the inclusion proof does not lead to the checkpoint root',
    );
  }

  let anchoredSize: number | null = null;
  if (r.anchored) {
    const acp = verifyCheckpoint(r.anchored.checkpointNote, [verifier.value], origin);
    if (!acp.ok) add('anchored checkpoint', false, acp.message);
    else {
      anchoredSize = acp.value.checkpoint.size;
      const aroot = acp.value.checkpoint.rootHash;
      const consistent =
        anchoredSize === size
          ? bytesToHex(aroot) === bytesToHex(rootHash) && r.anchored.consistencyProof.length === 0
          : verifyConsistency(
              size,
              anchoredSize,
              r.anchored.consistencyProof.map((h) => hexToBytes(h)),
              rootHash,
              aroot,
            );
      add(
        'consistency',
        consistent,
        consistent
          ? `the checkpoint at ${size} is a prefix of the anchored one at ${anchoredSize}`
          : 'the consistency proof does not hold',
      );
      const batchOk = batchIdFor(origin, anchoredSize, aroot) === r.anchored.anchor.batchId;
      add(
        'batch id',
        batchOk,
        batchOk
          ? 'the anchor names the anchored checkpoint'
          : 'the anchor batch id does not match the anchored checkpoint',
      );
    }
  }

  return {
    ok: checks.every((c) => c.ok),
    checks,
    summary: {
      recordKind: r.leaf.recordKind,
      recordId: r.leaf.recordId,
      leafIndex: r.leaf.index,
      treeSize: size,
      anchoredTreeSize: anchoredSize,
    },
  };
}
