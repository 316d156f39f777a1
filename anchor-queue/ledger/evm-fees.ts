// Fee fields for an anchor transaction. EIP-1559 where the chain has a base fee
// (Ethereum, most Besu networks, anvil); legacy gasPrice otherwise, because permissioned
// Besu networks are often pre-London or run with free gas and a zero base fee.
import type { PublicClient } from 'viem';

/** 'auto' picks EIP-1559 when the latest block has a base fee. */
export type FeeMode = 'auto' | 'eip1559' | 'legacy';

export type FeeFields =
  { type: 'eip1559'; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } | { type: 'legacy'; gasPrice: bigint };

export async function chooseFees(client: PublicClient, mode: FeeMode): Promise<FeeFields> {
  if (mode !== 'legacy') {
    const block = await client.getBlock({ blockTag: 'latest' });
    const baseFee = block.baseFeePerGas;
    if (baseFee !== null && baseFee !== undefined) {
      const priority = await priorityFee(client);
      // Twice the base fee stays valid through six full blocks of base-fee growth
      // (12.5 % each), so a transaction persisted now still lands after a short outage.
      return { type: 'eip1559', maxFeePerGas: baseFee * 2n + priority, maxPriorityFeePerGas: priority };
    }
    if (mode === 'eip1559') throw new Error('the chain has no EIP-1559 base fee: configure legacy fees');
  }
  return { type: 'legacy', gasPrice: await client.getGasPrice() };
}

async function priorityFee(client: PublicClient): Promise<bigint> {
  try {
    return await client.estimateMaxPriorityFeePerGas();
  } catch {
    // Zero-fee networks may not implement eth_maxPriorityFeePerGas; the base fee then
    // carries the transaction (and is zero there anyway).
    return 0n;
  }
}
