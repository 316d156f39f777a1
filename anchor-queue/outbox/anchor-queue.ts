// The anchor queue: moves outbox batches through sealed → submitted → included → final
// on a ledger. It is the only writer of the outbox rows it works on, persists every
// step before the side effect that follows it, and turns every failure into state, so
// a crash or an unreachable ledger costs time, never an anchor, and never a duplicate.
import type { Hex, Inclusion, LedgerAdapter, LedgerDescription, OnChainAnchor } from '../ledger/adapter';
import { LedgerRejectedError } from '../ledger/adapter';
import { fullJitterDelay, type BackoffPolicy } from './backoff';
import type { BatchState, OutboxBatch, SubmissionState } from './batch';
import { planEnqueue } from './enqueue';
import { StaleBatchError, type OutboxStore } from './store';
import { transition, withError, type TransitionChanges } from './transitions';

export interface AnchorQueueOptions {
  store: OutboxStore;
  ledger: LedgerAdapter;
  /** Blocks (the inclusion block counts as 1) before an anchor is final. E.g. 12 on
   * Ethereum; 1 on Besu QBFT/IBFT networks, whose blocks are final when sealed. */
  confirmations: number;
  /** Retry delays after errors, and between probes of an unreachable ledger. */
  backoff?: BackoffPolicy;
  /** How often run() polls while the ledger is reachable, ms. */
  pollIntervalMs?: number;
  clock?: () => number;
  random?: () => number;
}

export interface AnchoredSummary {
  batchId: Hex;
  origin: string;
  treeSize: number;
  blockNumber: number;
  blockHash: Hex;
  txHash: Hex;
  finalAt: number;
}

export interface AnchorQueueStatus {
  counts: Record<BatchState, number>;
  /** Submitted batches by what we know of their transaction. */
  submissions: Record<SubmissionState, number>;
  ledger: {
    /** null until the first check. */
    reachable: boolean | null;
    checkedAt: number | null;
    /** Why it was last unreachable or what last went wrong talking to it. */
    lastError: string | null;
    description: LedgerDescription;
  };
  lastAnchored: AnchoredSummary | null;
  /** The last failure outside any batch (e.g. the store refusing a write), if any. */
  lastStepError: string | null;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 5 * 60_000 };
const DEFAULT_POLL_INTERVAL_MS = 5_000;

/** Batches with a transaction on its way: while any exists, no new one is signed. */
const IN_FLIGHT: readonly BatchState[] = ['submitted', 'included'];

export class AnchorQueue {
  private readonly store: OutboxStore;
  private readonly ledger: LedgerAdapter;
  private readonly confirmationsNeeded: number;
  private readonly backoff: BackoffPolicy;
  private readonly pollIntervalMs: number;
  private readonly clock: () => number;
  private readonly random: () => number;

  private reachable: boolean | null = null;
  private checkedAt: number | null = null;
  private ledgerError: string | null = null;
  private stepError: string | null = null;
  private unreachableRounds = 0;

  private stepping: Promise<void> | null = null;
  private loop: Promise<void> | null = null;
  private stopRequested = false;
  private wakeSleeper: (() => void) | null = null;

