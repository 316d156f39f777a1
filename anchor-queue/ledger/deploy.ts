// Deploying SijillAnchor and managing its allow-list: for the tests, the demo, and an
// operator setting up a network. The appliance itself only calls anchor().
import type { Hex } from './adapter';
import { privateKeyToAccount } from 'viem/accounts';
import { sijillAnchorArtifact } from './contract/sijill-anchor-artifact';
import { evmChain, evmPublicClient, evmWalletClient } from './evm-client';
import { chooseFees, type FeeMode } from './evm-fees';

export interface DeployOptions {
  /** Admit only accounts the owner lists (permissioned networks). Default: open. */
  restrictSubmitters?: boolean;
  feeMode?: FeeMode;
  requestTimeoutMs?: number;
}

export interface DeployedAnchorContract {
  address: Hex;
  chainId: number;
  txHash: Hex;
  blockNumber: number;
}

/** Deploys SijillAnchor from the key's account and waits for the deployment receipt. */
export async function deployAnchorContract(
  rpcUrl: string,
  privateKey: Hex,
  options: DeployOptions = {},
): Promise<DeployedAnchorContract> {
  const { wallet, client, chainId } = await clientsFor(rpcUrl, privateKey, options.requestTimeoutMs);
  const txHash = await wallet.deployContract({
    abi: sijillAnchorArtifact.abi,
    bytecode: sijillAnchorArtifact.bytecode,
    args: [options.restrictSubmitters ?? false],
    // The same fee choice as the adapter: viem alone would send EIP-1559 fields to
    // pre-London networks, which refuse them.
    ...(await chooseFees(client, options.feeMode ?? 'auto')),
  });
  const receipt = await client.waitForTransactionReceipt({ hash: txHash, pollingInterval: 200 });
  if (receipt.status !== 'success' || !receipt.contractAddress) throw new Error(`deployment ${txHash} failed`);
  return { address: receipt.contractAddress, chainId, txHash, blockNumber: Number(receipt.blockNumber) };
}

/** The owner admits (or removes) a submitter on a restricted deployment. */
export async function setAnchorSubmitter(
  rpcUrl: string,
  ownerKey: Hex,
  contractAddress: Hex,
  account: Hex,
  allowed: boolean,
  feeMode: FeeMode = 'auto',
): Promise<void> {
  const { wallet, client } = await clientsFor(rpcUrl, ownerKey);
  const txHash = await wallet.writeContract({
    address: contractAddress,
    abi: sijillAnchorArtifact.abi,
    functionName: 'setSubmitter',
    args: [account, allowed],
    ...(await chooseFees(client, feeMode)),
  });
  const receipt = await client.waitForTransactionReceipt({ hash: txHash, pollingInterval: 200 });
  if (receipt.status !== 'success') throw new Error(`setSubmitter ${txHash} reverted`);
}

async function clientsFor(rpcUrl: string, privateKey: Hex, timeoutMs = 10_000) {
  // Ask the node for its chain id: deployment is an operator action aimed at that node.
  const probe = evmPublicClient(evmChain(1, rpcUrl), rpcUrl, timeoutMs);
  const chainId = await probe.getChainId();
  const chain = evmChain(chainId, rpcUrl);
  return {
    chainId,
    client: evmPublicClient(chain, rpcUrl, timeoutMs),
    wallet: evmWalletClient(chain, rpcUrl, privateKeyToAccount(privateKey), timeoutMs),
  };
}
