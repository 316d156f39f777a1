// The scrolling live waveform as data, without any drawing: samples arrive in
// batches (~4 a second), the trace plays them back at their own sample rate a little
// behind the newest one, so that it moves smoothly instead of jumping by a batch.
//
// Each animation frame: advance(now) moves the playhead, fill() writes the visible
// window into preallocated x (seconds, ≤ 0 = now) and y arrays. Nothing is allocated
// per frame; arrays are reallocated only when the signal or its sample rate changes.
import { SampleRing } from './sample-ring';

export interface TraceOptions {
  /** Seconds of signal shown. */
  windowSeconds: number;
  /** How far behind the newest sample the trace runs (covers the gap between batches). */
  latencySeconds: number;
  /** Further behind than this (a hidden tab, a burst of data), the trace jumps forward. */
  maxLagSeconds: number;
}

export const DEFAULT_TRACE: TraceOptions = { windowSeconds: 6, latencySeconds: 0.5, maxLagSeconds: 2 };

/** Sample rates outside this range are ignored: they would be a device or parsing error. */
export const MAX_SAMPLE_RATE = 10_000;

/** How fast the playhead is pulled towards its target lag (fraction of the error per second). */
const DRIFT_GAIN = 0.2;

export class LiveTrace {
  readonly options: TraceOptions;
  private ring: SampleRing = new SampleRing(1);
  private rate = 0;
  private signal: string | null = null;
  /** Absolute (fractional) sample index shown at x = 0; NaN before the first frame. */
  private playhead = Number.NaN;
  private lastFrameMs = Number.NaN;
  private windowSamples = 0;
  /** x of each visible sample in seconds (≤ 0), oldest first. */
  xs: Float64Array = new Float64Array(0);
  ys: Float64Array = new Float64Array(0);
  /** Visible samples in xs/ys. */
  count = 0;
  /** Absolute index of the sample in xs[0]. */
  private firstShown = 0;
  private view: [Float64Array, Float64Array] = [this.xs, this.ys];
  private readonly range: [number, number] = [Number.NaN, Number.NaN];
  private readonly scratch: [number, number] = [Number.NaN, Number.NaN];

  constructor(options: Partial<TraceOptions> = {}) {
    this.options = { ...DEFAULT_TRACE, ...options };
  }

  get sampleRate(): number {
    return this.rate;
  }

  get code(): string | null {
    return this.signal;
  }

  get samples(): SampleRing {
    return this.ring;
  }

  /**
   * Adds a batch of samples. A new signal or sample rate starts the trace afresh.
   * Returns false (and keeps nothing) when the sample rate is not usable.
   */
  append(samples: ArrayLike<number>, sampleRate: number, code: string): boolean {
    if (!Number.isFinite(sampleRate) || sampleRate <= 0 || sampleRate > MAX_SAMPLE_RATE) return false;
    if (sampleRate !== this.rate || code !== this.signal) this.configure(sampleRate, code);
    this.ring.push(samples);
    return true;
  }

  /**
   * Moves the playhead to wall-clock time `nowMs` (performance.now() or Date.now()).
   * Returns whether it moved, i.e. whether the plot needs drawing again.
   */
  advance(nowMs: number): boolean {
    const written = this.ring.written;
    if (written === 0 || this.rate === 0) return false;
    const { latencySeconds, maxLagSeconds } = this.options;
    const target = written - latencySeconds * this.rate;
    if (Number.isNaN(this.playhead)) {
      this.playhead = Math.min(target, written - 1);
      this.lastFrameMs = nowMs;
      return true;
    }
    // A frame after a long pause (hidden tab) counts as at most one second.
    const dt = Math.min(Math.max(nowMs - this.lastFrameMs, 0), 1000) / 1000;
    this.lastFrameMs = nowMs;
    let playhead = this.playhead + dt * this.rate;
    if (target - playhead > maxLagSeconds * this.rate) playhead = target;
    else playhead += (target - playhead) * Math.min(1, DRIFT_GAIN * dt);
    // Never run past the newest sample: with no new data the trace stops.
    playhead = Math.min(playhead, written - 1);
    const moved = playhead !== this.playhead;
    this.playhead = playhead;
    return moved;
  }

  /** Writes the visible window into xs/ys; returns (and sets) count. */
  fill(): number {
    if (Number.isNaN(this.playhead) || this.rate === 0) {
      this.count = 0;
      return 0;
    }
    const last = Math.min(Math.floor(this.playhead), this.ring.written - 1);
    const first = Math.max(this.ring.firstIndex, last - this.windowSamples + 1, 0);
    const count = Math.max(0, last - first + 1);
    this.ring.copyTo(first, count, this.ys, 0);
    const xs = this.xs;
    const rate = this.rate;
    const playhead = this.playhead;
    for (let j = 0; j < count; j++) xs[j] = (first + j - playhead) / rate;
    this.count = count;
    this.firstShown = first;
    return count;
  }

  /**
   * [xs, ys] limited to the visible samples, for the plot. The same views come back
   * while the count does not change (it does not once the window is full).
   */
  plotData(): [Float64Array, Float64Array] {
    if (this.view[0].length !== this.count || this.view[0].buffer !== this.xs.buffer) {
      this.view = [this.xs.subarray(0, this.count), this.ys.subarray(0, this.count)];
    }
    return this.view;
  }

  /**
   * A y range for the visible samples that does not twitch from frame to frame: it
   * grows at once to fit the signal and shrinks only when the signal uses less than
   * half of it. The same array is returned each time.
   */
  yRange(): [number, number] {
    if (this.count === 0) return this.range;
    this.ring.minMax(this.firstShown, this.firstShown + this.count - 1, this.scratch);
    return stableRange(this.range, this.scratch[0], this.scratch[1]);
  }

  private configure(sampleRate: number, code: string): void {
    const { windowSeconds, latencySeconds, maxLagSeconds } = this.options;
    this.rate = sampleRate;
    this.signal = code;
    this.windowSamples = Math.max(2, Math.round(windowSeconds * sampleRate));
    const capacity = Math.ceil((windowSeconds + latencySeconds + maxLagSeconds + 1) * sampleRate);
    this.ring = new SampleRing(capacity);
    this.xs = new Float64Array(this.windowSamples);
    this.ys = new Float64Array(this.windowSamples);
    this.count = 0;
    this.view = [this.xs.subarray(0, 0), this.ys.subarray(0, 0)];
    this.playhead = Number.NaN;
    this.lastFrameMs = Number.NaN;
    this.range[0] = Number.NaN;
    this.range[1] = Number.NaN;
  }
}

/**
 * Updates `current` in place to show [min, max] with a margin: grown at once when the
 * data leave it, shrunk only when the data span less than half of it. A flat signal
 * gets a range of ±1 around its value.
 */
export function stableRange(current: [number, number], min: number, max: number): [number, number] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return current;
  const span = max - min;
  const pad = span > 0 ? span * 0.1 : 1;
  const lo = min - pad;
  const hi = max + pad;
  if (!Number.isFinite(current[0]) || !Number.isFinite(current[1])) {
    current[0] = lo;
    current[1] = hi;
  } else if (min < current[0] || max > current[1]) {
    current[0] = Math.min(current[0], lo);
    current[1] = Math.max(current[1], hi);
  } else if (span < 0.5 * (current[1] - current[0])) {
    current[0] = lo;
    current[1] = hi;
  }
  return current;
}
