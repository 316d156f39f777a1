// Reorgs: an included anchor whose block leaves the canonical chain goes back to
// submitted, the same transaction is followed (or resent) and the batch ends final.
import { describe, expect, it } from 'vitest';
import { InMemoryOutboxStore, type Hex } from '../../../anchor-queue';
import { FakeLedger } from './fake-ledger';
import { TestClock, checkpointNote, drive, makeQueue, onlyBatch } from './outbox-helpers';

async function includedBatch() {
  const store = new InMemoryOutboxStore();
  const ledger = new FakeLedger();
  const clock = new TestClock();
  const queue = makeQueue(store, ledger, clock, { confirmations: 4 });
  const { batchId } = queue.enqueue(checkpointNote(6));
  await drive(queue, { clock, between: () => ledger.mine(), until: () => store.get(batchId)?.state === 'included' });
  ledger.mine();
  return { store, ledger, clock, queue, batchId, included: onlyBatch(store, batchId) };
}

describe('AnchorQueue and reorgs', () => {
  it('sends a reorged-out anchor back to submitted, resends the same bytes, and finalises it', async () => {
    const { store, ledger, clock, queue, batchId, included } = await includedBatch();
    ledger.reorg(ledger.head() - (included.blockNumber as number) + 1, { dropTransactions: true });
    ledger.mine(3); // the other branch grows longer; the old block hash is gone

    await queue.step(clock.advance(1_000));
    const reorged = onlyBatch(store, batchId);
    expect(reorged.state).toBe('submitted');
    expect(reorged.submission).toBe('unknown');
    expect(reorged.blockNumber).toBeUndefined();
    expect(reorged.blockHash).toBeUndefined();
    expect(reorged.txHash).toBe(included.txHash);
    expect(reorged.history.at(-1)?.note).toBe(`block ${included.blockNumber} was reorged away`);

    ledger.calls.length = 0;
    await queue.step(clock.advance(1_000));
    expect(ledger.calls).toEqual(['isReachable', 'getInclusion', 'broadcast']);
    expect(onlyBatch(store, batchId).submission).toBe('pending');

    await drive(queue, { clock, between: () => ledger.mine(), until: () => store.get(batchId)?.state === 'final' });
    const final = onlyBatch(store, batchId);
    expect(final.txHash).toBe(included.txHash);
    expect(final.blockHash).not.toBe(included.blockHash);
    expect(ledger.signed.size).toBe(1);
    expect(ledger.eventsFor(batchId as Hex)).toBe(1);
    expect(final.history.map((h) => h.to)).toEqual([
      'sealed',
      'submitted',
      'submitted',
      'included',
      'submitted',
      'submitted',
      'included',
      'final',
    ]);
  });

  it('follows the transaction into its new block when the reorg re-mines it', async () => {
    const { store, ledger, clock, queue, batchId, included } = await includedBatch();
    ledger.reorg(ledger.head() - (included.blockNumber as number) + 1, { dropTransactions: false });
    ledger.mine(2); // the same transaction lands again, in a block with another hash

    await queue.step(clock.advance(1_000));
    expect(onlyBatch(store, batchId).state).toBe('submitted');
    await queue.step(clock.advance(1_000));
    const again = onlyBatch(store, batchId);
    expect(again.state).toBe('included');
    expect(again.blockHash).not.toBe(included.blockHash);
    expect(ledger.calls.filter((c) => c === 'broadcast')).toHaveLength(1);

    await drive(queue, { clock, between: () => ledger.mine(), until: () => store.get(batchId)?.state === 'final' });
    expect(ledger.eventsFor(batchId as Hex)).toBe(1);
  });

  it('does not count a block as confirmed once its hash changed at the same height', async () => {
    const { store, ledger, clock, queue, batchId, included } = await includedBatch();
    // Same height, other hash: the chain did not get shorter, only different.
    const height = ledger.head();
    ledger.reorg(ledger.head() - (included.blockNumber as number) + 1, { dropTransactions: true });
    ledger.mine(height - ledger.head());
    expect(ledger.head()).toBe(height);
    await queue.step(clock.advance(1_000));
    expect(onlyBatch(store, batchId).state).toBe('submitted');
  });

  it('returns an adopted anchor (found on chain, not sent by us) to sealed when reorged', async () => {
    const store = new InMemoryOutboxStore();
    const ledger = new FakeLedger();
    const clock = new TestClock();
    const queue = makeQueue(store, ledger, clock);
    const batch = queue.enqueue(checkpointNote(6));
    ledger.anchorByOtherAccount({ batchId: batch.batchId, root: batch.root, treeSize: batch.treeSize });
    await queue.step(clock.advance(1_000));
    const adopted = onlyBatch(store, batch.batchId);
    expect(adopted.state).toBe('included');
    expect(adopted.rawTx).toBeUndefined();

    ledger.reorg(1, { dropTransactions: true });
    await queue.step(clock.advance(1_000));
    // Back to sealed (no transaction of ours to follow), and in the same round, with
    // nothing else in flight, signed and sent by us.
    const resent = onlyBatch(store, batch.batchId);
    expect(resent.history.slice(-3).map((h) => h.to)).toEqual(['sealed', 'submitted', 'submitted']);
    expect(resent.history.at(-3)?.note).toMatch(/reorged away/);
    expect(resent.submission).toBe('pending');
    await drive(queue, {
      clock,
      between: () => ledger.mine(),
      until: () => store.get(batch.batchId)?.state === 'final',
    });
    expect(ledger.eventsFor(batch.batchId)).toBe(1);
    expect(ledger.ourMinedTransactions()).toBe(1);
  });
});
