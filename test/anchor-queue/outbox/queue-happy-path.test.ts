// The outbox state machine on a well-behaved ledger: sealed → submitted (signed,
// persisted, then broadcast) → included → final, one transaction, one Anchored event.
import { describe, expect, it } from 'vitest';
import { InMemoryOutboxStore, batchIdFor, merkleRoot, parseCheckpoint, parseNote } from '../../../anchor-queue';
import { syntheticLeaves } from '../helpers';
import { FakeLedger } from './fake-ledger';
import { ORIGIN, TestClock, checkpointNote, drive, makeQueue, onlyBatch } from './outbox-helpers';

describe('AnchorQueue happy path', () => {
  it('takes a checkpoint from sealed to final with exactly one transaction and one event', async () => {
    const store = new InMemoryOutboxStore();
    const ledger = new FakeLedger();
    const clock = new TestClock();
    const queue = makeQueue(store, ledger, clock);

    const batch = queue.enqueue(checkpointNote(10));
    expect(batch.state).toBe('sealed');
    expect(batch.batchId).toBe(batchIdFor(ORIGIN, 10, merkleRoot(syntheticLeaves(10, 1))));

    // Round 1: signed, persisted, broadcast.
    await queue.step();
    let stored = onlyBatch(store, batch.batchId);
    expect(stored.state).toBe('submitted');
    expect(stored.submission).toBe('pending');
    expect(stored.rawTx).toMatch(/^0x[0-9a-f]+$/);
    expect(ledger.signed.has(stored.txHash as `0x${string}`)).toBe(true);
    expect(ledger.calls).toEqual(['isReachable', 'findAnchor', 'prepare', 'broadcast']);

    // Mined: round 2 records the inclusion.
    ledger.mine();
    clock.advance(1000);
    await queue.step();
    stored = onlyBatch(store, batch.batchId);
    expect(stored.state).toBe('included');
    expect(stored.blockNumber).toBe(1);
    expect(stored.logIndex).toBe(0);
    expect(stored.anchorTxHash).toBe(stored.txHash);

    // One confirmation is not enough (3 needed); three are.
    clock.advance(1000);
    await queue.step();
    expect(onlyBatch(store, batch.batchId).state).toBe('included');
    ledger.mine(2);
    clock.advance(1000);
    await queue.step();
    stored = onlyBatch(store, batch.batchId);
    expect(stored.state).toBe('final');
    expect(stored.finalAt).toBe(clock.now);

    expect(ledger.eventsFor(batch.batchId)).toBe(1);
    expect(ledger.ourMinedTransactions()).toBe(1);
    expect(ledger.signed.size).toBe(1);
    expect(stored.history.map((h) => `${h.to}${h.submission ? `/${h.submission}` : ''}`)).toEqual([
      'sealed',
      'submitted/signed',
      'submitted/pending',
      'included',
      'final',
    ]);
    expect(stored.history.every((h, i) => i === 0 || h.at >= (stored.history[i - 1]?.at ?? 0))).toBe(true);

    const status = queue.status();
    expect(status.counts).toEqual({ sealed: 0, submitted: 0, included: 0, final: 1, superseded: 0, failed: 0 });
    expect(status.ledger.reachable).toBe(true);
    expect(status.lastAnchored).toEqual({
      batchId: batch.batchId,
      origin: ORIGIN,
      treeSize: 10,
      blockNumber: 1,
      blockHash: stored.blockHash,
      txHash: stored.txHash,
      finalAt: clock.now,
    });
  });

  it('does nothing more once final, however long it keeps stepping', async () => {
    const store = new InMemoryOutboxStore();
    const ledger = new FakeLedger();
    const clock = new TestClock();
    const queue = makeQueue(store, ledger, clock);
    const { batchId } = queue.enqueue(checkpointNote(4));
    await drive(queue, {
      clock,
      between: () => ledger.mine(),
      until: () => onlyBatch(store, batchId).state === 'final',
    });
    const finalVersion = onlyBatch(store, batchId).version;
    ledger.calls.length = 0;
    for (let i = 0; i < 5; i++) {
      ledger.mine();
      await queue.step(clock.advance(1000));
    }
    expect(onlyBatch(store, batchId).version).toBe(finalVersion);
    expect(ledger.calls.every((c) => c === 'isReachable')).toBe(true);
    expect(ledger.eventsFor(batchId)).toBe(1);
  });

  it('keeps the signed checkpoint note and the values it commits to', () => {
    const store = new InMemoryOutboxStore();
    const queue = makeQueue(store, new FakeLedger(), new TestClock());
    const note = checkpointNote(33);
    const batch = queue.enqueue(note);
    const text = parseNote(batch.checkpointNote);
    expect(text.ok).toBe(true);
    const checkpoint = text.ok ? parseCheckpoint(text.value.text) : undefined;
    expect(checkpoint?.ok && checkpoint.value.size).toBe(33);
    expect(batch.checkpointNote).toBe(note);
    expect(batch.root).toBe(`0x${Buffer.from(merkleRoot(syntheticLeaves(33, 1))).toString('hex')}`);
  });

  it('refuses a note that is not a checkpoint, without writing anything', () => {
    const store = new InMemoryOutboxStore();
    const queue = makeQueue(store, new FakeLedger(), new TestClock());
    expect(() => queue.enqueue('not a note')).toThrow(TypeError);
    expect(store.countByState().sealed).toBe(0);
  });
});
