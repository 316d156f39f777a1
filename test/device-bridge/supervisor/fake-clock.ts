// A fake Clock: time moves only when a test advances it; due timers run in time order, and pending promise
// work (transport deliveries, sink calls) is flushed after each one.
import type { Clock, TimerHandle } from '../../../device-bridge/index';

interface Timer {
  at: number;
  id: number;
  fn: () => void;
}

export async function flushAsync(rounds = 8): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}

export class FakeClock implements Clock {
  private t: number;
  private nextId = 1;
  private readonly timers = new Map<number, Timer>();

  constructor(start = 1_700_000_000_000) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { at: this.t + Math.max(0, ms), id, fn });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }

  get pending(): number {
    return this.timers.size;
  }

  /** Runs every timer due within `ms`, in order, letting async work settle after each. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    await flushAsync();
    for (;;) {
      let next: Timer | undefined;
      for (const timer of this.timers.values()) {
        if (timer.at <= end && (!next || timer.at < next.at || (timer.at === next.at && timer.id < next.id))) {
          next = timer;
        }
      }
      if (!next) break;
      this.timers.delete(next.id);
      this.t = next.at;
      next.fn();
      await flushAsync();
    }
    this.t = end;
    await flushAsync();
  }
}
