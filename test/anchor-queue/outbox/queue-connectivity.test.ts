// Connectivity: the queue notices when the ledger is reachable and anchors then; while
// it is not, checkpoints still queue (recording never waits) and nothing is lost.
import { describe, expect, it, vi } from 'vitest';
import { ChainMismatchError, InMemoryOutboxStore } from '../../../anchor-queue';
import { FakeLedger } from './fake-ledger';
import { TestClock, checkpointNote, drive, makeQueue, onlyBatch } from './outbox-helpers';

/** A ledger whose isReachable hangs until released: a node that accepts TCP but never answers. */
class HangingLedger extends FakeLedger {
  release: (() => void) | undefined;
  override isReachable(): Promise<boolean> {
    return new Promise((resolve) => {
      this.release = () => resolve(true);
    });
  }
}

describe('AnchorQueue connectivity', () => {
  it('queues while the ledger is unreachable, says so, and anchors once it is back', async () => {
    const store = new InMemoryOutboxStore();
    const ledger = new FakeLedger();
    const clock = new TestClock();
    const queue = makeQueue(store, ledger, clock);
    ledger.reachable = false;

    expect(queue.status().ledger.reachable).toBeNull();
    const first = queue.enqueue(checkpointNote(5));
    for (let i = 0; i < 5; i++) await queue.step(clock.advance(10_000));
    const newest = queue.enqueue(checkpointNote(9));
    await queue.step(clock.advance(10_000));

    const status = queue.status();
    expect(status.ledger.reachable).toBe(false);
    expect(status.ledger.checkedAt).toBe(clock.now);
    expect(status.ledger.lastError).toMatch(/does not answer/);
    expect(status.counts.sealed).toBe(1);
    expect(status.counts.superseded).toBe(1);
    expect(ledger.calls.every((c) => c === 'isReachable')).toBe(true);
    expect(onlyBatch(store, first.batchId).supersededBy).toBe(newest.batchId);

    ledger.reachable = true;
    await drive(queue, {
      clock,
      between: () => ledger.mine(),
      until: () => store.get(newest.batchId)?.state === 'final',
    });
    expect(queue.status().ledger).toMatchObject({ reachable: true, lastError: null });
    expect(ledger.eventsFor(newest.batchId)).toBe(1);
    expect(ledger.eventsFor(first.batchId)).toBe(0);
  });

  it('treats a node on another chain as unusable and signs nothing for it', async () => {
    const store = new InMemoryOutboxStore();
    const ledger = new FakeLedger();
    ledger.nodeChainId = 1;
    const queue = makeQueue(store, ledger, new TestClock());
    const { batchId } = queue.enqueue(checkpointNote(5));
    await queue.step();
    expect(queue.status().ledger.reachable).toBe(false);
    expect(queue.status().ledger.lastError).toMatch(/ChainMismatchError: the ledger node is chain 1, but chain 7/);
    expect(ledger.calls).toEqual(['isReachable']);
    expect(onlyBatch(store, batchId).state).toBe('sealed');
    expect(new ChainMismatchError(7, 1).actual).toBe(1);
  });

  it('never makes enqueue wait, even while a round hangs on the ledger', async () => {
    const store = new InMemoryOutboxStore();
    const ledger = new HangingLedger();
    const queue = makeQueue(store, ledger, new TestClock());
    const round = queue.step();
    // A second caller shares the round in progress instead of starting another.
    expect(queue.step()).toBe(round);

    const batch = queue.enqueue(checkpointNote(5));
    expect(batch).not.toBeInstanceOf(Promise);
    expect(store.get(batch.batchId)?.state).toBe('sealed');
    expect(queue.status().counts.sealed).toBe(1);

    ledger.release?.();
    await round;
    expect(store.get(batch.batchId)?.state).toBe('submitted');
  });

  it('turns ledger errors into batch state; step never rejects', async () => {
    const store = new InMemoryOutboxStore();
    const ledger = new FakeLedger();
    const clock = new TestClock();
    const queue = makeQueue(store, ledger, clock);
    const { batchId } = queue.enqueue(checkpointNote(5));
    await queue.step();
    ledger.failNext('getInclusion', new Error('HTTP request failed: 502 Bad Gateway'));
    await expect(queue.step(clock.advance(1_000))).resolves.toBeUndefined();
    const batch = onlyBatch(store, batchId);
    expect(batch.state).toBe('submitted');
    expect(batch.lastError).toBe('Error: HTTP request failed: 502 Bad Gateway');
    expect(batch.attempts).toBe(1);
  });

  it('run() anchors by itself once the ledger comes up, and stop() ends it', async () => {
    const store = new InMemoryOutboxStore();
    const ledger = new FakeLedger();
    ledger.reachable = false;
    const queue = makeQueue(store, ledger, new TestClock(), {
      clock: Date.now,
      random: Math.random,
      pollIntervalMs: 5,
      backoff: { baseMs: 2, capMs: 10 },
      confirmations: 2,
    });
    const { batchId } = queue.enqueue(checkpointNote(5));
    const running = queue.run();
    expect(queue.run()).toBe(running);

    await vi.waitFor(() => expect(ledger.calls.filter((c) => c === 'isReachable').length).toBeGreaterThan(3), {
      timeout: 2_000,
    });
    expect(store.get(batchId)?.state).toBe('sealed');

    ledger.reachable = true;
    const miner = setInterval(() => ledger.mine(), 5);
    try {
      await vi.waitFor(() => expect(store.get(batchId)?.state).toBe('final'), { timeout: 5_000, interval: 5 });
    } finally {
      clearInterval(miner);
    }
    await queue.stop();
    await expect(running).resolves.toBeUndefined();
    const callsAfterStop = ledger.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(ledger.calls.length).toBe(callsAfterStop);
    expect(ledger.eventsFor(batchId)).toBe(1);
  });
});
