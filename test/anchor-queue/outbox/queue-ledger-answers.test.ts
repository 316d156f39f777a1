// What the queue does with each answer a ledger can give besides "fine": an anchor
// already on chain (ours or conflicting), a reverted or no-op transaction, a nonce
// taken by another transaction, a refused submitter.
import { describe, expect, it } from 'vitest';
import { InMemoryOutboxStore, LedgerRejectedError, type Hex } from '../../../anchor-queue';
import { FakeLedger } from './fake-ledger';
import { TestClock, checkpointNote, drive, makeQueue, onlyBatch } from './outbox-helpers';

const otherRoot: Hex = `0x${'ee'.repeat(32)}`;

function setup() {
  const store = new InMemoryOutboxStore();
  const ledger = new FakeLedger();
  const clock = new TestClock();
  const queue = makeQueue(store, ledger, clock);
  return { store, ledger, clock, queue };
}

describe('AnchorQueue and the ledger’s answers', () => {
  it('adopts an identical anchor already on chain instead of sending a transaction', async () => {
    const { store, ledger, clock, queue } = setup();
    const batch = queue.enqueue(checkpointNote(6));
    ledger.anchorByOtherAccount({ batchId: batch.batchId, root: batch.root, treeSize: batch.treeSize });
    await queue.step();
    const adopted = onlyBatch(store, batch.batchId);
    expect(adopted).toMatchObject({ state: 'included', blockNumber: 1, logIndex: 0 });
    expect(adopted.anchorTxHash).toMatch(/^0x/);
    expect(adopted.txHash).toBeUndefined();
    expect(ledger.calls).not.toContain('prepare');
    await drive(queue, {
      clock,
      between: () => ledger.mine(),
      until: () => store.get(batch.batchId)?.state === 'final',
    });
    expect(ledger.ourMinedTransactions()).toBe(0);
    expect(queue.status().lastAnchored?.txHash).toBe(adopted.anchorTxHash);
  });

  it('fails a batch whose id is anchored on chain with other data, and says why', async () => {
    const { store, ledger, queue } = setup();
    const batch = queue.enqueue(checkpointNote(6));
    ledger.anchorByOtherAccount({ batchId: batch.batchId, root: otherRoot, treeSize: batch.treeSize });
    await queue.step();
    const failed = onlyBatch(store, batch.batchId);
    expect(failed.state).toBe('failed');
    expect(failed.lastError).toContain(`anchored with root ${otherRoot}`);
    expect(ledger.calls).not.toContain('prepare');
    expect(queue.status().counts.failed).toBe(1);

    // Terminal: later rounds leave it alone, and the next checkpoint is anchored normally.
    const next = queue.enqueue(checkpointNote(7));
    await queue.step();
    expect(onlyBatch(store, batch.batchId).version).toBe(failed.version);
    expect(onlyBatch(store, next.batchId).state).toBe('submitted');
  });

  it('fails the batch when preparing reveals a conflict (anchored between lookup and signing)', async () => {
    const { store, ledger, queue } = setup();
    const batch = queue.enqueue(checkpointNote(6));
    ledger.failNext(
      'prepare',
      new LedgerRejectedError('conflict', 'ConflictingAnchor: already anchored with other data'),
    );
    await queue.step();
    expect(onlyBatch(store, batch.batchId)).toMatchObject({
      state: 'failed',
      lastError: 'ConflictingAnchor: already anchored with other data',
    });
  });

  it('keeps retrying while the account is not permitted, so granting it later is enough', async () => {
    const { store, ledger, clock, queue } = setup();
    const batch = queue.enqueue(checkpointNote(6));
    ledger.failNext('prepare', new LedgerRejectedError('not-permitted', 'account is not on the submitter list'));
    await queue.step();
    expect(onlyBatch(store, batch.batchId)).toMatchObject({ state: 'sealed', attempts: 1 });
    expect(onlyBatch(store, batch.batchId).lastError).toMatch(/not on the submitter list/);
    await drive(queue, {
      clock,
      between: () => ledger.mine(),
      until: () => store.get(batch.batchId)?.state === 'final',
    });
    expect(ledger.eventsFor(batch.batchId)).toBe(1);
  });

  it('adopts the earlier anchor when our transaction was mined as the contract’s no-op', async () => {
    const { store, ledger, clock, queue } = setup();
    const batch = queue.enqueue(checkpointNote(6));
    await queue.step(); // ours is in the pool
    const ours = onlyBatch(store, batch.batchId).txHash;
    // Another device's identical anchor lands first; ours is mined after it, as a no-op.
    ledger.anchorByOtherAccount({ batchId: batch.batchId, root: batch.root, treeSize: batch.treeSize });
    ledger.mine();
    await queue.step(clock.advance(1_000));
    const included = onlyBatch(store, batch.batchId);
    expect(included.state).toBe('included');
    expect(included.txHash).toBe(ours);
    expect(included.anchorTxHash).not.toBe(ours);
    expect(ledger.eventsFor(batch.batchId)).toBe(1);
  });

  it('signs a new transaction only once the persisted one provably cannot land (nonce taken)', async () => {
    const { store, ledger, clock, queue } = setup();
    const batch = queue.enqueue(checkpointNote(6));
    await queue.step();
    const first = onlyBatch(store, batch.batchId);
    ledger.spendOurNextNonce(); // our pooled transaction is replaced and the nonce mined

    await queue.step(clock.advance(1_000));
    const resealed = onlyBatch(store, batch.batchId);
    expect(resealed.state).toBe('sealed');
    expect(resealed.lastError).toMatch(new RegExp(`nonce ${first.nonce} was taken by another transaction`));
    expect(resealed.rawTx).toBeUndefined();

    await drive(queue, {
      clock,
      between: () => ledger.mine(),
      until: () => store.get(batch.batchId)?.state === 'final',
    });
    const final = onlyBatch(store, batch.batchId);
    expect(final.nonce).toBe((first.nonce as number) + 1);
    expect(final.txHash).not.toBe(first.txHash);
    expect(ledger.signed.size).toBe(2);
    expect(ledger.eventsFor(batch.batchId)).toBe(1);
  });

  it('fails a batch whose transaction reverted because its id was taken with other data', async () => {
    const { store, ledger, clock, queue } = setup();
    const batch = queue.enqueue(checkpointNote(6));
    await queue.step();
    const sent = onlyBatch(store, batch.batchId);
    // Someone anchors our batch id with other data first: ours reverts (ConflictingAnchor).
    ledger.anchorByOtherAccount({ batchId: batch.batchId, root: otherRoot, treeSize: 6 });
    ledger.mine();
    await queue.step(clock.advance(1_000));
    const failed = onlyBatch(store, batch.batchId);
    expect(failed.state).toBe('failed');
    expect(failed.txHash).toBe(sent.txHash);
    expect(failed.history.at(-1)?.from).toBe('submitted');
    expect(failed.lastError).toContain(otherRoot);
  });

  it('signs anew, after a backoff, when our transaction reverted and nothing is anchored', async () => {
    const { store, ledger, clock, queue } = setup();
    const batch = queue.enqueue(checkpointNote(6));
    await queue.step();
    const sent = onlyBatch(store, batch.batchId);
    ledger.revertNextExecution();
    ledger.mine();
    await queue.step(clock.advance(1_000));
    const resealed = onlyBatch(store, batch.batchId);
    expect(resealed.state).toBe('sealed');
    expect(resealed.attempts).toBe(1);
    expect(resealed.nextAttemptAt).toBe(clock.now + 50); // base 100 · random 0.5
    expect(resealed.lastError).toMatch(/transaction reverted in block 1; not anchored/);

    await drive(queue, {
      clock,
      between: () => ledger.mine(),
      until: () => store.get(batch.batchId)?.state === 'final',
    });
    const final = onlyBatch(store, batch.batchId);
    expect(final.txHash).not.toBe(sent.txHash);
    expect(final.nonce).toBe(1);
    expect(ledger.eventsFor(batch.batchId)).toBe(1);
  });

  it('refuses to work on a stale copy: a second queue cannot overwrite newer state', async () => {
    const { store, ledger, clock, queue } = setup();
    const batch = queue.enqueue(checkpointNote(6));
    await queue.step();
    const stale = onlyBatch(store, batch.batchId);
    ledger.mine();
    await queue.step(clock.advance(1_000));
    expect(() => store.write([{ ...stale, version: stale.version + 1, state: 'sealed' }])).toThrow(/another writer/);
    expect(onlyBatch(store, batch.batchId).state).toBe('included');
  });
});
