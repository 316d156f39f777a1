// Background storage for streaming protocols. Oximeters and ECG front-ends cannot be asked to resend, so items
// wait here while the sink is failing and are retried (coalesced into one call) when it recovers. One store
// call is in flight at a time, which keeps items in arrival order. The backlog is bounded: past the limit the
// oldest items are dropped and reported, so a dead sink cannot exhaust memory.
import type { Clock, TimerHandle } from '../supervisor/clock';
import type { DecodedItem } from '../types';

interface Batch {
  items: DecodedItem[];
  receivedAt: number;
}

export interface StreamStoreOptions {
  store: (items: DecodedItem[], receivedAt: number) => Promise<void>;
  onDropped: (count: number) => void;
  clock: Clock;
  limit: number;
  retryMs: number;
}

export class StreamStore {
  private backlog: Batch[] = [];
  private held = 0;
  private inFlight: Promise<void> | undefined;
  private retryTimer: TimerHandle | undefined;
  private closed = false;

  constructor(private readonly options: StreamStoreOptions) {}

  get pendingItems(): number {
    return this.held;
  }

  add(items: DecodedItem[], receivedAt: number): void {
    this.closed = false; // a stopped supervisor that is started again
    this.backlog.push({ items, receivedAt });
    this.held += items.length;
    let dropped = 0;
    while (this.held > this.options.limit && this.backlog.length > 1) {
      const oldest = this.backlog.shift() as Batch;
      this.held -= oldest.items.length;
      dropped += oldest.items.length;
    }
    if (dropped > 0) this.options.onDropped(dropped);
    this.kick();
  }

  /** Resolves when nothing is in flight (items may remain if the sink keeps failing). */
  async idle(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  /** One last attempt for what is held, then no retries until more items arrive. */
  async close(): Promise<void> {
    await this.idle();
    if (this.backlog.length > 0) {
      this.kick();
      await this.idle();
    }
    this.closed = true;
    if (this.retryTimer !== undefined) this.options.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private kick(): void {
    if (this.inFlight || this.backlog.length === 0 || this.closed) return;
    const batches = this.backlog;
    this.backlog = [];
    const items = batches.flatMap((b) => b.items);
    const receivedAt = (batches[batches.length - 1] as Batch).receivedAt;
    this.inFlight = this.options
      .store(items, receivedAt)
      .then(
        () => {
          this.held -= items.length;
        },
        () => {
          // keep them, in order, ahead of anything that arrived meanwhile
          this.backlog = [...batches, ...this.backlog];
          this.scheduleRetry();
        },
      )
      .finally(() => {
        this.inFlight = undefined;
        if (this.retryTimer === undefined) this.kick();
      });
  }

  private scheduleRetry(): void {
    if (this.retryTimer !== undefined || this.closed) return;
    this.retryTimer = this.options.clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.kick();
    }, this.options.retryMs);
  }
}
