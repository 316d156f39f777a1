// Network faults between the clinic host and a real local EVM (anvil), injected by a
// JSON-RPC proxy: the ledger down for a while (connection refused, then 503) and back,
// half of all calls failing, and a reorg (evm_snapshot / evm_revert) dropping an
// anchor. The whole host stack runs: Clinic, its Anchoring service, the SQLite outbox.
// In every case each checkpoint ends anchored exactly once and no leaf is lost.
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { latestCheckpoint } from '../../../main/store/anchor-log/checkpoints';
import { cloneStore, useStoreTemplate } from '../../helpers/store';
import { mine, rpc } from '../ledger/evm-helpers';
import { FaultProxy, type AfterAction } from './fault-proxy';
import {
  allAnchored,
  clinicWithEntries,
  closeLater,
  configure,
  driveToAnchored,
  driveUntil,
  expectAnchoredExactlyOnce,
  expectNothingLost,
  outboxOf,
  recordEntries,
  useChain,
} from './harness';

const template = useStoreTemplate();
const chainOf = useChain();

async function proxyFor(target: string, seed = 1): Promise<FaultProxy> {
  const proxy = await FaultProxy.start(target, seed);
  onTestFinished(() => proxy.stop());
  return proxy;
}

describe('anchoring through a faulty network, host stack on a real EVM', () => {
  it('ledger down for a while (refused, then 503) and back: the newest checkpoint anchors once, recording never waits', async () => {
    const chain = chainOf();
    const contract = await chain.deploy();
    const account = chain.account();
    const proxy = await proxyFor(chain.evm.rpcUrl);
    const cut = await clinicWithEntries(cloneStore(template()), 4);
    const close = closeLater(cut.clinic);
    const { clinic } = cut;
    const outbox = outboxOf(clinic);
    const first = clinic.anchoring.sealNow()!;

    await proxy.setMode('refuse');
    await configure(clinic, chain, { rpcUrl: proxy.url, contract, account, confirmations: 2 });
    for (let i = 0; i < 3; i++) await clinic.anchoring.stepQueue();
    let status = clinic.anchoring.status();
    expect(status.ledger).toMatchObject({ reachable: false, lastError: expect.any(String) });
    expect(status.counts).toMatchObject({ sealed: 1, submitted: 0 });

    // Recording goes on while the ledger is down; a newer checkpoint covers the first.
    recordEntries(cut, 4);
    const second = clinic.anchoring.sealNow()!;
    expect(second.treeSize).toBeGreaterThan(first.treeSize);
    expect(outbox.listInStates(['superseded']).map((b) => b.treeSize)).toEqual([first.treeSize]);

    await proxy.setMode('unavailable');
    for (let i = 0; i < 3; i++) await clinic.anchoring.stepQueue();
    expect(proxy.stats.unavailable).toBeGreaterThan(0);
    expect(proxy.stats.forwarded).toBe(0);
    status = clinic.anchoring.status();
    expect(status.ledger?.reachable).toBe(false);
    expect(status.anchored).toBe(0);
    expect(await chain.reader.getTransactionCount({ address: account.address })).toBe(0);

    await proxy.setMode('pass');
    await driveToAnchored(clinic, chain);
    expect(clinic.anchoring.status().ledger).toMatchObject({ reachable: true, lastError: null });
    const finals = await expectAnchoredExactlyOnce(clinic, chain, contract, account);
    expect(finals.map((b) => b.treeSize)).toEqual([second.treeSize]);

    // Down again with an anchor in flight: the node takes the transaction, then the port
    // closes before the reply leaves, so the host does not know it was sent.
    recordEntries(cut, 3);
    const third = clinic.anchoring.sealNow()!;
    let sent = false;
    proxy.after = async (call): Promise<AfterAction> => {
      if (call.method === 'eth_sendRawTransaction' && !sent) {
        sent = true;
        await proxy.setMode('refuse');
      }
      return 'reply';
    };
    await driveUntil(clinic, () => sent);
    for (let i = 0; i < 3; i++) await clinic.anchoring.stepQueue();
    const inFlight = outbox.listInStates(['submitted']);
    expect(inFlight).toHaveLength(1);
    expect(inFlight[0]).toMatchObject({ treeSize: third.treeSize, submission: 'signed' });
    expect(clinic.anchoring.status().ledger?.reachable).toBe(false);
    expect(proxy.stats.abandoned).toBe(1);

    proxy.after = null;
    await proxy.setMode('pass');
    await driveToAnchored(clinic, chain);
    const all = await expectAnchoredExactlyOnce(clinic, chain, contract, account);
    expect(all.map((b) => b.treeSize).sort((a, b) => a - b)).toEqual([second.treeSize, third.treeSize]);
    expect(all.find((b) => b.treeSize === third.treeSize)?.txHash).toBe(inFlight[0]!.txHash); // resent, not re-signed
    expectNothingLost(clinic, cut.entryIds);
    await close();
  }, 60_000);

  it('half of all RPC calls failing (seeded): both checkpoints anchor exactly once, nothing lost', async () => {
    const chain = chainOf();
    const contract = await chain.deploy();
    const account = chain.account();
    const proxy = await proxyFor(chain.evm.rpcUrl, 20240607);
    // The queue backs off exponentially after each failure (up to minutes): rather than
    // wait, each round moves the wall clock the queue reads past any backoff.
    const realNow = Date.now.bind(Date);
    let skipped = 0;
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => realNow() + skipped);
    onTestFinished(() => clock.mockRestore());
    const skipBackoff = async () => {
      skipped += 6 * 60_000;
      await mine(chain.evm.rpcUrl);
    };

    const cut = await clinicWithEntries(cloneStore(template()), 5);
    const close = closeLater(cut.clinic);
    const { clinic } = cut;
    const outbox = outboxOf(clinic);
    clinic.anchoring.sealNow();
    // On top of the random failures, the broadcast is sure to fail both ways: the first
    // never reaches the node, the reply to the second is lost after the node took it.
    const sends = { before: 0, after: 0 };
    proxy.before = (call) => (call.method === 'eth_sendRawTransaction' && ++sends.before === 1 ? 'drop' : 'forward');
    proxy.after = (call) => (call.method === 'eth_sendRawTransaction' && ++sends.after === 1 ? 'drop' : 'reply');
    await proxy.setMode('flaky', { failRate: 0.5 });
    await configure(clinic, chain, { rpcUrl: proxy.url, contract, account, confirmations: 2 });

    // A second checkpoint is sealed while the first one's transaction is in flight.
    await driveUntil(clinic, () => outbox.listInStates(['submitted', 'included', 'final']).length > 0, {
      between: skipBackoff,
      pauseMs: 5,
    });
    recordEntries(cut, 5);
    const second = clinic.anchoring.sealNow()!;
    const rounds = await driveUntil(clinic, () => allAnchored(clinic), {
      between: skipBackoff,
      pauseMs: 5,
      timeoutMs: 45_000,
    });

    expect(proxy.stats.failedBefore).toBeGreaterThan(0);
    expect(proxy.stats.lostReplies).toBeGreaterThan(0);
    const failed = proxy.stats.failedBefore + proxy.stats.lostReplies;
    expect(failed / proxy.stats.requests).toBeGreaterThan(0.3);
    expect(rounds).toBeGreaterThan(1);
    expect(sends.before).toBeGreaterThanOrEqual(2);
    expect(sends.after).toBeGreaterThanOrEqual(1);
    const finals = await expectAnchoredExactlyOnce(clinic, chain, contract, account);
    expect(finals).toHaveLength(2);
    expect(finals.map((b) => b.treeSize)).toContain(second.treeSize);
    clock.mockRestore();
    expectNothingLost(clinic, cut.entryIds);
    await close();
  }, 60_000);

  it('a reorg drops the anchor: back to submitted, the same transaction lands again, once', async () => {
    const chain = chainOf();
    const contract = await chain.deploy();
    const account = chain.account();
    const proxy = await proxyFor(chain.evm.rpcUrl);
    const cut = await clinicWithEntries(cloneStore(template()), 4);
    const close = closeLater(cut.clinic);
    const { clinic } = cut;
    const outbox = outboxOf(clinic);
    clinic.anchoring.sealNow();
    const treeSize = latestCheckpoint(clinic.db)!.treeSize;
    const snapshot = await rpc<string>(chain.evm.rpcUrl, 'evm_snapshot');
    await configure(clinic, chain, { rpcUrl: proxy.url, contract, account, confirmations: 3 });

    await driveUntil(clinic, () => outbox.listInStates(['included']).length === 1);
    const included = outbox.listInStates(['included'])[0]!;
    expect(included.treeSize).toBe(treeSize);

    // The fork without our block wins: revert to before it, then grow past its height.
    expect(await rpc<boolean>(chain.evm.rpcUrl, 'evm_revert', [snapshot])).toBe(true);
    await mine(chain.evm.rpcUrl, 2);
    expect(Number(await chain.reader.getBlockNumber())).toBeGreaterThanOrEqual(included.blockNumber!);
    expect(await chain.reader.getTransactionCount({ address: account.address })).toBe(0);

    await driveUntil(clinic, () =>
      (outbox.get(included.batchId)?.history ?? []).some((h) => h.from === 'included' && h.to === 'submitted'),
    );
    const back = outbox.get(included.batchId)!.history.find((h) => h.from === 'included');
    expect(back).toMatchObject({
      to: 'submitted',
      submission: 'unknown',
      note: `block ${included.blockNumber} was reorged away`,
    });

    await driveToAnchored(clinic, chain);
    const [final] = await expectAnchoredExactlyOnce(clinic, chain, contract, account);
    expect(final!.batchId).toBe(included.batchId);
    expect(final!.txHash).toBe(included.txHash); // the same signed bytes, resent
    expect(final!.blockHash).not.toBe(included.blockHash);
    expectNothingLost(clinic, cut.entryIds);
    await close();
  }, 60_000);
});
