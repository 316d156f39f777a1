// Shared pieces of the outbox tests: real signed checkpoints, a controllable clock, a
// store that "loses power" after a given number of writes, and a loop that drives a
// queue against a ledger until a condition holds.
import {
  AnchorQueue,
  InMemoryOutboxStore,
  ed25519NoteSigner,
  merkleRoot,
  signCheckpoint,
  type AnchorQueueOptions,
  type BatchState,
  type LedgerAdapter,
  type OutboxBatch,
  type OutboxStore,
} from '../../../anchor-queue';
import { syntheticLeaves } from '../helpers';

export const ORIGIN = 'sijill.example/clinic-7/device-3';
const signer = ed25519NoteSigner(ORIGIN, new Uint8Array(32).fill(7));

/** The signed checkpoint of a log holding `size` synthetic leaves. */
export function checkpointNote(size: number, origin = ORIGIN, seed = 1): string {
  const rootHash = merkleRoot(syntheticLeaves(size, seed));
  const originSigner = origin === ORIGIN ? signer : ed25519NoteSigner(origin, new Uint8Array(32).fill(9));
  return signCheckpoint({ origin, size, rootHash }, [originSigner]);
}

export class TestClock {
  constructor(public now = 1_700_000_000_000) {}
  readonly read = (): number => this.now;
  advance(ms: number): number {
    this.now += ms;
    return this.now;
  }
}

export const TEST_BACKOFF = { baseMs: 100, capMs: 1_000 };

export function makeQueue(
  store: OutboxStore,
  ledger: LedgerAdapter,
  clock: TestClock,
  overrides: Partial<AnchorQueueOptions> = {},
): AnchorQueue {
  return new AnchorQueue({
    store,
    ledger,
    confirmations: 3,
    backoff: TEST_BACKOFF,
    clock: clock.read,
    random: () => 0.5,
    ...overrides,
  });
}

/** Power loss: the first `allowedWrites` writes commit, then every call fails. */
export class CrashingStore implements OutboxStore {
  crashed = false;
  writes = 0;

  constructor(
    readonly inner: InMemoryOutboxStore,
    private readonly allowedWrites: number,
  ) {}

  get(batchId: string): OutboxBatch | undefined {
    return this.alive(() => this.inner.get(batchId));
  }
  listInStates(states: readonly BatchState[]): OutboxBatch[] {
    return this.alive(() => this.inner.listInStates(states));
  }
  largestForOrigin(origin: string, states: readonly BatchState[]): OutboxBatch | undefined {
    return this.alive(() => this.inner.largestForOrigin(origin, states));
  }
  countByState(): Record<BatchState, number> {
    return this.alive(() => this.inner.countByState());
  }
  latestFinal(): OutboxBatch | undefined {
    return this.alive(() => this.inner.latestFinal());
  }
  write(batches: readonly OutboxBatch[]): void {
    this.alive(() => {
      if (this.writes >= this.allowedWrites) {
        this.crashed = true;
        throw new Error('power lost');
      }
      this.writes += 1;
      this.inner.write(batches);
    });
  }

  private alive<T>(action: () => T): T {
    if (this.crashed) throw new Error('power lost');
    return action();
  }
}

export interface DriveOptions {
  clock: TestClock;
  /** Called after each round, e.g. to mine a block. */
  between?: (round: number) => void;
  until: () => boolean;
  maxRounds?: number;
  /** Time per round, ms; longer than TEST_BACKOFF.capMs so retries are always due. */
  roundMs?: number;
}

/** Steps `queue` until `until()` holds; returns the number of rounds it took. */
export async function drive(queue: AnchorQueue, options: DriveOptions): Promise<number> {
  const maxRounds = options.maxRounds ?? 60;
  for (let round = 1; round <= maxRounds; round++) {
    await queue.step();
    options.between?.(round);
    if (options.until()) return round;
    options.clock.advance(options.roundMs ?? 1_500);
  }
  throw new Error(`condition not reached in ${maxRounds} rounds`);
}

export function onlyBatch(store: OutboxStore, batchId: string): OutboxBatch {
  const batch = store.get(batchId);
  if (!batch) throw new Error(`batch ${batchId} is not stored`);
  return batch;
}
