// Only the newest checkpoint of a log is anchored; older ones that were never sent are
// superseded by it. Logs (origins) never supersede each other.
import { describe, expect, it } from 'vitest';
import { InMemoryOutboxStore } from '../../../anchor-queue';
import { FakeLedger } from './fake-ledger';
import { TestClock, checkpointNote, drive, makeQueue, onlyBatch } from './outbox-helpers';

describe('AnchorQueue superseding', () => {
  it('marks older sealed checkpoints superseded by the newest, atomically with its insertion', () => {
    const store = new InMemoryOutboxStore();
    const queue = makeQueue(store, new FakeLedger(), new TestClock());
    const a = queue.enqueue(checkpointNote(5));
    const b = queue.enqueue(checkpointNote(8));
    expect(onlyBatch(store, a.batchId)).toMatchObject({ state: 'superseded', supersededBy: b.batchId, version: 2 });
    const c = queue.enqueue(checkpointNote(13));
    expect(onlyBatch(store, b.batchId).supersededBy).toBe(c.batchId);
    // The first keeps pointing at the batch that covered it when it was superseded.
    expect(onlyBatch(store, a.batchId).supersededBy).toBe(b.batchId);
    expect(store.countByState()).toMatchObject({ sealed: 1, superseded: 2 });
  });

  it('stores a late, smaller checkpoint as superseded by the larger one already queued', () => {
    const store = new InMemoryOutboxStore();
    const queue = makeQueue(store, new FakeLedger(), new TestClock());
    const big = queue.enqueue(checkpointNote(20));
    const late = queue.enqueue(checkpointNote(7));
    expect(late).toMatchObject({ state: 'superseded', supersededBy: big.batchId });
    expect(onlyBatch(store, big.batchId).state).toBe('sealed');
  });

  it('enqueues the same checkpoint once', () => {
    const store = new InMemoryOutboxStore();
    const queue = makeQueue(store, new FakeLedger(), new TestClock());
    const first = queue.enqueue(checkpointNote(5));
    const again = queue.enqueue(checkpointNote(5));
    expect(again).toEqual(first);
    expect(store.countByState().sealed).toBe(1);
    expect(onlyBatch(store, first.batchId).version).toBe(1);
  });

  it('keeps logs apart: another origin is never superseded', () => {
    const store = new InMemoryOutboxStore();
    const queue = makeQueue(store, new FakeLedger(), new TestClock());
    const mine = queue.enqueue(checkpointNote(5));
    const other = queue.enqueue(checkpointNote(3, 'sijill.example/clinic-7/device-9'));
    queue.enqueue(checkpointNote(9));
    expect(onlyBatch(store, mine.batchId).state).toBe('superseded');
    expect(onlyBatch(store, other.batchId).state).toBe('sealed');
  });

  it('never supersedes a batch already submitted; the newer one is sent after it is final', async () => {
    const store = new InMemoryOutboxStore();
    const ledger = new FakeLedger();
    const clock = new TestClock();
    const queue = makeQueue(store, ledger, clock);
    const first = queue.enqueue(checkpointNote(5));
    await queue.step();
    expect(onlyBatch(store, first.batchId).state).toBe('submitted');

    const second = queue.enqueue(checkpointNote(9));
    expect(onlyBatch(store, first.batchId).state).toBe('submitted');

    // While the first is in flight, the second waits (one transaction at a time).
    ledger.mine();
    await queue.step(clock.advance(1_000));
    expect(onlyBatch(store, first.batchId).state).toBe('included');
    expect(onlyBatch(store, second.batchId).state).toBe('sealed');

    await drive(queue, {
      clock,
      between: () => ledger.mine(),
      until: () => store.get(second.batchId)?.state === 'final',
    });
    expect(onlyBatch(store, first.batchId).state).toBe('final');
    expect(ledger.eventsFor(first.batchId)).toBe(1);
    expect(ledger.eventsFor(second.batchId)).toBe(1);
    expect(ledger.ourMinedTransactions()).toBe(2);
    expect(queue.status().lastAnchored?.treeSize).toBe(9);
  });
});
