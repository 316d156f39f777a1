// A real receipt, built with the anchor-queue's own primitives (leaf, Merkle log,
// signed checkpoints, batch id) and signed with throwaway keys: the renderer's models
// are tested against what the host really sends, not against a guess of its shape.
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import {
  batchIdFor,
  ed25519NoteSigner,
  formatVerifierKey,
  InMemoryMerkleNodeStore,
  leafData,
  MerkleLog,
  ReceiptSchema,
  receiptOrigin,
  signCheckpoint,
  type Receipt,
} from '../../anchor-queue';

const DEVICE_ID = 'dev-7f3a';
const deviceSeed = sha256(new TextEncoder().encode('test device key'));
const authorSeed = sha256(new TextEncoder().encode('test author key'));

const hex = (bytes: Uint8Array) => bytesToHex(bytes);

export interface FixtureOptions {
  /** Leaf index of the entry (the log has `checkpointSize` leaves at its checkpoint). */
  index?: number;
  checkpointSize?: number;
  /** Anchored at this larger (or equal) size; null for an unanchored receipt. */
  anchoredSize?: number | null;
}

export function buildReceipt({ index = 2, checkpointSize = 5, anchoredSize = 8 }: FixtureOptions = {}): Receipt {
  const origin = receiptOrigin(DEVICE_ID);
  const devicePublic = ed25519.getPublicKey(deviceSeed);
  const signer = ed25519NoteSigner(origin, deviceSeed);
  const authorKey = hex(ed25519.getPublicKey(authorSeed));
  const canonical = JSON.stringify({ id: 'entry-42', kind: 'vitals', body: { heartRate: 88 }, authorKey });
  const canonicalBytes = new TextEncoder().encode(canonical);
  const salt = sha256(new TextEncoder().encode('salt'));

  const log = new MerkleLog(new InMemoryMerkleNodeStore());
  const total = Math.max(checkpointSize, anchoredSize ?? 0);
  for (let i = 0; i < total; i++) {
    if (i === index) {
      // The log hashes its leaves (RFC 6962): it is given the leaf data.
      log.append(
        leafData({
          originDeviceId: DEVICE_ID,
          recordKind: 'entry',
          recordId: 'entry-42',
          contentHash: sha256(canonicalBytes),
          salt,
        }),
      );
    } else {
      log.append(sha256(new TextEncoder().encode(`other leaf ${i}`)));
    }
  }
  const note = signCheckpoint({ origin, size: checkpointSize, rootHash: log.root(checkpointSize) }, [signer]);
  let anchored: Receipt['anchored'] = null;
  if (anchoredSize !== null) {
    const root = log.root(anchoredSize);
    anchored = {
      checkpointNote: signCheckpoint({ origin, size: anchoredSize, rootHash: root }, [signer]),
      consistencyProof: log.consistencyProof(checkpointSize, anchoredSize).map(hex),
      anchor: {
        chainId: 1337,
        contract: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
        batchId: batchIdFor(origin, anchoredSize, root),
        txHash: `0x${'ab'.repeat(32)}`,
        blockNumber: 12,
        blockHash: `0x${'cd'.repeat(32)}`,
      },
    };
  }
  return ReceiptSchema.parse({
    format: 'sijill-receipt',
    version: 1,
    record: { canonical, signature: hex(ed25519.sign(canonicalBytes, authorSeed)), authorKey },
    leaf: {
      originDeviceId: DEVICE_ID,
      recordKind: 'entry',
      recordId: 'entry-42',
      contentHash: hex(sha256(canonicalBytes)),
      salt: hex(salt),
      index,
    },
    checkpoint: { note, verifierKey: formatVerifierKey(origin, devicePublic) },
    inclusionProof: log.inclusionProof(index, checkpointSize).map(hex),
    anchored,
  });
}

/** A JSON round trip: the receipt as the renderer receives it over the wire. */
export function asWire(receipt: Receipt): Record<string, unknown> {
  return JSON.parse(JSON.stringify(receipt)) as Record<string, unknown>;
}
