// A fixed-capacity ring of waveform samples: the newest `capacity` samples are
// kept, older ones are overwritten. Every sample has an absolute index (0 for the
// first sample ever pushed), so a reader can ask for "samples 1200 to 1699" whatever
// has wrapped in between. Nothing is allocated after construction except by resize().
export class SampleRing {
  private buffer: Float64Array;
  /** Where the next sample goes. */
  private head = 0;
  /** Samples kept (≤ capacity). */
  private size = 0;
  /** Samples ever pushed: the absolute index the next sample will get. */
  private total = 0;

  constructor(capacity: number) {
    this.buffer = new Float64Array(SampleRing.checkCapacity(capacity));
  }

  private static checkCapacity(capacity: number): number {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`ring capacity must be a positive integer, not ${capacity}`);
    return capacity;
  }

  get capacity(): number {
    return this.buffer.length;
  }

  /** Samples kept. */
  get length(): number {
    return this.size;
  }

  /** Samples ever pushed (the absolute index of the next one). */
  get written(): number {
    return this.total;
  }

  /** Absolute index of the oldest sample kept. */
  get firstIndex(): number {
    return this.total - this.size;
  }

  push(samples: ArrayLike<number>): void {
    const n = samples.length;
    const capacity = this.buffer.length;
    // Only the last `capacity` samples of a long batch can survive.
    const start = n > capacity ? n - capacity : 0;
    let head = this.head;
    for (let i = start; i < n; i++) {
      this.buffer[head] = samples[i] as number;
      head += 1;
      if (head === capacity) head = 0;
    }
    this.head = head;
    this.total += n;
    this.size = Math.min(capacity, this.size + n);
  }

  /** The sample with absolute index `index`, or NaN when it is not (or no longer) kept. */
  at(index: number): number {
    if (index < this.total - this.size || index >= this.total) return Number.NaN;
    return this.buffer[this.slot(index)] as number;
  }

  /** The newest sample, or NaN when empty. */
  last(): number {
    return this.at(this.total - 1);
  }

  /**
   * Copies the samples of absolute indexes [from, from + count) that are kept into
   * `out` from `outOffset`, oldest first. Returns how many were copied (those before
   * the oldest kept sample or after the newest are skipped).
   */
  copyTo(from: number, count: number, out: Float64Array, outOffset = 0): number {
    const first = Math.max(from, this.total - this.size);
    const end = Math.min(from + count, this.total, first + (out.length - outOffset));
    let j = outOffset;
    for (let index = first; index < end; index++) out[j++] = this.buffer[this.slot(index)] as number;
    return Math.max(0, end - first);
  }

  /** Smallest and largest sample among absolute indexes [from, to]; NaN when none is kept. */
  minMax(from: number, to: number, out: [number, number]): [number, number] {
    const first = Math.max(from, this.total - this.size);
    const last = Math.min(to, this.total - 1);
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let index = first; index <= last; index++) {
      const v = this.buffer[this.slot(index)] as number;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    out[0] = last >= first ? min : Number.NaN;
    out[1] = last >= first ? max : Number.NaN;
    return out;
  }

  /** Changes the capacity, keeping the newest samples that fit and their absolute indexes. */
  resize(capacity: number): void {
    SampleRing.checkCapacity(capacity);
    if (capacity === this.buffer.length) return;
    const keep = Math.min(this.size, capacity);
    const next = new Float64Array(capacity);
    this.copyTo(this.total - keep, keep, next, 0);
    this.buffer = next;
    this.size = keep;
    this.head = keep % capacity;
  }

  /** Forgets every sample; absolute indexes start again at 0. */
  clear(): void {
    this.head = 0;
    this.size = 0;
    this.total = 0;
  }

  private slot(index: number): number {
    // The newest sample (index total - 1) sits just before head.
    const capacity = this.buffer.length;
    const back = this.total - index; // 1 for the newest
    let slot = this.head - back;
    if (slot < 0) slot += capacity;
    return slot;
  }
}
