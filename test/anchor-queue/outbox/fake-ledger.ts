// An in-memory ledger that behaves like an EVM node with the SijillAnchor contract, for
// state-machine tests: a pool, blocks with hashes, one account nonce, reorgs, lost
// replies and outages. It counts what matters: Anchored events per batch id on the
// canonical chain, and how many of our transactions were signed and mined.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import {
  ChainMismatchError,
  LedgerRejectedError,
  type AnchorRequest,
  type BroadcastOutcome,
  type Hex,
  type Inclusion,
  type LedgerAdapter,
  type LedgerDescription,
  type OnChainAnchor,
  type PreparedTransaction,
} from '../../../anchor-queue';

export const OUR_ACCOUNT: Hex = '0x00000000000000000000000000000000000000aa';
export const OTHER_ACCOUNT: Hex = '0x00000000000000000000000000000000000000bb';

interface FakeTx extends AnchorRequest {
  from: Hex;
  nonce: number;
  rawTx: Hex;
  txHash: Hex;
}

interface Receipt {
  tx: FakeTx;
  status: 'success' | 'reverted';
  logIndex: number | null;
}

interface Block {
  number: number;
  hash: Hex;
  receipts: Receipt[];
}

export type Method = 'isReachable' | 'prepare' | 'broadcast' | 'getInclusion' | 'confirmations' | 'findAnchor';

const hashOf = (text: string): Hex => `0x${bytesToHex(sha256(new TextEncoder().encode(text)))}`;

export class FakeLedger implements LedgerAdapter {
  reachable = true;
  /** The chain id the node reports; differs from 7 to simulate a misconfigured URL. */
  nodeChainId = 7;
  readonly calls: Method[] = [];
  /** Runs before every adapter call; throwing from it stops the call before any effect. */
  beforeCall: ((method: Method, callIndex: number) => void) | undefined;
  /** Every transaction prepare() signed, by hash. */
  readonly signed = new Map<Hex, FakeTx>();

  private chain: Block[] = [{ number: 0, hash: hashOf('genesis'), receipts: [] }];
  private pool = new Map<Hex, FakeTx>();
  private fork = 0;
  private revertNext = false;
  private readonly failures = new Map<Method, Error[]>();
  private readonly lostReplies = new Map<Method, number>();

  describe(): LedgerDescription {
    return {
      kind: 'fake',
      chainId: 7,
      contractAddress: '0x00000000000000000000000000000000000000cc',
      account: OUR_ACCOUNT,
    };
  }

  // ---- fault injection -----------------------------------------------------------

