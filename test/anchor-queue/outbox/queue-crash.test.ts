// Crash at every step. A "crash" stops the process at one point: either before the
// k-th store write commits (the write and everything after it is lost), or before the
// c-th ledger call (it never happens). Then a new AnchorQueue starts on what the store
// holds, the host re-offers its newest checkpoint, and the queue must finish the job:
// the batch final, one Anchored event, one transaction of ours mined.
import { describe, expect, it } from 'vitest';
import { InMemoryOutboxStore, batchIdFor, merkleRoot, type Hex } from '../../../anchor-queue';
import { syntheticLeaves } from '../helpers';
import { FakeLedger } from './fake-ledger';
import { CrashingStore, ORIGIN, TestClock, checkpointNote, drive, makeQueue, onlyBatch } from './outbox-helpers';

const SIZE = 12;
const note = checkpointNote(SIZE);
const batchId = batchIdFor(ORIGIN, SIZE, merkleRoot(syntheticLeaves(SIZE, 1)));

interface ScenarioState {
  disturbed: boolean;
}

interface Scenario {
  name: string;
  setup?: (ledger: FakeLedger) => void;
  /** What the world does after each round of the queue. */
  between: (ledger: FakeLedger, state: ScenarioState) => void;
}

/** Once our anchor has one block on top of it, remove its block (and the one above). */
function reorgOnce(dropTransactions: boolean) {
  return (ledger: FakeLedger, state: ScenarioState): void => {
    ledger.mine();
    const block = ledger.anchoredBlock(batchId as Hex);
    if (!state.disturbed && block !== undefined && ledger.head() > block) {
      ledger.reorg(ledger.head() - block + 1, { dropTransactions });
      state.disturbed = true;
    }
  };
}

const scenarios: Scenario[] = [
  { name: 'a well-behaved ledger', between: (ledger) => ledger.mine() },
  { name: 'a reorg that drops the transaction', between: reorgOnce(true) },
  { name: 'a reorg that returns the transaction to the pool', between: reorgOnce(false) },
  {
    name: 'a lost broadcast reply',
    setup: (ledger) => ledger.loseReplyOfNext('broadcast'),
    between: (ledger) => ledger.mine(),
  },
  {
    name: 'a node that forgets its pool before mining',
    between: (ledger, state) => {
      if (!state.disturbed && ledger.poolSize() > 0) {
        ledger.clearPool();
        state.disturbed = true;
      } else ledger.mine();
    },
  },
];

type Crash = { kind: 'write' | 'call'; at: number } | null;

async function runWithCrash(scenario: Scenario, crash: Crash) {
  const inner = new InMemoryOutboxStore();
  const ledger = new FakeLedger();
  const clock = new TestClock();
  const state: ScenarioState = { disturbed: false };
  scenario.setup?.(ledger);
  const store = new CrashingStore(inner, crash?.kind === 'write' ? crash.at : Number.POSITIVE_INFINITY);
  if (crash?.kind === 'call') {
    ledger.beforeCall = (_method, index) => {
      if (index === crash.at) {
        store.crashed = true;
        throw new Error('power lost');
      }
    };
  }

  // First life, until the crash (or the end, for the reference run).
  const first = makeQueue(store, ledger, clock);
  try {
    first.enqueue(note);
  } catch {
    // The host's transaction that sealed the checkpoint died with it; on restart the
    // host offers its newest checkpoint again.
  }
  for (let round = 0; round < 60 && !store.crashed && inner.get(batchId)?.state !== 'final'; round++) {
    await first.step();
    if (store.crashed) break;
    scenario.between(ledger, state);
    clock.advance(1_500);
  }
  const firstLife = { writes: store.writes, calls: ledger.calls.length, crashed: store.crashed };
  ledger.beforeCall = undefined;

  // Second life on the same store and the same ledger.
  const second = makeQueue(inner, ledger, clock);
  expect(second.enqueue(note).batchId).toBe(batchId);
  await drive(second, {
    clock,
    between: () => scenario.between(ledger, state),
    until: () => inner.get(batchId)?.state === 'final',
  });
  return { ledger, inner, firstLife };
}

