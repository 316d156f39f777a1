// SijillAnchor and the EVM adapter against a real local EVM node (anvil from npm):
// deploy, anchor, read the event and the view, idempotency, conflicts, the allow-list,
// chain checks, and legacy fees on a chain without EIP-1559.
import { createWalletClient, http, parseTransaction, type PublicClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChainMismatchError,
  EvmLedgerAdapter,
  LedgerRejectedError,
  deployAnchorContract,
  setAnchorSubmitter,
  sijillAnchorArtifact,
  startLocalEvm,
  type Hex,
  type LocalEvm,
} from '../../../anchor-queue';
import { anchoredEvents, mine, randomHash, readerFor, rpc, settled } from './evm-helpers';

let evm: LocalEvm;
let contract: Hex;
let reader: PublicClient;

beforeAll(async () => {
  evm = await startLocalEvm();
  contract = (await deployAnchorContract(evm.rpcUrl, evm.accounts[0]!.privateKey)).address;
  reader = readerFor(evm.rpcUrl);
});

afterAll(async () => {
  await evm?.stop();
});

function adapterFor(accountIndex: number, overrides: { contract?: Hex; chainId?: number; rpcUrl?: string } = {}) {
  return new EvmLedgerAdapter({
    rpcUrl: overrides.rpcUrl ?? evm.rpcUrl,
    chainId: overrides.chainId ?? evm.chainId,
    contractAddress: overrides.contract ?? contract,
    privateKey: evm.accounts[accountIndex]!.privateKey,
  });
}

async function anchorOnce(adapter: EvmLedgerAdapter, request: { batchId: Hex; root: Hex; treeSize: number }) {
  const prepared = await adapter.prepare(request);
  expect(await adapter.broadcast(prepared.rawTx)).toBe('accepted');
  await settled(evm.rpcUrl, prepared.txHash); // anvil mines it (automine)
  return { prepared, inclusion: await adapter.getInclusion(prepared.txHash, request.batchId) };
}