  /** The next call of `method` throws `error` without doing anything. */
  failNext(method: Method, error: Error = new Error(`${method}: connection refused`)): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), error]);
  }

  /** The next call of `method` takes effect on the ledger, but its reply is lost. */
  loseReplyOfNext(method: Method): void {
    this.lostReplies.set(method, (this.lostReplies.get(method) ?? 0) + 1);
  }

  // ---- the adapter -----------------------------------------------------------------

  async isReachable(): Promise<boolean> {
    return this.call('isReachable', () => {
      if (!this.reachable) return false;
      if (this.nodeChainId !== 7) throw new ChainMismatchError(7, this.nodeChainId);
      return true;
    });
  }

  async prepare(request: AnchorRequest): Promise<PreparedTransaction> {
    return this.call('prepare', () => {
      const anchored = this.anchorOf(request.batchId);
      if (anchored && (anchored.root !== request.root || anchored.treeSize !== request.treeSize)) {
        throw new LedgerRejectedError('conflict', `batch id ${request.batchId} is anchored with other data`);
      }
      const tx = this.makeTx(OUR_ACCOUNT, this.pendingNonce(OUR_ACCOUNT), request);
      this.signed.set(tx.txHash, tx);
      return { rawTx: tx.rawTx, txHash: tx.txHash, nonce: tx.nonce };
    });
  }

  async broadcast(rawTx: Hex): Promise<BroadcastOutcome> {
    return this.call('broadcast', () => {
      const tx = decodeTx(rawTx);
      if (this.pool.has(tx.txHash)) return 'already-known';
      if (tx.nonce < this.minedNonce(tx.from)) return 'nonce-used';
      this.pool.set(tx.txHash, tx);
      return 'accepted';
    });
  }

  async getInclusion(txHash: Hex, batchId: Hex): Promise<Inclusion> {
    return this.call('getInclusion', () => {
      for (const block of this.chain) {
        const receipt = block.receipts.find((r) => r.tx.txHash === txHash);
        if (!receipt) continue;
        if (receipt.status === 'reverted')
          return { status: 'reverted', blockNumber: block.number, blockHash: block.hash };
        const emitted = receipt.logIndex !== null && receipt.tx.batchId === batchId;
        return {
          status: 'included',
          blockNumber: block.number,
          blockHash: block.hash,
          anchor: emitted
            ? { txHash, blockNumber: block.number, blockHash: block.hash, logIndex: receipt.logIndex as number }
            : null,
        };
      }
      return this.pool.has(txHash) ? { status: 'pending' } : { status: 'dropped' };
    });
  }

  async confirmations(blockNumber: number, blockHash: Hex): Promise<number | 'reorged'> {
    return this.call('confirmations', () => {
      const block = this.chain[blockNumber];
      if (!block || block.hash !== blockHash) return 'reorged';
      return this.head() - blockNumber + 1;
    });
  }

  async findAnchor(batchId: Hex): Promise<OnChainAnchor | undefined> {
    return this.call('findAnchor', () => this.anchorOf(batchId));
  }

  // ---- driving the chain -------------------------------------------------------------

  head(): number {
    return this.chain.length - 1;
  }

  /** Mines `count` blocks; each takes the pool's transactions whose nonce is next. */
  mine(count = 1): void {
    for (let i = 0; i < count; i++) {
      const receipts: Receipt[] = [];
      let progress = true;
      while (progress) {
        progress = false;
        for (const tx of [...this.pool.values()].sort((a, b) => a.nonce - b.nonce)) {
          if (tx.nonce < this.minedNonce(tx.from, receipts))
            this.pool.delete(tx.txHash); // can never land
          else if (tx.nonce === this.minedNonce(tx.from, receipts)) {
            this.pool.delete(tx.txHash);
            receipts.push(this.execute(tx, receipts));
            progress = true;
          }
        }
      }
      const number = this.chain.length;
      const parent = this.chain[number - 1] as Block;
      const hash = hashOf(`${parent.hash}/${number}/${this.fork}/${receipts.map((r) => r.tx.txHash).join(',')}`);
      this.chain.push({ number, hash, receipts });
    }
  }

  /** Removes the newest `depth` blocks. Their transactions go back to the pool, or vanish. */
  reorg(depth: number, options: { dropTransactions: boolean }): void {
    const removed = this.chain.splice(this.chain.length - depth, depth);
    if (!options.dropTransactions)
      for (const block of removed) for (const r of block.receipts) this.pool.set(r.tx.txHash, r.tx);
    this.fork += 1;
  }

  /**
   * Someone else (another device, an attacker) sends an anchor call; it is mined in a
   * block of its own, ahead of anything waiting in the pool.
   */
  anchorByOtherAccount(request: AnchorRequest): void {
    const tx = this.makeTx(OTHER_ACCOUNT, this.pendingNonce(OTHER_ACCOUNT), request);
    const waiting = this.pool;
    this.pool = new Map([[tx.txHash, tx]]);
    this.mine();
    this.pool = waiting;
  }

  /** The next transaction executed reverts without anchoring (out of gas, say). */
  revertNextExecution(): void {
    this.revertNext = true;
  }

  /** Another transaction from OUR account takes our next nonce (a second machine with the same key). */
  spendOurNextNonce(): void {
    const filler: AnchorRequest = {
      batchId: hashOf(`filler ${this.fork} ${this.head()}`),
      root: hashOf('filler'),
      treeSize: 1,
    };
    const tx = this.makeTx(OUR_ACCOUNT, this.minedNonce(OUR_ACCOUNT), filler);
    // Replaces whatever of ours waits in the pool at that nonce, as a higher fee would.
    for (const pooled of [...this.pool.values()])
      if (pooled.from === OUR_ACCOUNT && pooled.nonce === tx.nonce) this.pool.delete(pooled.txHash);
    this.pool.set(tx.txHash, tx);
    this.mine();
  }

  /** The block holding batchId's Anchored event on the canonical chain, if any. */
  anchoredBlock(batchId: Hex): number | undefined {
    return this.anchorOf(batchId)?.blockNumber;
  }

  /** Drops every transaction from the pool, as a restarted node would. */
  clearPool(): void {
    this.pool.clear();
  }

  poolSize(): number {
    return this.pool.size;
  }

  /** Anchored events for batchId on the canonical chain. */
  eventsFor(batchId: Hex): number {
    return this.chain.flatMap((b) => b.receipts).filter((r) => r.logIndex !== null && r.tx.batchId === batchId).length;
  }

  /** Our transactions mined on the canonical chain (what anchoring cost us). */
  ourMinedTransactions(): number {
    return this.minedNonce(OUR_ACCOUNT);
  }

  // ---- internals -----------------------------------------------------------------------

  private call<T>(method: Method, action: () => T): Promise<T> {
    try {
      this.beforeCall?.(method, this.calls.length);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    this.calls.push(method);
    const failure = this.failures.get(method)?.shift();
    if (failure) return Promise.reject(failure);
    const result = action();
    const lost = this.lostReplies.get(method) ?? 0;
    if (lost > 0) {
      this.lostReplies.set(method, lost - 1);
      return Promise.reject(new Error(`${method}: socket hang up`));
    }
    return Promise.resolve(result);
  }

  private makeTx(from: Hex, nonce: number, request: AnchorRequest): FakeTx {
    // Deterministic like RFC 6979 signing: same account, nonce and call → same bytes.
    const body = JSON.stringify({
      from,
      nonce,
      batchId: request.batchId,
      root: request.root,
      treeSize: request.treeSize,
    });
    const rawTx: Hex = `0x${bytesToHex(new TextEncoder().encode(body))}`;
    return { ...request, from, nonce, rawTx, txHash: hashOf(rawTx) };
  }

  private execute(tx: FakeTx, earlierInBlock: Receipt[]): Receipt {
    if (this.revertNext) {
      this.revertNext = false;
      return { tx, status: 'reverted', logIndex: null };
    }
    const anchored = this.anchorOf(tx.batchId, earlierInBlock);
    if (anchored) {
      const same = anchored.root === tx.root && anchored.treeSize === tx.treeSize;
      return { tx, status: same ? 'success' : 'reverted', logIndex: null };
    }
    const logIndex = earlierInBlock.filter((r) => r.logIndex !== null).length;
    return { tx, status: 'success', logIndex };
  }

  private anchorOf(batchId: Hex, pendingReceipts: Receipt[] = []): OnChainAnchor | undefined {
    const blocks = [...this.chain, { number: this.chain.length, hash: '0x' as Hex, receipts: pendingReceipts }];
    for (const block of blocks) {
      for (const r of block.receipts) {
        if (r.logIndex !== null && r.tx.batchId === batchId) {
          return {
            batchId,
            root: r.tx.root,
            treeSize: r.tx.treeSize,
            submitter: r.tx.from,
            txHash: r.tx.txHash,
            blockNumber: block.number,
            blockHash: block.hash,
            logIndex: r.logIndex,
          };
        }
      }
    }
    return undefined;
  }

  private minedNonce(account: Hex, pendingReceipts: Receipt[] = []): number {
    const all = [...this.chain.flatMap((b) => b.receipts), ...pendingReceipts];
    return all.filter((r) => r.tx.from === account).length;
  }

  private pendingNonce(account: Hex): number {
    let nonce = this.minedNonce(account);
    const pooled = new Set([...this.pool.values()].filter((t) => t.from === account).map((t) => t.nonce));
    while (pooled.has(nonce)) nonce += 1;
    return nonce;
  }
}

function decodeTx(rawTx: Hex): FakeTx {
  const body = new TextDecoder().decode(Uint8Array.from(Buffer.from(rawTx.slice(2), 'hex')));
  const fields = JSON.parse(body) as Omit<FakeTx, 'rawTx' | 'txHash'>;
  return { ...fields, rawTx, txHash: hashOf(rawTx) };
}
