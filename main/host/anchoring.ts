// Anchoring, as the host runs it: seal a signed checkpoint every N leaves or T
// seconds, and when a ledger is configured hand the newest checkpoint to the
// durable outbox queue, which anchors it whenever the ledger is reachable.
// Recording never waits on any of this: sealing is a local write, the queue runs on
// its own timers, and a failure only shows up in status().
import { AnchorQueue, EvmLedgerAdapter, type AnchorQueueStatus, type Hex } from '../../anchor-queue';
import { fromB64, toB64 } from '../store/crypto/encoding';
import type { Db } from '../store/database';
import { sealPrivateKey, unsealPrivateKey } from '../store/data-dir';
import { countCheckpoints, latestCheckpoint, sealCheckpoint } from '../store/anchor-log/checkpoints';
import { merkleLogOf } from '../store/anchor-log/record-leaf';
import { SqliteOutboxStore } from '../store/anchor-log/sqlite-outbox-store';
import type { AnchorInfo } from '../store/anchor-log/receipts';
import { getMeta, setMeta } from '../store/repositories/meta';

export interface LedgerSettings {
  rpcUrl: string;
  chainId: number;
  contractAddress: Hex;
  /** Blocks before an anchor is final (1 on Besu QBFT/IBFT, ~12 on Ethereum). */
  confirmations: number;
  /** The clinic's ledger account key; stored sealed under the database key. */
  privateKey: Hex;
}

export interface SealPolicy {
  everyLeaves: number;
  everySeconds: number;
}

export const DEFAULT_SEAL_POLICY: SealPolicy = { everyLeaves: 64, everySeconds: 60 };

export interface AnchoringStatus {
  leaves: number;
  checkpoints: number;
  lastCheckpoint: { treeSize: number; createdAt: string } | null;
  ledgerConfigured: boolean;
  ledger: {
    rpcUrl: string;
    chainId: number;
    contract: string;
    reachable: boolean | null;
    lastError: string | null;
  } | null;
  counts: AnchorQueueStatus['counts'] | null;
  pendingAnchors: number;
  anchored: number;
  lastAnchored: { treeSize: number; blockNumber: number; blockHash: string; txHash: string; at: string } | null;
}

const KEY_CONTEXT = 'ledger.account_key';

export class Anchoring {
  readonly #db: Db;
  readonly #dataKey: Uint8Array;
  readonly #policy: SealPolicy;
  readonly #outbox: SqliteOutboxStore;
  #queue: AnchorQueue | null = null;
  #settings: Omit<LedgerSettings, 'privateKey'> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #reconfiguring: Promise<void> = Promise.resolve();
  #stopped = false;
  readonly #log: (msg: string) => void;

  constructor(db: Db, dataKey: Uint8Array, options: { policy?: SealPolicy; log?: (msg: string) => void } = {}) {
    this.#db = db;
    this.#dataKey = dataKey;
    this.#policy = options.policy ?? DEFAULT_SEAL_POLICY;
    this.#outbox = new SqliteOutboxStore(db);
    this.#log = options.log ?? (() => {});
    const stored = this.#storedSettings();
    if (stored) this.#startQueue(stored);
  }