describe('AnchorQueue survives a crash at every step', () => {
  for (const scenario of scenarios) {
    it(`with ${scenario.name}`, async () => {
      const reference = await runWithCrash(scenario, null);
      expect(reference.ledger.eventsFor(batchId)).toBe(1);
      const { writes, calls } = reference.firstLife;
      expect(writes).toBeGreaterThanOrEqual(5);
      expect(calls).toBeGreaterThanOrEqual(6);

      const crashes: Crash[] = [
        ...Array.from({ length: writes }, (_, at) => ({ kind: 'write' as const, at })),
        ...Array.from({ length: calls }, (_, at) => ({ kind: 'call' as const, at })),
      ];
      for (const crash of crashes) {
        const where = `${scenario.name}, crash before ${crash?.kind} #${crash?.at}`;
        const { ledger, inner, firstLife } = await runWithCrash(scenario, crash);
        expect(firstLife.crashed, where).toBe(true);
        expect(onlyBatch(inner, batchId).state, where).toBe('final');
        expect(ledger.eventsFor(batchId as Hex), where).toBe(1);
        expect(ledger.ourMinedTransactions(), where).toBe(1);
        expect(inner.countByState(), where).toEqual({
          sealed: 0,
          submitted: 0,
          included: 0,
          final: 1,
          superseded: 0,
          failed: 0,
        });
      }
    });
  }
});

describe('AnchorQueue crash points named in the design', () => {
  it('after the signed transaction is persisted and before it is broadcast: resends those bytes', async () => {
    const inner = new InMemoryOutboxStore();
    const ledger = new FakeLedger();
    const clock = new TestClock();
    const store = new CrashingStore(inner, Number.POSITIVE_INFINITY);
    ledger.beforeCall = (method) => {
      if (method === 'broadcast') {
        store.crashed = true;
        throw new Error('power lost');
      }
    };
    makeQueue(store, ledger, clock).enqueue(note);
    await makeQueue(store, ledger, clock).step();

    const persisted = onlyBatch(inner, batchId);
    expect(persisted.state).toBe('submitted');
    expect(persisted.submission).toBe('signed');
    expect(persisted.rawTx).toBeDefined();
    expect(ledger.poolSize()).toBe(0);

    ledger.beforeCall = undefined;
    const restarted = makeQueue(inner, ledger, clock);
    await drive(restarted, { clock, between: () => ledger.mine(), until: () => inner.get(batchId)?.state === 'final' });
    expect(ledger.signed.size).toBe(1);
    expect(onlyBatch(inner, batchId).txHash).toBe(persisted.txHash);
    expect(ledger.eventsFor(batchId)).toBe(1);
  });

  it('after the broadcast and before it is recorded: the node already has it, nothing is re-signed', async () => {
    const inner = new InMemoryOutboxStore();
    const ledger = new FakeLedger();
    const clock = new TestClock();
    // Writes: 1 enqueue, 2 submitted/signed, 3 submitted/pending (lost).
    const store = new CrashingStore(inner, 2);
    const first = makeQueue(store, ledger, clock);
    first.enqueue(note);
    await first.step();
    expect(store.crashed).toBe(true);
    expect(onlyBatch(inner, batchId).submission).toBe('signed');
    expect(ledger.poolSize()).toBe(1);

    const restarted = makeQueue(inner, ledger, clock);
    ledger.calls.length = 0;
    await restarted.step(clock.advance(1_000));
    expect(ledger.calls).toEqual(['isReachable', 'broadcast']);
    expect(onlyBatch(inner, batchId).history.at(-1)?.note).toBe('node already had it');
    await drive(restarted, { clock, between: () => ledger.mine(), until: () => inner.get(batchId)?.state === 'final' });
    expect(ledger.signed.size).toBe(1);
    expect(ledger.eventsFor(batchId)).toBe(1);
  });

  it('after the transaction is mined and before the inclusion is recorded: finds it by hash', async () => {
    const inner = new InMemoryOutboxStore();
    const ledger = new FakeLedger();
    const clock = new TestClock();
    const store = new CrashingStore(inner, 3); // the 4th write (included) is lost
    const first = makeQueue(store, ledger, clock);
    first.enqueue(note);
    await first.step();
    ledger.mine();
    await first.step(clock.advance(1_000));
    expect(store.crashed).toBe(true);
    expect(onlyBatch(inner, batchId).state).toBe('submitted');

    const restarted = makeQueue(inner, ledger, clock);
    await restarted.step(clock.advance(1_000));
    expect(onlyBatch(inner, batchId).state).toBe('included');
    expect(ledger.signed.size).toBe(1);
  });
});
