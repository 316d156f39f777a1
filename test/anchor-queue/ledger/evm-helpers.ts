// Talking to the local anvil node from tests: raw JSON-RPC (mining, snapshots) and
// reading SijillAnchor's events with viem, independently of the adapter under test.
import { createPublicClient, http, type PublicClient } from 'viem';
import { sijillAnchorArtifact, type Hex } from '../../../anchor-queue';

export async function rpc<T = unknown>(rpcUrl: string, method: string, params: unknown[] = []): Promise<T> {
  const response = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

export async function mine(rpcUrl: string, blocks = 1): Promise<void> {
  for (let i = 0; i < blocks; i++) await rpc(rpcUrl, 'evm_mine');
}

/**
 * Waits until the transaction is mined. anvil's automine may answer
 * eth_sendRawTransaction a moment before the block exists.
 */
export async function settled(rpcUrl: string, txHash: Hex | undefined): Promise<void> {
  if (!txHash) throw new Error('no transaction hash to wait for');
  await readerFor(rpcUrl).waitForTransactionReceipt({ hash: txHash, pollingInterval: 10, timeout: 10_000 });
}

export function readerFor(rpcUrl: string): PublicClient {
  return createPublicClient({ transport: http(rpcUrl, { retryCount: 0 }), cacheTime: 0 });
}

/** Every Anchored event for batchId on the canonical chain. */
export async function anchoredEvents(client: PublicClient, contract: Hex, batchId: Hex) {
  return client.getContractEvents({
    address: contract,
    abi: sijillAnchorArtifact.abi,
    eventName: 'Anchored',
    args: { batchId },
    fromBlock: 0n,
    toBlock: 'latest',
  });
}

export function randomHash(): Hex {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `0x${Buffer.from(bytes).toString('hex')}`;
}