  constructor(options: AnchorQueueOptions) {
    if (!Number.isInteger(options.confirmations) || options.confirmations < 1) {
      throw new RangeError(`confirmations must be at least 1, got ${options.confirmations}`);
    }
    this.store = options.store;
    this.ledger = options.ledger;
    this.confirmationsNeeded = options.confirmations;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.clock = options.clock ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /**
   * Queues a signed checkpoint note for anchoring: one local write, no network, so
   * recording never waits on the ledger. Enqueueing the same checkpoint again returns
   * the existing batch. Throws TypeError when the note is not a checkpoint.
   */
  enqueue(signedCheckpoint: string): OutboxBatch {
    const plan = planEnqueue(this.store, signedCheckpoint, this.clock());
    if (plan.writes.length > 0) {
      this.store.write(plan.writes);
      this.wakeSleeper?.();
    }
    return plan.batch;
  }

  /**
   * One round of work: check the ledger, then move every due batch as far as one round
   * allows. Never throws: failures become lastError and a backoff on the batch, or an
   * unreachable ledger in status(). Concurrent calls share the round in progress.
   */
  step(now: number = this.clock()): Promise<void> {
    this.stepping ??= this.work(now)
      .catch((error: unknown) => this.noteStepError(error))
      .finally(() => {
        this.stepping = null;
      });
    return this.stepping;
  }

  status(): AnchorQueueStatus {
    const submissions: Record<SubmissionState, number> = { signed: 0, pending: 0, unknown: 0 };
    for (const b of this.store.listInStates(['submitted'])) if (b.submission) submissions[b.submission] += 1;
    const last = this.store.latestFinal();
    return {
      counts: this.store.countByState(),
      submissions,
      ledger: {
        reachable: this.reachable,
        checkedAt: this.checkedAt,
        lastError: this.ledgerError,
        description: this.ledger.describe(),
      },
      lastAnchored:
        last && last.blockNumber !== undefined && last.blockHash && last.anchorTxHash
          ? {
              batchId: last.batchId,
              origin: last.origin,
              treeSize: last.treeSize,
              blockNumber: last.blockNumber,
              blockHash: last.blockHash,
              txHash: last.anchorTxHash,
              finalAt: last.finalAt ?? 0,
            }
          : null,
      lastStepError: this.stepError,
    };
  }

  /**
   * Steps until stop(): every pollIntervalMs while the ledger answers (sooner when a
   * batch's retry falls due or a checkpoint is enqueued), with jittered backoff while
   * it does not. Resolves when stopped.
   */
  run(): Promise<void> {
    if (this.loop) return this.loop;
    this.stopRequested = false;
    this.loop = (async () => {
      while (!this.stopRequested) {
        await this.step();
        if (this.stopRequested) break;
        await this.sleep(this.safeNextDelay());
      }
    })().finally(() => {
      this.loop = null;
    });
    return this.loop;
  }

  /** Ends run() after the round in progress; resolves when it has ended. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    this.wakeSleeper?.();
    await this.loop;
  }

  // ---- one round -------------------------------------------------------------------

  private async work(now: number): Promise<void> {
    if (!(await this.checkReachable(now))) return;
    for (const batch of this.store.listInStates(IN_FLIGHT)) {
      if (batch.nextAttemptAt <= now) await this.guarded(batch, now, (b) => this.advance(b, now));
    }
    // One transaction in flight at a time: the next nonce is then simply the account's
    // pending nonce, and a reorged or dropped transaction can never collide with a newer
    // one of ours. The newest sealed checkpoint covers older ones, so nothing is lost.
    if (this.store.listInStates(IN_FLIGHT).length > 0) return;
    const due = this.store.listInStates(['sealed']).find((b) => b.nextAttemptAt <= now);
    if (due) await this.guarded(due, now, (b) => this.submit(b, now));
  }

  private async checkReachable(now: number): Promise<boolean> {
    let reachable = false;
    try {
      reachable = await this.ledger.isReachable();
      if (reachable) this.ledgerError = null;
      else this.ledgerError = 'the ledger node does not answer';
    } catch (error) {
      this.ledgerError = describeError(error);
    }
    this.reachable = reachable;
    this.checkedAt = now;
    this.unreachableRounds = reachable ? 0 : this.unreachableRounds + 1;
    return reachable;
  }

  /** Sealed: sign a transaction, persist it, then broadcast it. */
  private async submit(batch: OutboxBatch, now: number): Promise<void> {
    // An anchor already on chain (an earlier life of this outbox, a restored backup,
    // another device with the same key) is adopted rather than sent again.
    const onChain = await this.ledger.findAnchor(batch.batchId);
    if (onChain) {
      this.adopt(batch, onChain, now);
      return;
    }
    const prepared = await this.ledger.prepare({ batchId: batch.batchId, root: batch.root, treeSize: batch.treeSize });
    const submitted = this.save(
      transition(
        batch,
        'submitted',
        now,
        { submission: 'signed', rawTx: prepared.rawTx, txHash: prepared.txHash, nonce: prepared.nonce },
        `signed with nonce ${prepared.nonce}`,
      ),
    );
    await this.send(submitted, now);
  }

  /** (Re)sends the persisted transaction: the same bytes every time. */
  private async send(batch: OutboxBatch, now: number): Promise<void> {
    const rawTx = required(batch.rawTx, batch, 'rawTx');
    const outcome = await this.ledger.broadcast(rawTx);
    if (outcome === 'nonce-used') {
      await this.settleSpentNonce(batch, now);
      return;
    }
    if (batch.submission !== 'pending') {
      this.save(
        transition(
          batch,
          'submitted',
          now,
          { submission: 'pending' },
          outcome === 'accepted' ? 'broadcast' : 'node already had it',
        ),
      );
    }
  }

  private async advance(batch: OutboxBatch, now: number): Promise<void> {
    if (batch.state === 'included') {
      await this.countConfirmations(batch, now);
      return;
    }
    if (batch.submission === 'signed') {
      // Persisted, but a crash may have come before or after the broadcast.
      await this.send(batch, now);
      return;
    }
    const txHash = required(batch.txHash, batch, 'txHash');
    await this.follow(batch, await this.ledger.getInclusion(txHash, batch.batchId), now);
  }

  /** Submitted: act on what the ledger says about our transaction. */
  private async follow(batch: OutboxBatch, inclusion: Inclusion, now: number): Promise<void> {
    switch (inclusion.status) {
      case 'pending':
        if (batch.submission !== 'pending')
          this.save(transition(batch, 'submitted', now, { submission: 'pending' }, 'node has it'));
        return;
      case 'dropped': {
        const unknown =
          batch.submission === 'unknown'
            ? batch
            : this.save(
                transition(batch, 'submitted', now, { submission: 'unknown' }, 'node does not know the transaction'),
              );
        await this.send(unknown, now);
        return;
      }
      case 'included':
        if (inclusion.anchor) {
          this.save(
            transition(
              batch,
              'included',
              now,
              {
                blockNumber: inclusion.anchor.blockNumber,
                blockHash: inclusion.anchor.blockHash,
                logIndex: inclusion.anchor.logIndex,
                anchorTxHash: inclusion.anchor.txHash,
              },
              `in block ${inclusion.blockNumber}`,
            ),
          );
        } else {
          // Our call was the contract's idempotent no-op: someone anchored it first.
          await this.adoptFromChain(batch, now, `block ${inclusion.blockNumber} shows it anchored already`);
        }
        return;
      case 'reverted':
        await this.adoptFromChain(batch, now, `transaction reverted in block ${inclusion.blockNumber}`);
        return;
    }
  }

  /**
   * The node says our nonce is spent. Either our transaction was mined (follow it) or
   * another took the nonce, and ours can never land: only then is a new one signed,
   * after checking the chain for the anchor.
   */
  private async settleSpentNonce(batch: OutboxBatch, now: number): Promise<void> {
    const txHash = required(batch.txHash, batch, 'txHash');
    const inclusion = await this.ledger.getInclusion(txHash, batch.batchId);
    if (inclusion.status === 'included' || inclusion.status === 'reverted') {
      await this.follow(batch, inclusion, now);
      return;
    }
    await this.adoptFromChain(batch, now, `nonce ${batch.nonce} was taken by another transaction`);
  }

  /** Looks the batch up on chain: adopt it there, or go back to sealed to sign anew. */
  private async adoptFromChain(batch: OutboxBatch, now: number, why: string): Promise<void> {
    const onChain = await this.ledger.findAnchor(batch.batchId);
    if (onChain) {
      this.adopt(batch, onChain, now);
      return;
    }
    // Our transaction is spent without anchoring: sign a new one, after a backoff so a
    // transaction that keeps reverting does not spend fees in a tight loop.
    this.save(
      transition(
        batch,
        'sealed',
        now,
        {
          attempts: batch.attempts + 1,
          nextAttemptAt: now + fullJitterDelay(batch.attempts, this.backoff, this.random),
          lastError: `${why}; not anchored, a new transaction will be signed`,
        },
        why,
      ),
    );
  }

  private adopt(batch: OutboxBatch, onChain: OnChainAnchor, now: number): void {
    if (sameHex(onChain.root, batch.root) && onChain.treeSize === batch.treeSize) {
      const location: TransitionChanges = {
        blockNumber: onChain.blockNumber,
        blockHash: onChain.blockHash,
        logIndex: onChain.logIndex,
        anchorTxHash: onChain.txHash,
      };
      this.save(transition(batch, 'included', now, location, `found on chain in block ${onChain.blockNumber}`));
      return;
    }
    const conflict = new LedgerRejectedError(
      'conflict',
      `batch id ${batch.batchId} is anchored with root ${onChain.root} and tree size ${onChain.treeSize}, not ours`,
    );
    this.fail(batch, conflict, now);
  }

  private async countConfirmations(batch: OutboxBatch, now: number): Promise<void> {
    const blockNumber = required(batch.blockNumber, batch, 'blockNumber');
    const blockHash = required(batch.blockHash, batch, 'blockHash');
    const confirmations = await this.ledger.confirmations(blockNumber, blockHash);
    if (confirmations === 'reorged') {
      const note = `block ${blockNumber} was reorged away`;
      // Our own transaction: resend those bytes. An adopted anchor: look again from sealed.
      this.save(
        batch.rawTx
          ? transition(batch, 'submitted', now, { submission: 'unknown' }, note)
          : transition(batch, 'sealed', now, {}, note),
      );
      return;
    }
    if (confirmations >= this.confirmationsNeeded) {
      this.save(transition(batch, 'final', now, { finalAt: now }, `${confirmations} confirmations`));
    }
  }

  // ---- errors and persistence -------------------------------------------------------

  /** Runs one batch's work; whatever it throws becomes state, and nothing escapes. */
  private async guarded(batch: OutboxBatch, now: number, work: (b: OutboxBatch) => Promise<void>): Promise<void> {
    try {
      await work(batch);
    } catch (error) {
      try {
        // Re-read: the work may have written a newer version before it failed.
        const current = this.store.get(batch.batchId);
        if (!current || error instanceof StaleBatchError) {
          this.noteStepError(error);
        } else if (error instanceof LedgerRejectedError && error.reason === 'conflict') {
          this.fail(current, error, now);
        } else {
          const delay = fullJitterDelay(current.attempts, this.backoff, this.random);
          this.save(withError(current, describeError(error), now, delay));
        }
      } catch (secondary) {
        // The store itself is failing (disk full, crash in progress): nothing more to
        // do this round; the persisted state is still consistent.
        this.noteStepError(secondary);
      }
    }
  }

  private fail(batch: OutboxBatch, error: Error, now: number): void {
    this.save(
      transition(batch, 'failed', now, { lastError: error.message }, 'the ledger holds other data under this batch id'),
    );
  }

  private save(batch: OutboxBatch): OutboxBatch {
    this.store.write([batch]);
    return batch;
  }

  private noteStepError(error: unknown): void {
    this.stepError = describeError(error);
  }

  // ---- the run loop ---------------------------------------------------------------

  private safeNextDelay(): number {
    try {
      return this.nextDelay();
    } catch (error) {
      this.noteStepError(error);
      return this.pollIntervalMs;
    }
  }

  private nextDelay(): number {
    if (this.reachable !== true) {
      return fullJitterDelay(Math.max(0, this.unreachableRounds - 1), this.backoff, this.random);
    }
    // Batches already due were worked on in the round just done (or are waiting for the
    // transaction in flight): poll again later. Wake early only for a retry due sooner.
    const now = this.clock();
    let delay = this.pollIntervalMs;
    for (const b of this.store.listInStates(['sealed', ...IN_FLIGHT])) {
      if (b.nextAttemptAt > now) delay = Math.min(delay, b.nextAttemptAt - now);
    }
    return delay;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeSleeper = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      // The host's server keeps the process alive; the queue alone must not.
      timer.unref?.();
      this.wakeSleeper = done;
    });
  }
}

function required<T>(value: T | undefined, batch: OutboxBatch, field: string): T {
  if (value === undefined) throw new Error(`outbox batch ${batch.batchId} (${batch.state}) has no ${field}`);
  return value;
}

function sameHex(a: Hex, b: Hex): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    // viem errors carry a multi-line report; the first line says what happened.
    const firstLine = (error.message.split('\n')[0] ?? '').trim();
    return `${error.name}: ${firstLine}`.slice(0, 500);
  }
  return String(error).slice(0, 500);
}
