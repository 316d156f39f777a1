// Public surface of anchor-queue (pure core): the RFC 6962 Merkle log, its proofs,
// signed checkpoints and leaf preimages. Other subsystems import only this file.

// Merkle tree and proofs (RFC 6962 / RFC 9162).
export { merkleRoot } from './merkle/root';
export { verifyInclusion } from './merkle/verify-inclusion';
export { verifyConsistency } from './merkle/verify-consistency';
export { MAX_PROOF_LENGTH } from './merkle/proof-input';
export { HASH_LENGTH } from './merkle/bytes';
export { rfc6962Hasher, createCountingHasher, type MerkleHasher, type CountingHasher } from './merkle/hasher';
export { MerkleLog, MerkleStoreCorruptError, type AppendedLeaf } from './merkle/log';
export type { MerkleNodeStore } from './merkle/node-store';
export { InMemoryMerkleNodeStore } from './merkle/memory-node-store';
export { MerkleFrontier, type FrontierNode } from './merkle/frontier';

// Signed notes and checkpoints (C2SP signed-note, tlog-checkpoint).
export type { NoteResult, NoteFailure, NoteErrorCode } from './checkpoint/result';
export {
  ED25519_SIGNATURE_TYPE,
  ed25519KeyId,
  formatKeyId,
  ed25519NoteSigner,
  ed25519NoteVerifier,
  formatVerifierKey,
  parseVerifierKey,
  type NoteSigner,
  type NoteVerifier,
} from './checkpoint/note-keys';
export {
  signNote,
  parseNote,
  verifyNote,
  MAX_NOTE_SIGNATURES,
  MAX_NOTE_BYTES,
  type NoteSignature,
  type ParsedNote,
  type NoteKeyRef,
  type VerifiedNote,
} from './checkpoint/signed-note';
export {
  formatCheckpoint,
  parseCheckpoint,
  signCheckpoint,
  verifyCheckpoint,
  type Checkpoint,
  type VerifiedCheckpoint,
} from './checkpoint/checkpoint';

// Leaf preimages.
export {
  LEAF_MAGIC,
  LEAF_VERSION,
  LEAF_SALT_LENGTH,
  LEAF_CONTENT_HASH_LENGTH,
  createLeafPreimage,
  newLeafSalt,
  leafData,
  encodeLeafData,
  LeafDataEncoder,
  leafHash,
  decodeLeafData,
  type LeafPreimage,
} from './leaf';

// Ledger adapters: the interface the outbox drives, and the EVM one (Ethereum, Besu).
// Unlike the modules above, these talk to the network and (local-evm) spawn processes.
export {
  LedgerRejectedError,
  ChainMismatchError,
  type Hex,
  type AnchorRequest,
  type PreparedTransaction,
  type BroadcastOutcome,
  type AnchorLocation,
  type Inclusion,
  type OnChainAnchor,
  type LedgerDescription,
  type LedgerAdapter,
} from './ledger/adapter';
export { EvmLedgerAdapter, type EvmLedgerConfig } from './ledger/evm-adapter';
export type { FeeMode } from './ledger/evm-fees';
export {
  deployAnchorContract,
  setAnchorSubmitter,
  type DeployOptions,
  type DeployedAnchorContract,
} from './ledger/deploy';
export { sijillAnchorArtifact } from './ledger/contract/sijill-anchor-artifact';
export { startLocalEvm, type LocalEvm, type LocalEvmOptions, type LocalEvmAccount } from './ledger/local-evm';

// The durable outbox and the queue that anchors it.
export {
  BATCH_STATES,
  type BatchState,
  type SubmissionState,
  type BatchTransition,
  type OutboxBatch,
} from './outbox/batch';
export { batchIdFor } from './outbox/batch-id';
export { StaleBatchError, type OutboxStore } from './outbox/store';
export { InMemoryOutboxStore } from './outbox/memory-store';
export { fullJitterDelay, type BackoffPolicy } from './outbox/backoff';
export {
  AnchorQueue,
  DEFAULT_BACKOFF,
  type AnchorQueueOptions,
  type AnchorQueueStatus,
  type AnchoredSummary,
} from './outbox/anchor-queue';

// Receipts: what a record's holder can verify offline.
export { ReceiptSchema, type Receipt } from './receipt/receipt';
export { verifyReceipt, receiptOrigin, type ReceiptCheck, type ReceiptVerification } from './receipt/verify-receipt';
