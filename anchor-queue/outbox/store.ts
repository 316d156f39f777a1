// Where the outbox keeps its batches. Synchronous on purpose: the host's store is a
// better-sqlite3 table, and enqueueing a checkpoint must be a plain local write that
// never waits on the network (recording never waits on anchoring).
import type { BatchState, OutboxBatch } from './batch';

/**
 * Durable storage for outbox batches.
 *
 * ONE TRANSITION = ONE ATOMIC WRITE
 * The queue persists every step of the state machine with a single `write` call, and
 * performs the ledger side effect that follows (broadcast, …) only after `write` has
 * returned. So after a crash the store holds either the old or the new state of each
 * batch, never a mix, and a signed transaction is always on disk before it can reach
 * the ledger. `write` of several batches (enqueue + superseding older ones) must commit
 * all of them or none: in SQLite, one transaction around all the statements.
 *
 * OPTIMISTIC CONCURRENCY
 * Each batch carries `version`. `write` stores a batch with version v only if the
 * stored row has version v - 1 (for v = 1: no row with that batchId exists); otherwise
 * it throws and writes nothing. In SQLite:
 *   INSERT INTO anchor_outbox (...) VALUES (...)                  -- version 1, plain INSERT
 *   UPDATE anchor_outbox SET ..., version = v WHERE batch_id = ? AND version = v - 1
 *     -- and throw (rolling back) unless exactly one row changed.
 * This keeps a stale queue instance (e.g. one still running after a restart made a new
 * one) from overwriting newer state.
 *
 * ROWS
 * Keep every field of OutboxBatch (e.g. indexed columns batch_id PRIMARY KEY, origin,
 * tree_size, state, enqueued_at, final_at, plus the whole batch as a JSON document).
 * Rows are never deleted: final rows are the anchors that receipts point to. Return
 * fresh objects: the queue may modify what it reads before writing it back.
 *
 * ORDER
 * listInStates returns batches by enqueuedAt, then batchId, ascending.
 */
export interface OutboxStore {
  get(batchId: string): OutboxBatch | undefined;
  listInStates(states: readonly BatchState[]): OutboxBatch[];
  /** The batch of `origin` in one of `states` with the largest tree size. */
  largestForOrigin(origin: string, states: readonly BatchState[]): OutboxBatch | undefined;
  countByState(): Record<BatchState, number>;
  /** The final batch with the latest finalAt. */
  latestFinal(): OutboxBatch | undefined;
  write(batches: readonly OutboxBatch[]): void;
}

/** Thrown by a store when a write's version does not follow the stored one. */
export class StaleBatchError extends Error {
  override readonly name = 'StaleBatchError';
  constructor(batchId: string, expected: number, found: number | undefined) {
    super(
      found === undefined
        ? `batch ${batchId} version ${expected + 1} written, but no such batch is stored`
        : `batch ${batchId} is at version ${found}, not ${expected}: another writer got there first`,
    );
  }
}
