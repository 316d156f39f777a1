// A simulated analyser sending result messages with the E1381 sender state machine (AstmLinkSender): ENQ,
// frames one at a time on ACK, retransmission on NAK, EOT. A message that failed (refused six times, or no
// reply) is sent again later, as analysers do, so nothing the host did not acknowledge is lost.
import { encodeAstmRecords } from '../framers/astm-link';
import { AstmLinkSender, type AstmSenderEvent } from '../framers/astm-sender';
import { systemClock, type Clock } from '../supervisor/clock';
import { SimulatorTimers } from './timers';
import { describeError, type ByteTransport } from '../transport/types';
import { asciiBytes } from '../util/text';
import { astmCbcRecords } from './messages';

export interface AstmSenderSimulatorOptions {
  clock?: Clock;
  /** Messages to send (sample numbers first, first+1, …). Default 1. */
  messages?: number;
  /** Number of the first sample. Default 1. */
  firstSample?: number;
  /** Pause between messages. Default 1 s. */
  intervalMs?: number;
  /** Pause before sending a failed message again. Default 2 s. */
  retryMs?: number;
  /** Instrument clock for the first message. Default 2026-05-05T10:21:33Z. */
  startTime?: Date;
  /** Records of message n, instead of a CBC. */
  records?: (n: number, at: Date) => string[];
  /** Sender timers (E1381: 15 s reply timeout). */
  replyTimeoutMs?: number;
}

export interface AstmSenderSimulatorStats {
  delivered: number[];
  failures: number;
  naksReceived: number;
  framesSent: number;
  done: boolean;
  lastError?: string;
}

export class AstmSenderSimulator {
  private readonly clock: Clock;
  private readonly sender: AstmLinkSender;
  private readonly first: number;
  private readonly total: number;
  private current: number;
  private unsubscribe: (() => void) | undefined;
  private readonly timers: SimulatorTimers;
  private readonly stats_: AstmSenderSimulatorStats = {
    delivered: [],
    failures: 0,
    naksReceived: 0,
    framesSent: 0,
    done: false,
  };
  private doneWaiters: (() => void)[] = [];

  constructor(
    private readonly transport: ByteTransport,
    private readonly options: AstmSenderSimulatorOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.timers = new SimulatorTimers(this.clock);
    this.first = options.firstSample ?? 1;
    this.total = options.messages ?? 1;
    this.current = this.first;
    this.sender = new AstmLinkSender(
      options.replyTimeoutMs === undefined
        ? { role: 'instrument' }
        : { role: 'instrument', replyTimeoutMs: options.replyTimeoutMs },
    );
  }

  start(): void {
    if (this.timers.running) return;
    this.timers.start();
    this.unsubscribe = this.transport.on('data', (bytes) => {
      for (const b of bytes) if (b === 0x15) this.stats_.naksReceived++;
      this.handle(this.sender.receive(bytes, this.clock.now()));
    });
    this.tick();
    this.sendCurrent();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.timers.stop();
  }

  stats(): AstmSenderSimulatorStats {
    return { ...this.stats_, delivered: [...this.stats_.delivered] };
  }

  /** Resolves when every message was delivered. */
  whenDone(): Promise<void> {
    if (this.stats_.done) return Promise.resolve();
    return new Promise((resolve) => this.doneWaiters.push(resolve));
  }

  private tick(): void {
    this.handle(this.sender.tick(this.clock.now()));
    this.timers.after(100, () => this.tick());
  }

  private sendCurrent(): void {
    if (this.current >= this.first + this.total) return;
    const n = this.current;
    const at = new Date((this.options.startTime ?? new Date('2026-05-05T10:21:33Z')).getTime() + (n - 1) * 60_000);
    const records = (this.options.records ?? astmCbcRecords)(n, at);
    const { frames } = encodeAstmRecords(records.map(asciiBytes));
    this.handle(this.sender.send(frames, this.clock.now()));
  }

  private handle(events: AstmSenderEvent[]): void {
    for (const ev of events) {
      switch (ev.type) {
        case 'write':
          if (ev.bytes[0] === 0x02) this.stats_.framesSent++;
          this.transport.write(ev.bytes).catch((e: unknown) => {
            this.stats_.lastError = describeError(e);
          });
          break;
        case 'delivered':
          this.stats_.delivered.push(this.current);
          this.current++;
          if (this.current >= this.first + this.total) {
            this.stats_.done = true;
            for (const w of this.doneWaiters.splice(0)) w();
          } else {
            this.timers.after(this.options.intervalMs ?? 1000, () => this.sendCurrent());
          }
          break;
        case 'failed':
          this.stats_.failures++;
          this.stats_.lastError = ev.reason;
          this.timers.after(this.options.retryMs ?? 2000, () => this.sendCurrent());
          break;
        case 'contention':
          break;
      }
    }
  }
}
