// The timers of a simulated sender: every callback is dropped once the simulator
// stops, and stop() cancels whatever is still pending, so a stopped simulator never
// writes to a closed port.
import type { Clock, TimerHandle } from '../supervisor/clock';

export class SimulatorTimers {
  readonly #pending = new Set<TimerHandle>();
  #running = false;

  constructor(private readonly clock: Clock) {}

  get running(): boolean {
    return this.#running;
  }

  start(): void {
    this.#running = true;
  }

  /** Runs fn after ms, unless the simulator was stopped meanwhile. */
  after(ms: number, fn: () => void): TimerHandle {
    const t = this.clock.setTimeout(() => {
      this.#pending.delete(t);
      if (this.#running) fn();
    }, ms);
    this.#pending.add(t);
    return t;
  }

  cancel(t: TimerHandle): void {
    this.clock.clearTimeout(t);
    this.#pending.delete(t);
  }

  stop(): void {
    this.#running = false;
    for (const t of this.#pending) this.clock.clearTimeout(t);
    this.#pending.clear();
  }
}
