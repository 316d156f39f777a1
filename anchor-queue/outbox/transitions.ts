// The outbox state machine as pure functions from one batch record to the next. The
// queue writes each result with one OutboxStore.write, so every arrow below is atomic.
import type { BatchState, OutboxBatch, SubmissionState } from './batch';

/**
 * Allowed moves. submitted → submitted is a change of SubmissionState; → sealed happens
 * when our transaction provably cannot anchor the batch (it reverted, or its nonce went
 * to another transaction) so a new one must be signed; included → submitted/sealed is a
 * reorg.
 */
const ALLOWED: Record<BatchState, readonly BatchState[]> = {
  sealed: ['submitted', 'included', 'superseded', 'failed'],
  submitted: ['submitted', 'included', 'sealed', 'failed'],
  included: ['final', 'submitted', 'sealed', 'failed'],
  final: [],
  superseded: [],
  failed: [],
};

/** Enough to follow a batch's story, bounded so a flapping node cannot grow a row forever. */
const MAX_HISTORY = 64;

/** Fields that belong to a state and must not survive leaving it. */
const SUBMISSION_FIELDS = ['submission', 'rawTx', 'txHash', 'nonce'] as const;
const INCLUSION_FIELDS = ['blockNumber', 'blockHash', 'logIndex', 'anchorTxHash'] as const;

export class IllegalTransitionError extends Error {
  override readonly name = 'IllegalTransitionError';
}

export interface TransitionChanges extends Partial<Omit<OutboxBatch, 'state' | 'version' | 'history' | 'batchId'>> {
  submission?: SubmissionState;
}

/**
 * The batch moved to `to` at time `at`: progress, so attempts and lastError reset and the
 * batch is due at once, unless `changes` says otherwise.
 */
export function transition(
  batch: OutboxBatch,
  to: BatchState,
  at: number,
  changes: TransitionChanges = {},
  note?: string,
): OutboxBatch {
  if (!ALLOWED[batch.state].includes(to)) {
    throw new IllegalTransitionError(`batch ${batch.batchId} cannot go from ${batch.state} to ${to}`);
  }
  const next: OutboxBatch = {
    ...batch,
    attempts: 0,
    nextAttemptAt: at,
    ...changes,
    state: to,
    version: batch.version + 1,
  };
  if (!('lastError' in changes)) delete next.lastError;
  if (to !== 'submitted') delete next.submission;
  if (to === 'sealed') SUBMISSION_FIELDS.forEach((f) => delete next[f]);
  if (to === 'sealed' || to === 'submitted') INCLUSION_FIELDS.forEach((f) => delete next[f]);
  if (to === 'submitted' && next.submission === undefined) {
    throw new IllegalTransitionError(`batch ${batch.batchId}: a submitted batch needs a submission state`);
  }
  next.history = appendHistory(batch.history, {
    at,
    from: batch.state,
    to,
    ...(next.submission ? { submission: next.submission } : {}),
    ...(note ? { note } : {}),
  });
  return next;
}

/** The attempt failed: same state, one more attempt, retry after `delayMs`. */
export function withError(batch: OutboxBatch, message: string, at: number, delayMs: number): OutboxBatch {
  return {
    ...batch,
    version: batch.version + 1,
    attempts: batch.attempts + 1,
    nextAttemptAt: at + delayMs,
    lastError: message,
  };
}

function appendHistory(history: OutboxBatch['history'], entry: OutboxBatch['history'][number]): OutboxBatch['history'] {
  const all = [...history, entry];
  if (all.length <= MAX_HISTORY) return all;
  // Keep how it started (when it was sealed) and the most recent moves.
  return [...all.slice(0, 1), ...all.slice(all.length - (MAX_HISTORY - 1))];
}
