// The whole anchor queue on a real local EVM node: to final with confirmations, a
// reorg (evm_snapshot / evm_revert) that drops the anchor and sees it land again, and
// crashes around the broadcast that still leave exactly one anchor on chain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AnchorQueue,
  EvmLedgerAdapter,
  InMemoryOutboxStore,
  deployAnchorContract,
  startLocalEvm,
  type BroadcastOutcome,
  type EvmLedgerConfig,
  type Hex,
  type LocalEvm,
  type OutboxStore,
} from '../../../anchor-queue';
import { CrashingStore, checkpointNote } from '../outbox/outbox-helpers';
import { anchoredEvents, mine, readerFor, rpc, settled } from './evm-helpers';

let evm: LocalEvm;
let contract: Hex;

beforeAll(async () => {
  evm = await startLocalEvm({ accounts: 6 });
  contract = (await deployAnchorContract(evm.rpcUrl, evm.accounts[0]!.privateKey)).address;
});

afterAll(async () => {
  await evm?.stop();
});

/** Each test anchors from its own account, so nonces of different tests never mix. */
function ledgerConfig(accountIndex: number): EvmLedgerConfig {
  return {
    rpcUrl: evm.rpcUrl,
    chainId: evm.chainId,
    contractAddress: contract,
    privateKey: evm.accounts[accountIndex]!.privateKey,
  };
}

function ledgerFor(accountIndex: number): EvmLedgerAdapter {
  return new EvmLedgerAdapter(ledgerConfig(accountIndex));
}

function queueOn(store: OutboxStore, ledger: EvmLedgerAdapter, confirmations = 3): AnchorQueue {
  return new AnchorQueue({ store, ledger, confirmations, backoff: { baseMs: 1, capMs: 5 } });
}

async function nonceOf(accountIndex: number): Promise<number> {
  return readerFor(evm.rpcUrl).getTransactionCount({ address: evm.accounts[accountIndex]!.address });
}

/** Steps (mining a block after each round) until the batch reaches `state`. */
async function stepUntil(queue: AnchorQueue, store: OutboxStore, batchId: Hex, state: string, maxRounds = 20) {
  for (let round = 0; round < maxRounds; round++) {
    await queue.step();
    if (store.get(batchId)?.state === state) return;
    await mine(evm.rpcUrl);
  }
  throw new Error(`batch did not reach ${state}: ${JSON.stringify(store.get(batchId))}`);
}