  /** Starts the sealing timer (the queue, once configured, runs its own). */
  start(options: { checkIntervalMs?: number; onChange?: () => void } = {}): void {
    if (this.#timer) return;
    let lastSeen = '';
    this.#timer = setInterval(() => {
      this.tick();
      // Tell clients when anything they would see changed (a seal, an anchor's progress).
      const s = this.status();
      const seen = JSON.stringify([s.checkpoints, s.counts, s.ledger?.reachable]);
      if (seen !== lastSeen) {
        lastSeen = seen;
        options.onChange?.();
      }
    }, options.checkIntervalMs ?? 5_000);
    this.#timer.unref();
  }

  /** Seals when the policy says so; returns true when a checkpoint was sealed. */
  tick(now = new Date()): boolean {
    try {
      const size = merkleLogOf(this.#db).log.size;
      const last = latestCheckpoint(this.#db);
      const sealed = last?.treeSize ?? 0;
      if (size === sealed) return false;
      const due =
        size - sealed >= this.#policy.everyLeaves ||
        !last ||
        now.getTime() - Date.parse(last.createdAt) >= this.#policy.everySeconds * 1000;
      if (!due) return false;
      return this.sealNow(now) !== null;
    } catch (err) {
      this.#log(`anchoring: sealing failed: ${err instanceof Error ? err.message : String(err)}`);
      return false;
    }
  }

  /** Seals a checkpoint now (if there are new leaves) and queues it for anchoring. */
  sealNow(now = new Date()): { treeSize: number } | null {
    const cp = sealCheckpoint(this.#db, this.#dataKey, now);
    if (cp && this.#queue) this.#queue.enqueue(cp.note);
    return cp ? { treeSize: cp.treeSize } : null;
  }

  configureLedger(settings: LedgerSettings): void {
    // Validates the settings (key format, address) before anything is stored.
    new EvmLedgerAdapter({
      rpcUrl: settings.rpcUrl,
      chainId: settings.chainId,
      contractAddress: settings.contractAddress,
      privateKey: settings.privateKey,
    });
    const keyBox = sealPrivateKey(this.#dataKey, new Uint8Array(Buffer.from(settings.privateKey.slice(2), 'hex')));
    this.#db.transaction(() => {
      setMeta(this.#db, 'ledger.rpc_url', settings.rpcUrl);
      setMeta(this.#db, 'ledger.chain_id', String(settings.chainId));
      setMeta(this.#db, 'ledger.contract', settings.contractAddress);
      setMeta(this.#db, 'ledger.confirmations', String(settings.confirmations));
      setMeta(this.#db, KEY_CONTEXT, toB64(keyBox));
    })();
    this.#settings = {
      rpcUrl: settings.rpcUrl,
      chainId: settings.chainId,
      contractAddress: settings.contractAddress,
      confirmations: settings.confirmations,
    };
    // Reconfigurations run one after another, each starting from what is stored then,
    // so the newest settings win and two queues never run side by side.
    this.#reconfiguring = this.#reconfiguring.then(async () => {
      await this.#stopQueue();
      const stored = this.#storedSettings();
      if (stored && !this.#stopped) this.#startQueue(stored);
    });
  }

  #storedSettings(): LedgerSettings | null {
    const rpcUrl = getMeta(this.#db, 'ledger.rpc_url');
    const key = getMeta(this.#db, KEY_CONTEXT);
    if (!rpcUrl || !key) return null;
    return {
      rpcUrl,
      chainId: Number(getMeta(this.#db, 'ledger.chain_id')),
      contractAddress: getMeta(this.#db, 'ledger.contract') as Hex,
      confirmations: Number(getMeta(this.#db, 'ledger.confirmations') ?? '1'),
      privateKey: `0x${Buffer.from(unsealPrivateKey(this.#dataKey, fromB64(key))).toString('hex')}` as Hex,
    };
  }

  #startQueue(settings: LedgerSettings): void {
    const ledger = new EvmLedgerAdapter({
      rpcUrl: settings.rpcUrl,
      chainId: settings.chainId,
      contractAddress: settings.contractAddress,
      privateKey: settings.privateKey,
    });
    this.#settings = {
      rpcUrl: settings.rpcUrl,
      chainId: settings.chainId,
      contractAddress: settings.contractAddress,
      confirmations: settings.confirmations,
    };
    this.#queue = new AnchorQueue({
      store: this.#outbox,
      ledger,
      confirmations: settings.confirmations,
      pollIntervalMs: 2_000,
    });
    // Only the newest checkpoint needs anchoring; older ones are tied to it by consistency proofs.
    const last = latestCheckpoint(this.#db);
    if (last) this.#queue.enqueue(last.note);
    void this.#queue.run();
  }

  async #stopQueue(): Promise<void> {
    const q = this.#queue;
    this.#queue = null;
    if (q) await q.stop();
  }

  /** One round of the queue's work now (tests and `sijill anchor run`). */
  async stepQueue(): Promise<void> {
    await this.#reconfiguring;
    await this.#queue?.step();
  }

  /** The newest final anchor, as receipts cite it. */
  latestAnchor(): AnchorInfo | null {
    const b = this.#outbox.latestFinal();
    if (!b || b.blockNumber === undefined || !b.blockHash) return null;
    const settings = this.#settings ?? this.#storedSettings();
    if (!settings) return null;
    return {
      treeSize: b.treeSize,
      chainId: settings.chainId,
      contract: settings.contractAddress,
      batchId: b.batchId,
      txHash: b.anchorTxHash ?? b.txHash ?? '',
      blockNumber: b.blockNumber,
      blockHash: b.blockHash,
    };
  }

  status(): AnchoringStatus {
    const counts = this.#outbox.countByState();
    const last = latestCheckpoint(this.#db);
    const q = this.#queue?.status();
    const final = this.#outbox.latestFinal();
    return {
      leaves: merkleLogOf(this.#db).log.size,
      checkpoints: countCheckpoints(this.#db),
      lastCheckpoint: last ? { treeSize: last.treeSize, createdAt: last.createdAt } : null,
      ledgerConfigured: this.#settings !== null,
      ledger: this.#settings
        ? {
            rpcUrl: this.#settings.rpcUrl,
            chainId: this.#settings.chainId,
            contract: this.#settings.contractAddress,
            reachable: q?.ledger.reachable ?? null,
            lastError: q?.ledger.lastError ?? null,
          }
        : null,
      counts,
      pendingAnchors: counts.sealed + counts.submitted + counts.included,
      anchored: counts.final,
      lastAnchored:
        final && final.blockNumber !== undefined && final.blockHash
          ? {
              treeSize: final.treeSize,
              blockNumber: final.blockNumber,
              blockHash: final.blockHash,
              txHash: final.anchorTxHash ?? final.txHash ?? '',
              at: new Date(final.finalAt ?? 0).toISOString(),
            }
          : null,
    };
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#reconfiguring;
    await this.#stopQueue();
  }
}
