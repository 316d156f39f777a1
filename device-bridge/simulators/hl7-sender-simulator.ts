// A simulated patient monitor sending ORU^R01 over MLLP and waiting for each acknowledgement: MSA|AA → next
// message; MSA|AE/AR, or no ACK in time → the same message (same MSH-10) again, as real senders do.
import { MllpFramer, mllpWrap } from '../framers/mllp';
import { hl7Get, hl7Segment, parseHl7 } from '../parsers/hl7';
import { systemClock, type Clock, type TimerHandle } from '../supervisor/clock';
import { SimulatorTimers } from './timers';
import { describeError, type ByteTransport } from '../transport/types';
import { hl7ControlId, hl7VitalsMessage } from './messages';

export interface Hl7SenderSimulatorOptions {
  clock?: Clock;
  /** Messages to send (numbers first, first+1, …). Default 1. */
  messages?: number;
  firstMessage?: number;
  /** Pause between acknowledged messages. Default 1 s. */
  intervalMs?: number;
  /** Wait this long for an ACK before sending again. Default 5 s. */
  ackTimeoutMs?: number;
  /** Pause before resending a rejected message. Default 1 s. */
  retryMs?: number;
  startTime?: Date;
}

export interface Hl7SenderSimulatorStats {
  /** Message numbers acknowledged with AA, in order. */
  acknowledged: number[];
  rejections: number;
  timeouts: number;
  sends: number;
  done: boolean;
  lastError?: string;
}

export class Hl7SenderSimulator {
  private readonly clock: Clock;
  private readonly framer = new MllpFramer();
  private readonly first: number;
  private readonly total: number;
  private current: number;
  private awaiting = false;
  private ackTimer: TimerHandle | undefined;
  private readonly timers: SimulatorTimers;
  private unsubscribe: (() => void) | undefined;
  private readonly stats_: Hl7SenderSimulatorStats = {
    acknowledged: [],
    rejections: 0,
    timeouts: 0,
    sends: 0,
    done: false,
  };
  private doneWaiters: (() => void)[] = [];

  constructor(
    private readonly transport: ByteTransport,
    private readonly options: Hl7SenderSimulatorOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.timers = new SimulatorTimers(this.clock);
    this.first = options.firstMessage ?? 1;
    this.total = options.messages ?? 1;
    this.current = this.first;
  }

  start(): void {
    if (this.timers.running) return;
    this.timers.start();
    this.unsubscribe = this.transport.on('data', (bytes) => {
      for (const ev of this.framer.push(bytes)) if (ev.type === 'message') this.onAck(ev.text);
    });
    this.sendCurrent();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.timers.stop();
  }

  stats(): Hl7SenderSimulatorStats {
    return { ...this.stats_, acknowledged: [...this.stats_.acknowledged] };
  }

  whenDone(): Promise<void> {
    if (this.stats_.done) return Promise.resolve();
    return new Promise((resolve) => this.doneWaiters.push(resolve));
  }

  private sendCurrent(): void {
    if (!this.timers.running || this.current >= this.first + this.total) return;
    const n = this.current;
    const at = new Date((this.options.startTime ?? new Date('2026-05-05T10:21:33Z')).getTime() + (n - 1) * 60_000);
    this.awaiting = true;
    this.stats_.sends++;
    this.transport.write(mllpWrap(hl7VitalsMessage(n, at))).catch((e: unknown) => {
      this.stats_.lastError = describeError(e);
    });
    this.ackTimer = this.timers.after(this.options.ackTimeoutMs ?? 5000, () => {
      this.awaiting = false;
      this.stats_.timeouts++;
      this.sendCurrent();
    });
  }

  private onAck(text: string): void {
    if (!this.awaiting) return;
    const parsed = parseHl7(text);
    const msa = parsed.message && hl7Segment(parsed.message, 'MSA');
    if (!parsed.message || !msa) return;
    const d = parsed.message.delimiters;
    if (hl7Get(msa, 2, d) !== hl7ControlId(this.current)) return; // an ACK for an earlier copy: ignore
    this.awaiting = false;
    if (this.ackTimer !== undefined) {
      this.timers.cancel(this.ackTimer);
    }
    const code = hl7Get(msa, 1, d);
    if (code === 'AA' || code === 'CA') {
      this.stats_.acknowledged.push(this.current);
      this.current++;
      if (this.current >= this.first + this.total) {
        this.stats_.done = true;
        for (const w of this.doneWaiters.splice(0)) w();
      } else {
        this.timers.after(this.options.intervalMs ?? 1000, () => this.sendCurrent());
      }
    } else {
      this.stats_.rejections++;
      this.timers.after(this.options.retryMs ?? 1000, () => this.sendCurrent());
    }
  }
}
