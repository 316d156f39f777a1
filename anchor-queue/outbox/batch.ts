// One outbox row: a sealed checkpoint on its way to the ledger, and everything needed
// to carry on after a crash. Plain JSON-able data (hex strings, numbers) so any store
// can keep it as columns or as a JSON document.
import type { Hex } from '../ledger/adapter';

/**
 * Where a batch is. The happy path is sealed → submitted → included → final.
 * - sealed: waiting to be sent; nothing signed yet.
 * - submitted: a signed transaction is persisted (rawTx); see SubmissionState.
 * - included: in a block (blockNumber, blockHash, logIndex), not yet deep enough.
 * - final: `confirmations` blocks deep. Terminal.
 * - superseded: a newer checkpoint of the same log (supersededBy) was enqueued before this
 *   one was sent; anchoring the newer root covers it (a consistency proof ties the two).
 *   Terminal.
 * - failed: the ledger holds different data under this batch id (see LedgerRejectedError).
 *   Terminal; a person must look.
 * A reorg moves included back to submitted (or to sealed, when the anchor was found on
 * chain rather than sent by us).
 */
export type BatchState = 'sealed' | 'submitted' | 'included' | 'final' | 'superseded' | 'failed';

export const BATCH_STATES: readonly BatchState[] = ['sealed', 'submitted', 'included', 'final', 'superseded', 'failed'];

/**
 * While submitted, what we know of the transaction:
 * - signed: persisted, and not known to have reached the node (a crash may have come
 *   before or after the broadcast; re-sending the same bytes is safe either way);
 * - pending: the node has it in its pool;
 * - unknown: the node cannot tell us about it (evicted, node restarted, reorged out).
 *   The same persisted bytes are sent again; a new transaction is signed only once the
 *   persisted one provably cannot land (its nonce is spent and it is not on chain).
 */
export type SubmissionState = 'signed' | 'pending' | 'unknown';

export interface BatchTransition {
  /** Clock time (ms since the epoch). */
  at: number;
  from: BatchState | null;
  to: BatchState;
  submission?: SubmissionState;
  /** Why, in a few words (e.g. "reorged out of block 1234"). */
  note?: string;
}

export interface OutboxBatch {
  /** SHA-256(utf8(origin) ‖ u64be(treeSize) ‖ root), see batchIdFor. Primary key. */
  batchId: Hex;
  origin: string;
  treeSize: number;
  root: Hex;
  /** The signed checkpoint note, kept for receipts. */
  checkpointNote: string;
  state: BatchState;
  /** Set only while state is 'submitted'. */
  submission?: SubmissionState;
  /** Incremented by every write; the store refuses a write based on a stale version. */
  version: number;
  /** Consecutive failed attempts since the last progress (drives the backoff). */
  attempts: number;
  /** Not worked on before this clock time. */
  nextAttemptAt: number;
  enqueuedAt: number;

  /** The persisted signed transaction and its hash and nonce (submitted onwards). */
  rawTx?: Hex;
  txHash?: Hex;
  nonce?: number;

  /** Where the Anchored event is (included and final). anchorTxHash differs from
   * txHash when the anchor was found on chain instead of sent by this transaction. */
  blockNumber?: number;
  blockHash?: Hex;
  logIndex?: number;
  anchorTxHash?: Hex;
  finalAt?: number;

  supersededBy?: Hex;
  lastError?: string;
  history: BatchTransition[];
}
