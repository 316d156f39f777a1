// One direction of one relayed connection whose frames a host judges, perhaps later
// (it may have to read a document before it can decide). Each frame is judged as it
// arrives, so decisions run side by side, but frames are delivered strictly in the
// order they arrived: a frame whose decision is known waits behind earlier ones still
// pending. automerge-repo's sync is a conversation per document; a later frame
// overtaking an earlier one would confuse both ends.
//
// The queue is bounded: past `max` waiting frames the source is paused (no more is read
// from its socket), and resumed once the queue is down to half. A judge that throws or
// whose promise rejects counts as a no.

export type Verdict = boolean | Promise<boolean>;

export interface OrderedVerdictsOptions<T> {
  /** Called once per frame, in arrival order, when its decision is known. */
  deliver(item: T, allow: boolean): void;
  /** Stop reading from the source: too many frames wait for a decision. */
  pause(): void;
  resume(): void;
  /** Waiting frames past which the source is paused (default 256). */
  max?: number;
}

export class OrderedVerdicts<T> {
  readonly #o: OrderedVerdictsOptions<T>;
  readonly #max: number;
  readonly #queue: { item: T; verdict: Verdict }[] = [];
  #draining = false;
  #paused = false;
  #closed = false;

  constructor(options: OrderedVerdictsOptions<T>) {
    this.#o = options;
    this.#max = options.max ?? 256;
  }

  /** Frames waiting for their decision or for an earlier one. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Judges `item` now and delivers it after every frame pushed before it. */
  push(item: T, judge: () => Verdict): void {
    if (this.#closed) return;
    let verdict: Verdict;
    try {
      verdict = judge();
    } catch {
      verdict = false;
    }
    // Nothing waiting and an answer at once: no queue.
    if (this.#queue.length === 0 && typeof verdict === 'boolean') return this.#o.deliver(item, verdict);
    if (typeof verdict !== 'boolean')
      verdict = Promise.resolve(verdict).then(
        (v) => v === true,
        () => false,
      );
    this.#queue.push({ item, verdict });
    if (this.#queue.length >= this.#max && !this.#paused) {
      this.#paused = true;
      this.#o.pause();
    }
    if (!this.#draining) void this.#drain();
  }

  /** Drops whatever waits; nothing is delivered after this (the connection is gone). */
  close(): void {
    this.#closed = true;
    this.#queue.length = 0;
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (this.#queue.length > 0 && !this.#closed) {
        const head = this.#queue[0]!;
        const allow = typeof head.verdict === 'boolean' ? head.verdict : await head.verdict;
        if (this.#closed) return;
        this.#queue.shift();
        this.#o.deliver(head.item, allow);
        if (this.#paused && this.#queue.length < this.#max / 2) {
          this.#paused = false;
          this.#o.resume();
        }
      }
    } finally {
      this.#draining = false;
    }
  }
}
