// viem clients for one configured EVM network. Built from the configured chain id (not
// from a chain list) so private and national Besu networks need no entry in viem.
import { createPublicClient, createWalletClient, defineChain, http, type Chain, type PublicClient } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';

export function evmChain(chainId: number, rpcUrl: string): Chain {
  return defineChain({
    id: chainId,
    name: `EVM chain ${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}

export function evmPublicClient(chain: Chain, rpcUrl: string, timeoutMs: number): PublicClient {
  // No transport retries and no caching: the anchor queue retries with its own backoff,
  // and confirmation counts must see the head as it is now.
  return createPublicClient({ chain, transport: http(rpcUrl, { timeout: timeoutMs, retryCount: 0 }), cacheTime: 0 });
}

export function evmWalletClient(chain: Chain, rpcUrl: string, account: PrivateKeyAccount, timeoutMs: number) {
  return createWalletClient({ chain, account, transport: http(rpcUrl, { timeout: timeoutMs, retryCount: 0 }) });
}
