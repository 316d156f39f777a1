// A slow ledger: every JSON-RPC call answered 1–2 s late (under the EVM adapter's
// 10 s request timeout), and the first broadcast's reply held past that timeout after
// the node took the transaction. The host must neither give up nor sign a second
// transaction: one anchor, the persisted bytes, and no leaf lost.
import { describe, expect, it, onTestFinished } from 'vitest';
import { cloneStore, useStoreTemplate } from '../../helpers/store';
import { FaultProxy } from './fault-proxy';
import {
  clinicWithEntries,
  closeLater,
  configure,
  driveToAnchored,
  expectAnchoredExactlyOnce,
  expectNothingLost,
  outboxOf,
  useChain,
} from './harness';

const template = useStoreTemplate();
const chainOf = useChain(3);

/** EvmLedgerAdapter's default request timeout, which the host uses. */
const ADAPTER_TIMEOUT_MS = 10_000;

describe('anchoring through a slow ledger, host stack on a real EVM', () => {
  it('slow answers, and one reply later than the timeout: anchored once with the persisted bytes', async () => {
    const chain = chainOf();
    const contract = await chain.deploy();
    const account = chain.account();
    const proxy = await FaultProxy.start(chain.evm.rpcUrl, 7);
    onTestFinished(() => proxy.stop());
    const cut = await clinicWithEntries(cloneStore(template()), 4);
    const close = closeLater(cut.clinic);
    const { clinic } = cut;
    const sealed = clinic.anchoring.sealNow()!;

    let firstSend: unknown;
    proxy.before = (call) => {
      if (call.method === 'eth_sendRawTransaction') firstSend ??= call.params[0];
      return 'forward';
    };
    await proxy.setMode('slow', {
      slow: {
        minMs: 1_000,
        maxMs: 2_000,
        beyond: { method: 'eth_sendRawTransaction', count: 1, ms: ADAPTER_TIMEOUT_MS + 1_500 },
      },
    });
    await configure(clinic, chain, { rpcUrl: proxy.url, contract, account, confirmations: 1 });

    // Recording is not slowed by the ledger: an entry commits in well under the RPC delay.
    const started = performance.now();
    const entry = clinic.recordEntry(cut.user, cut.patientId, 'note', { text: 'while the ledger is slow' });
    expect(performance.now() - started).toBeLessThan(500);
    cut.entryIds.push(entry.id);

    await driveToAnchored(clinic, chain, 60_000);
    expect(proxy.stats.delayed).toBeGreaterThan(5);
    // The held reply found its client gone: the adapter had timed out.
    expect(proxy.stats.abandoned).toBeGreaterThanOrEqual(1);
    expect(proxy.stats.byMethod.eth_sendRawTransaction).toBeGreaterThanOrEqual(2);

    const [final] = await expectAnchoredExactlyOnce(clinic, chain, contract, account);
    expect(final!.treeSize).toBe(sealed.treeSize);
    expect(final!.rawTx).toBe(firstSend); // the timed-out broadcast was resent, never re-signed
    expect(outboxOf(clinic).countByState().final).toBe(1);

    clinic.anchoring.sealNow();
    await proxy.setMode('pass');
    await driveToAnchored(clinic, chain);
    expect(await expectAnchoredExactlyOnce(clinic, chain, contract, account)).toHaveLength(2);
    expectNothingLost(clinic, cut.entryIds);
    await close();
  }, 80_000);
});
