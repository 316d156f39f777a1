// The LedgerAdapter for Ethereum and Hyperledger Besu networks: calls SijillAnchor's
// idempotent anchor(batchId, root, treeSize) from the clinic's ledger account.
import {
  BlockNotFoundError,
  TransactionNotFoundError,
  TransactionReceiptNotFoundError,
  encodeFunctionData,
  isAddressEqual,
  keccak256,
  parseEventLogs,
  type Chain,
  type PublicClient,
} from 'viem';
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import {
  ChainMismatchError,
  type AnchorRequest,
  type BroadcastOutcome,
  type Hex,
  type Inclusion,
  type LedgerAdapter,
  type LedgerDescription,
  type OnChainAnchor,
  type PreparedTransaction,
} from './adapter';
import { sijillAnchorArtifact } from './contract/sijill-anchor-artifact';
import { evmChain, evmPublicClient } from './evm-client';
import { broadcastOutcomeOf, rejectionOf } from './evm-errors';
import { chooseFees, type FeeMode } from './evm-fees';

export interface EvmLedgerConfig {
  /** JSON-RPC endpoint of an Ethereum or Besu node. */
  rpcUrl: string;
  /** The network's chain id; the adapter refuses to work with a node on another chain. */
  chainId: number;
  /** Where SijillAnchor is deployed. */
  contractAddress: Hex;
  /** Key of the clinic's ledger account (signs locally; never sent to the node). */
  privateKey: Hex;
  feeMode?: FeeMode;
  /** Per JSON-RPC request, ms. Default 10 000. */
  requestTimeoutMs?: number;
}

const abi = sijillAnchorArtifact.abi;
/** Estimates can be tight when state changes between estimate and inclusion. */
const GAS_MARGIN_PERCENT = 20n;

export class EvmLedgerAdapter implements LedgerAdapter {
  private readonly chain: Chain;
  private readonly client: PublicClient;
  private readonly account: PrivateKeyAccount;
  private readonly contract: Hex;
  private readonly feeMode: FeeMode;

  constructor(private readonly config: EvmLedgerConfig) {
    if (!Number.isSafeInteger(config.chainId) || config.chainId <= 0)
      throw new RangeError(`bad chain id ${config.chainId}`);
    this.chain = evmChain(config.chainId, config.rpcUrl);
    this.client = evmPublicClient(this.chain, config.rpcUrl, config.requestTimeoutMs ?? 10_000);
    this.account = privateKeyToAccount(config.privateKey);
    this.contract = config.contractAddress;
    this.feeMode = config.feeMode ?? 'auto';
  }

  describe(): LedgerDescription {
    return { kind: 'evm', chainId: this.config.chainId, contractAddress: this.contract, account: this.account.address };
  }

  async isReachable(): Promise<boolean> {
    let actual: number;
    try {
      actual = await this.client.getChainId();
    } catch {
      return false;
    }
    if (actual !== this.config.chainId) throw new ChainMismatchError(this.config.chainId, actual);
    return true;
  }

  async prepare(request: AnchorRequest): Promise<PreparedTransaction> {
    const args = [request.batchId, request.root, BigInt(request.treeSize)] as const;
    const data = encodeFunctionData({ abi, functionName: 'anchor', args });
    const [nonce, gasEstimate, fees] = await Promise.all([
      // 'pending' counts our transactions still in the pool. The queue keeps at most one
      // in flight, so this is the next free nonce.
      this.client.getTransactionCount({ address: this.account.address, blockTag: 'pending' }),
      this.estimateAnchorGas(args),
      chooseFees(this.client, this.feeMode),
    ]);
    const gas = (gasEstimate * (100n + GAS_MARGIN_PERCENT)) / 100n;
    const rawTx = await this.account.signTransaction({
      chainId: this.config.chainId,
      nonce,
      to: this.contract,
      data,
      gas,
      ...fees,
    });
    return { rawTx, txHash: keccak256(rawTx), nonce };
  }

  async broadcast(rawTx: Hex): Promise<BroadcastOutcome> {
    try {
      await this.client.sendRawTransaction({ serializedTransaction: rawTx });
      return 'accepted';
    } catch (error) {
      const outcome = broadcastOutcomeOf(error);
      if (outcome) return outcome;
      throw error;
    }
  }

  async getInclusion(txHash: Hex, batchId: Hex): Promise<Inclusion> {
    const receipt = await this.client.getTransactionReceipt({ hash: txHash }).catch((error: unknown) => {
      if (error instanceof TransactionReceiptNotFoundError) return null;
      throw error;
    });
    if (!receipt) return (await this.isInPool(txHash)) ? { status: 'pending' } : { status: 'dropped' };
    const blockNumber = Number(receipt.blockNumber);
    if (receipt.status === 'reverted') return { status: 'reverted', blockNumber, blockHash: receipt.blockHash };
    const event = parseEventLogs({ abi, logs: receipt.logs, eventName: 'Anchored' }).find(
      (log) => isAddressEqual(log.address, this.contract) && log.args.batchId.toLowerCase() === batchId.toLowerCase(),
    );
    return {
      status: 'included',
      blockNumber,
      blockHash: receipt.blockHash,
      anchor: event ? { txHash, blockNumber, blockHash: receipt.blockHash, logIndex: event.logIndex } : null,
    };
  }

  async confirmations(blockNumber: number, blockHash: Hex): Promise<number | 'reorged'> {
    const head = Number(await this.client.getBlockNumber({ cacheTime: 0 }));
    if (blockNumber > head) return 'reorged';
    const block = await this.client.getBlock({ blockNumber: BigInt(blockNumber) }).catch((error: unknown) => {
      if (error instanceof BlockNotFoundError) return null;
      throw error;
    });
    if (!block || block.hash?.toLowerCase() !== blockHash.toLowerCase()) return 'reorged';
    return head - blockNumber + 1;
  }

  async findAnchor(batchId: Hex): Promise<OnChainAnchor | undefined> {
    const [root, treeSize, blockNumber, submitter] = await this.client.readContract({
      address: this.contract,
      abi,
      functionName: 'anchors',
      args: [batchId],
    });
    if (blockNumber === 0n) return undefined;
    const logs = await this.client.getContractEvents({
      address: this.contract,
      abi,
      eventName: 'Anchored',
      args: { batchId },
      fromBlock: blockNumber,
      toBlock: blockNumber,
    });
    const log = logs[0];
    if (!log || log.blockHash === null || log.transactionHash === null || log.logIndex === null) {
      // State and logs disagree only while the node is switching forks: ask again later.
      throw new Error(`anchor ${batchId} is recorded at block ${blockNumber}, but its event is not there yet`);
    }
    return {
      batchId,
      root,
      treeSize: Number(treeSize),
      submitter,
      txHash: log.transactionHash,
      blockNumber: Number(blockNumber),
      blockHash: log.blockHash,
      logIndex: log.logIndex,
    };
  }

  private async estimateAnchorGas(args: readonly [Hex, Hex, bigint]): Promise<bigint> {
    try {
      return await this.client.estimateContractGas({
        address: this.contract,
        abi,
        functionName: 'anchor',
        args,
        account: this.account,
      });
    } catch (error) {
      throw rejectionOf(error) ?? error;
    }
  }

  private async isInPool(txHash: Hex): Promise<boolean> {
    try {
      await this.client.getTransaction({ hash: txHash });
      return true;
    } catch (error) {
      if (error instanceof TransactionNotFoundError) return false;
      throw error;
    }
  }
}
