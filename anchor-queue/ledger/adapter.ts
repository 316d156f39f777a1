// What the anchor queue needs from a ledger. The queue owns durability and retries;
// an adapter only talks to the ledger and tells transient trouble (throw anything)
// from answers that retrying cannot change (throw LedgerRejectedError).

/** 0x-prefixed hex, as EVM JSON-RPC uses; 32-byte values have 64 digits. Compare case-insensitively. */
export type Hex = `0x${string}`;

/** One batch to anchor: the outbox's batch id and the checkpoint it stands for. */
export interface AnchorRequest {
  batchId: Hex;
  root: Hex;
  treeSize: number;
}

/**
 * A signed transaction, not yet sent. The caller persists it BEFORE broadcasting, so
 * after a crash it re-sends these exact bytes instead of signing a second transaction.
 */
export interface PreparedTransaction {
  rawTx: Hex;
  txHash: Hex;
  /** The account nonce the transaction uses: at most one transaction per nonce can land. */
  nonce: number;
}

/**
 * How the ledger took a broadcast:
 * - accepted: it is in the node's pool now;
 * - already-known: the node had it already (a resend after a lost reply, say);
 * - nonce-used: the account's nonce has moved past this transaction's nonce. Either this
 *   very transaction was mined (look it up) or another one took the nonce, and then this
 *   one can never land.
 * Anything else (unreachable node, fee too low, unfunded account) is thrown.
 */
export type BroadcastOutcome = 'accepted' | 'already-known' | 'nonce-used';

/** Where an Anchored event sits on the chain. */
export interface AnchorLocation {
  txHash: Hex;
  blockNumber: number;
  blockHash: Hex;
  logIndex: number;
}

/**
 * What the ledger knows about one transaction:
 * - pending: in the node's pool, not mined;
 * - dropped: the node does not know it (never arrived, evicted, or reorged out and not
 *   re-pooled); resending the same bytes is safe;
 * - included: mined and successful. `anchor` is where its Anchored event is, or null when
 *   the call was an idempotent no-op because the batch was already anchored (then
 *   findAnchor tells where);
 * - reverted: mined and failed; the nonce is spent.
 */
export type Inclusion =
  | { status: 'pending' }
  | { status: 'dropped' }
  | { status: 'included'; blockNumber: number; blockHash: Hex; anchor: AnchorLocation | null }
  | { status: 'reverted'; blockNumber: number; blockHash: Hex };

/** An anchor as recorded on the ledger, found by batch id. */
export interface OnChainAnchor extends AnchorLocation {
  batchId: Hex;
  root: Hex;
  treeSize: number;
  submitter: Hex;
}

export interface LedgerDescription {
  kind: string;
  chainId: number;
  contractAddress: Hex;
  /** The clinic's ledger account (an address, never a key). */
  account: Hex;
}

export interface LedgerAdapter {
  describe(): LedgerDescription;
  /**
   * True when the ledger answers and is the configured one. Never true for the wrong
   * chain; may throw (e.g. ChainMismatchError) to say why it is not usable.
   */
  isReachable(): Promise<boolean>;
  /** Signs an anchor transaction for the account's next nonce. Sends nothing. */
  prepare(request: AnchorRequest): Promise<PreparedTransaction>;
  broadcast(rawTx: Hex): Promise<BroadcastOutcome>;
  getInclusion(txHash: Hex, batchId: Hex): Promise<Inclusion>;
  /**
   * Blocks on the canonical chain from blockNumber to the head, both included (1 = in
   * the head block), or 'reorged' when blockHash is no longer the canonical block there.
   */
  confirmations(blockNumber: number, blockHash: Hex): Promise<number | 'reorged'>;
  /** The on-chain anchor for batchId, if any: how a restarted queue avoids anchoring twice. */
  findAnchor(batchId: Hex): Promise<OnChainAnchor | undefined>;
}

/**
 * The ledger refuses the anchor for a reason retrying cannot fix on its own.
 * - conflict: the batch id is already anchored with another root or size. The batch id
 *   commits to (origin, size, root), so this means someone else wrote our id with wrong
 *   data (possible on a chain without the submitter allow-list). Permanent: the batch
 *   fails and a person must look; the next checkpoint gets a fresh batch id.
 * - not-permitted: the account is not on the contract's allow-list. The queue keeps
 *   retrying with backoff, so granting the permission later is enough.
 */
export class LedgerRejectedError extends Error {
  override readonly name = 'LedgerRejectedError';
  constructor(
    readonly reason: 'conflict' | 'not-permitted',
    message: string,
  ) {
    super(message);
  }
}

/** The node answers for another chain than configured: nothing is signed or sent to it. */
export class ChainMismatchError extends Error {
  override readonly name = 'ChainMismatchError';
  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`the ledger node is chain ${actual}, but chain ${expected} is configured`);
  }
}