describe('SijillAnchor on a local EVM', () => {
  it('anchors a batch: one Anchored event, and anchors(batchId) returns it', async () => {
    const adapter = adapterFor(1);
    const request = { batchId: randomHash(), root: randomHash(), treeSize: 1234 };
    expect(await adapter.findAnchor(request.batchId)).toBeUndefined();
    const { prepared, inclusion } = await anchorOnce(adapter, request);

    expect(inclusion.status).toBe('included');
    if (inclusion.status !== 'included') return;
    expect(inclusion.anchor).toEqual({
      txHash: prepared.txHash,
      blockNumber: inclusion.blockNumber,
      blockHash: inclusion.blockHash,
      logIndex: 0,
    });

    const events = await anchoredEvents(reader, contract, request.batchId);
    expect(events).toHaveLength(1);
    expect(events[0]?.args).toEqual({
      batchId: request.batchId,
      root: request.root,
      treeSize: 1234n,
      submitter: privateKeyToAccount(evm.accounts[1]!.privateKey).address,
    });

    const [root, treeSize, blockNumber, submitter] = await reader.readContract({
      address: contract,
      abi: sijillAnchorArtifact.abi,
      functionName: 'anchors',
      args: [request.batchId],
    });
    expect({ root, treeSize, blockNumber: Number(blockNumber) }).toEqual({
      root: request.root,
      treeSize: 1234n,
      blockNumber: inclusion.blockNumber,
    });
    expect(submitter.toLowerCase()).toBe(evm.accounts[1]!.address.toLowerCase());

    expect(await adapter.findAnchor(request.batchId)).toMatchObject({
      batchId: request.batchId,
      root: request.root,
      treeSize: 1234,
      txHash: prepared.txHash,
      blockNumber: inclusion.blockNumber,
      blockHash: inclusion.blockHash,
      logIndex: 0,
    });
    expect(await adapter.confirmations(inclusion.blockNumber, inclusion.blockHash)).toBe(1);
  });

  it('treats a second anchor with the same data as a successful no-op without a second event', async () => {
    const first = adapterFor(1);
    const second = adapterFor(2); // another device: same batch, other account
    const request = { batchId: randomHash(), root: randomHash(), treeSize: 7 };
    await anchorOnce(first, request);
    const again = await anchorOnce(second, request);
    expect(again.inclusion).toMatchObject({ status: 'included', anchor: null });
    expect(await anchoredEvents(reader, contract, request.batchId)).toHaveLength(1);
    expect((await first.findAnchor(request.batchId))?.submitter.toLowerCase()).toBe(
      evm.accounts[1]!.address.toLowerCase(),
    );
  });

  it('refuses the same batch id with other data: at estimation, and as a reverted transaction', async () => {
    const adapter = adapterFor(1);
    const request = { batchId: randomHash(), root: randomHash(), treeSize: 7 };
    await anchorOnce(adapter, request);

    const conflict = { ...request, root: randomHash() };
    const refused = await adapter.prepare(conflict).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(LedgerRejectedError);
    expect((refused as LedgerRejectedError).reason).toBe('conflict');
    expect((refused as Error).message).toContain(request.root);

    // Sent anyway (no estimation): mined, reverted, nothing changed on chain.
    const { wallet, client } = await walletFor(evm.accounts[1]!.privateKey);
    const txHash = await wallet.writeContract({
      address: contract,
      abi: sijillAnchorArtifact.abi,
      functionName: 'anchor',
      args: [conflict.batchId, conflict.root, 7n],
      gas: 100_000n,
      chain: null,
    });
    await client.waitForTransactionReceipt({ hash: txHash, pollingInterval: 50 });
    expect(await adapter.getInclusion(txHash, conflict.batchId)).toMatchObject({ status: 'reverted' });
    expect((await adapter.findAnchor(request.batchId))?.root).toBe(request.root);
    expect(await anchoredEvents(reader, contract, request.batchId)).toHaveLength(1);
  });

  it('reports broadcast outcomes: already known, and nonce used once mined', async () => {
    const adapter = adapterFor(3);
    await rpcSetAutomine(false);
    try {
      const request = { batchId: randomHash(), root: randomHash(), treeSize: 1 };
      const prepared = await adapter.prepare(request);
      expect(await adapter.getInclusion(prepared.txHash, request.batchId)).toEqual({ status: 'dropped' });
      expect(await adapter.broadcast(prepared.rawTx)).toBe('accepted');
      expect(await adapter.broadcast(prepared.rawTx)).toBe('already-known');
      expect(await adapter.getInclusion(prepared.txHash, request.batchId)).toEqual({ status: 'pending' });
      await rpcMine();
      expect(await adapter.broadcast(prepared.rawTx)).toBe('nonce-used');
    } finally {
      await rpcSetAutomine(true);
    }
  });

  it('admits only listed submitters on a restricted deployment', async () => {
    const owner = evm.accounts[0]!;
    const restricted = (await deployAnchorContract(evm.rpcUrl, owner.privateKey, { restrictSubmitters: true })).address;
    const clinic = adapterFor(2, { contract: restricted });
    const request = { batchId: randomHash(), root: randomHash(), treeSize: 3 };

    const refused = await clinic.prepare(request).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(LedgerRejectedError);
    expect((refused as LedgerRejectedError).reason).toBe('not-permitted');

    await expect(
      setAnchorSubmitter(evm.rpcUrl, evm.accounts[2]!.privateKey, restricted, evm.accounts[2]!.address, true),
    ).rejects.toThrow(/NotOwner/);
    await setAnchorSubmitter(evm.rpcUrl, owner.privateKey, restricted, evm.accounts[2]!.address, true);
    const { inclusion } = await anchorOnce(clinic, request);
    expect(inclusion.status).toBe('included');
    expect(await anchoredEvents(reader, restricted, request.batchId)).toHaveLength(1);
  });

  it('checks the chain id and tells an unreachable node from a wrong one', async () => {
    const adapter = adapterFor(1);
    expect(await adapter.isReachable()).toBe(true);
    expect(adapter.describe()).toEqual({
      kind: 'evm',
      chainId: evm.chainId,
      contractAddress: contract,
      account: privateKeyToAccount(evm.accounts[1]!.privateKey).address,
    });
    await expect(adapterFor(1, { chainId: 1 }).isReachable()).rejects.toBeInstanceOf(ChainMismatchError);
    const port = Number(new URL(evm.rpcUrl).port);
    expect(await adapterFor(1, { rpcUrl: `http://127.0.0.1:${port === 1 ? 2 : 1}` }).isReachable()).toBe(false);
  });

  it('uses EIP-1559 fees where the chain has a base fee', async () => {
    const prepared = await adapterFor(1).prepare({ batchId: randomHash(), root: randomHash(), treeSize: 1 });
    const tx = parseTransaction(prepared.rawTx);
    expect(tx.type).toBe('eip1559');
    expect(tx.chainId).toBe(evm.chainId);
    expect(tx.to?.toLowerCase()).toBe(contract.toLowerCase());
  });
});

describe('SijillAnchor on a chain without EIP-1559 (legacy fees)', () => {
  let legacy: LocalEvm;
  beforeAll(async () => {
    legacy = await startLocalEvm({ hardfork: 'berlin', chainId: 2024 });
  });
  afterAll(async () => {
    await legacy?.stop();
  });

  it('deploys, signs a legacy transaction, and anchors', async () => {
    const deployed = await deployAnchorContract(legacy.rpcUrl, legacy.accounts[0]!.privateKey);
    expect(deployed.chainId).toBe(2024);
    const adapter = new EvmLedgerAdapter({
      rpcUrl: legacy.rpcUrl,
      chainId: 2024,
      contractAddress: deployed.address,
      privateKey: legacy.accounts[1]!.privateKey,
    });
    const request = { batchId: randomHash(), root: randomHash(), treeSize: 99 };
    const prepared = await adapter.prepare(request);
    const tx = parseTransaction(prepared.rawTx);
    expect(tx.type).toBe('legacy');
    expect(tx.chainId).toBe(2024); // EIP-155 replay protection
    expect(await adapter.broadcast(prepared.rawTx)).toBe('accepted');
    await settled(legacy.rpcUrl, prepared.txHash);
    expect(await adapter.getInclusion(prepared.txHash, request.batchId)).toMatchObject({ status: 'included' });
    expect(await anchoredEvents(readerFor(legacy.rpcUrl), deployed.address, request.batchId)).toHaveLength(1);
  });
});

async function rpcSetAutomine(on: boolean): Promise<void> {
  await rpc(evm.rpcUrl, 'evm_setAutomine', [on]);
}

async function rpcMine(): Promise<void> {
  await mine(evm.rpcUrl);
}

async function walletFor(privateKey: Hex) {
  const wallet = createWalletClient({ account: privateKeyToAccount(privateKey), transport: http(evm.rpcUrl) });
  return { wallet, client: reader };
}