describe('AnchorQueue on a local EVM', () => {
  it('anchors a checkpoint to final after the configured confirmations', async () => {
    const store = new InMemoryOutboxStore();
    const queue = queueOn(store, ledgerFor(1));
    const { batchId, root } = queue.enqueue(checkpointNote(21, 'sijill.example/evm/final'));

    await queue.step(); // signed, persisted, broadcast; anvil mines it at once
    await settled(evm.rpcUrl, store.get(batchId)?.txHash);
    await queue.step();
    const included = store.get(batchId);
    expect(included?.state).toBe('included');
    const head = Number(await readerFor(evm.rpcUrl).getBlockNumber());
    expect(included?.blockNumber).toBe(head);

    await mine(evm.rpcUrl); // 2 confirmations: not yet
    await queue.step();
    expect(store.get(batchId)?.state).toBe('included');
    await mine(evm.rpcUrl); // 3
    await queue.step();
    const final = store.get(batchId);
    expect(final?.state).toBe('final');

    const events = await anchoredEvents(readerFor(evm.rpcUrl), contract, batchId);
    expect(events).toHaveLength(1);
    expect(events[0]?.args.root).toBe(root);
    expect(events[0]?.args.treeSize).toBe(21n);
    expect(events[0]?.blockHash).toBe(final?.blockHash);
    expect(events[0]?.logIndex).toBe(final?.logIndex);
    expect(queue.status().lastAnchored).toMatchObject({
      batchId,
      blockNumber: final?.blockNumber,
      txHash: final?.txHash,
    });
    expect(queue.status().ledger.reachable).toBe(true);
  });

  it('sends a reorged-out anchor back to submitted and sees the same transaction land again', async () => {
    const store = new InMemoryOutboxStore();
    const queue = queueOn(store, ledgerFor(2));
    const reader = readerFor(evm.rpcUrl);
    const snapshot = await rpc<string>(evm.rpcUrl, 'evm_snapshot');
    const { batchId } = queue.enqueue(checkpointNote(8, 'sijill.example/evm/reorg'));

    await queue.step();
    await settled(evm.rpcUrl, store.get(batchId)?.txHash);
    await queue.step();
    const included = store.get(batchId);
    expect(included?.state).toBe('included');

    // The fork without our block wins: revert to before it, then grow past its height.
    expect(await rpc<boolean>(evm.rpcUrl, 'evm_revert', [snapshot])).toBe(true);
    expect(await anchoredEvents(reader, contract, batchId)).toHaveLength(0);
    await mine(evm.rpcUrl, 2);
    expect(Number(await reader.getBlockNumber())).toBeGreaterThanOrEqual(included?.blockNumber as number);

    await queue.step();
    const reorged = store.get(batchId);
    expect(reorged?.state).toBe('submitted');
    expect(reorged?.submission).toBe('unknown');
    expect(reorged?.history.at(-1)?.note).toBe(`block ${included?.blockNumber} was reorged away`);

    await stepUntil(queue, store, batchId, 'final');
    const final = store.get(batchId);
    expect(final?.txHash).toBe(included?.txHash); // the same signed bytes, resent
    expect(final?.blockHash).not.toBe(included?.blockHash);
    expect(await anchoredEvents(reader, contract, batchId)).toHaveLength(1);
  });

  it('a crash between persisting the signed transaction and broadcasting it: one anchor on chain', async () => {
    const inner = new InMemoryOutboxStore();
    const store = new CrashingStore(inner, Number.POSITIVE_INFINITY);
    const ledger = ledgerFor(3);
    const before = await nonceOf(3);
    // The process dies as it is about to broadcast: the signed transaction is on disk only.
    class DiesBeforeBroadcast extends EvmLedgerAdapter {
      override async broadcast(): Promise<BroadcastOutcome> {
        store.crashed = true;
        throw new Error('power lost');
      }
    }
    const first = queueOn(store, new DiesBeforeBroadcast(ledgerConfig(3)));
    const { batchId } = first.enqueue(checkpointNote(5, 'sijill.example/evm/crash-before-broadcast'));
    await first.step();
    expect(store.crashed).toBe(true);
    const persisted = inner.get(batchId);
    expect(persisted).toMatchObject({ state: 'submitted', submission: 'signed' });
    expect(await nonceOf(3)).toBe(before);

    const restarted = queueOn(inner, ledger);
    restarted.enqueue(checkpointNote(5, 'sijill.example/evm/crash-before-broadcast'));
    await stepUntil(restarted, inner, batchId, 'final');
    expect(inner.get(batchId)?.txHash).toBe(persisted?.txHash);
    expect(await anchoredEvents(readerFor(evm.rpcUrl), contract, batchId)).toHaveLength(1);
    expect(await nonceOf(3)).toBe(before + 1);
  });

  it('a crash after the broadcast, before it is recorded: the node reports the nonce used, no second transaction', async () => {
    const inner = new InMemoryOutboxStore();
    const account = 4;
    const before = await nonceOf(account);
    // Writes: 1 enqueue, 2 submitted/signed, 3 submitted/pending — lost.
    const store = new CrashingStore(inner, 2);
    const first = queueOn(store, ledgerFor(account));
    const { batchId } = first.enqueue(checkpointNote(6, 'sijill.example/evm/crash-after-broadcast'));
    await first.step();
    expect(store.crashed).toBe(true);
    expect(inner.get(batchId)?.submission).toBe('signed');
    await settled(evm.rpcUrl, inner.get(batchId)?.txHash);

    const restarted = queueOn(inner, ledgerFor(account));
    await restarted.step(); // resend → anvil already mined it → nonce used → found by hash
    expect(inner.get(batchId)?.state).toBe('included');
    await stepUntil(restarted, inner, batchId, 'final');
    expect(await anchoredEvents(readerFor(evm.rpcUrl), contract, batchId)).toHaveLength(1);
    expect(await nonceOf(account)).toBe(before + 1);
  });

  it('run() anchors on its own while blocks are produced', async () => {
    const store = new InMemoryOutboxStore();
    const queue = new AnchorQueue({
      store,
      ledger: ledgerFor(5),
      confirmations: 2,
      pollIntervalMs: 20,
      backoff: { baseMs: 10, capMs: 50 },
    });
    const { batchId } = queue.enqueue(checkpointNote(30, 'sijill.example/evm/run'));
    const running = queue.run();
    const miner = setInterval(() => void mine(evm.rpcUrl).catch(() => undefined), 50);
    try {
      const deadline = Date.now() + 10_000;
      while (store.get(batchId)?.state !== 'final' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      clearInterval(miner);
      await queue.stop();
    }
    await running;
    expect(store.get(batchId)?.state).toBe('final');
    expect(await anchoredEvents(readerFor(evm.rpcUrl), contract, batchId)).toHaveLength(1);
  });
});
