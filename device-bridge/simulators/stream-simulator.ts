// Drives a streaming device (oximeter, ECG front-end) on a transport: writes the packets that are due by the
// clock, in real time (or faster with `speed`). With `waitForCommand` it behaves like a CMS50D+: silent until
// the host sends something, and silent again when the host stops sending its keep-alive.
import { systemClock, type Clock, type TimerHandle } from '../supervisor/clock';
import { describeError, type ByteTransport } from '../transport/types';
import type { PacketSource } from './sources';

export interface StreamSimulatorOptions {
  clock?: Clock;
  /** Time multiplier (2 = twice real time). Default 1. */
  speed?: number;
  /** Write period. Default 20 ms. */
  tickMs?: number;
  /** Stream only after the host sent a byte, and stop after `commandTimeoutMs` without one. */
  waitForCommand?: boolean;
  /** Default 5 s (the CMS50D+'s keep-alive limit). */
  commandTimeoutMs?: number;
}

export interface StreamSimulatorStats {
  packetsSent: number;
  bytesSent: number;
  /** Bytes the host sent us (start and keep-alive commands). */
  bytesReceived: number;
  streaming: boolean;
  lastError?: string;
}

export class StreamSimulator {
  private readonly clock: Clock;
  private readonly speed: number;
  private timer: TimerHandle | undefined;
  private unsubscribe: (() => void) | undefined;
  private streaming = false;
  private startedAt = 0;
  private startIndex = 0;
  private next = 0;
  private writing = false;
  private lastCommandAt = 0;
  private running = false;
  readonly received: Uint8Array[] = [];
  private counters = { packetsSent: 0, bytesSent: 0, bytesReceived: 0 };
  private lastError: string | undefined;

  constructor(
    private readonly transport: ByteTransport,
    private readonly source: PacketSource,
    private readonly options: StreamSimulatorOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.speed = options.speed ?? 1;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.transport.on('data', (bytes) => {
      this.received.push(bytes);
      this.counters.bytesReceived += bytes.length;
      this.lastCommandAt = this.clock.now();
      if (!this.streaming) this.beginStreaming();
    });
    if (!this.options.waitForCommand) this.beginStreaming();
    this.schedule();
  }

  stop(): void {
    this.running = false;
    this.streaming = false;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  stats(): StreamSimulatorStats {
    const s: StreamSimulatorStats = { ...this.counters, streaming: this.streaming };
    if (this.lastError !== undefined) s.lastError = this.lastError;
    return s;
  }

  private beginStreaming(): void {
    this.streaming = true;
    this.startedAt = this.clock.now();
    this.startIndex = this.next;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = this.clock.setTimeout(() => {
      this.tick();
      this.schedule();
    }, this.options.tickMs ?? 20);
  }

  private tick(): void {
    const now = this.clock.now();
    if (
      this.streaming &&
      this.options.waitForCommand &&
      now - this.lastCommandAt > (this.options.commandTimeoutMs ?? 5000)
    ) {
      this.streaming = false; // no keep-alive: the device stops sending
    }
    if (!this.streaming || this.writing || !this.transport.isOpen) return;
    const due = this.startIndex + Math.floor(((now - this.startedAt) * this.source.rate * this.speed) / 1000);
    if (due <= this.next) return;
    const packets: Uint8Array[] = [];
    for (let i = this.next; i < due; i++) packets.push(this.source.packet(i));
    const bytes = new Uint8Array(packets.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of packets) {
      bytes.set(p, o);
      o += p.length;
    }
    this.writing = true;
    this.transport.write(bytes).then(
      () => {
        this.writing = false;
        this.next = due;
        this.counters.packetsSent += packets.length;
        this.counters.bytesSent += bytes.length;
      },
      (e: unknown) => {
        this.writing = false;
        this.lastError = describeError(e);
      },
    );
  }
}
