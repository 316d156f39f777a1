// ASTM E1381 (CLSI LIS01) low-level protocol, sender side: a state machine driven by received bytes and an
// injected clock (no timers inside). Used to send orders/queries to an analyser and by simulators.
//
// - establishment: send ENQ, wait up to 15 s for the reply. ACK → transfer. NAK (receiver busy) → wait 10 s,
//   send ENQ again. ENQ (contention: both sides want to send) → the instrument keeps priority: a computer
//   (LIS) waits 20 s before its next ENQ, an instrument 1 s. No reply within 15 s → send EOT, give up.
// - transfer: send a frame, wait up to 15 s. ACK → next frame; EOT → the receiver asks us to stop after
//   this message (treated as ACK). NAK or any other byte → retransmit the same frame; after 6 failed tries
//   → send EOT, give up. No reply within 15 s → send EOT, give up.
// - termination: after the last frame is acknowledged, send EOT.
import { ACK, ENQ, EOT, NAK } from './astm-link';

export interface AstmSenderOptions {
  /** 'computer' (a LIS, the default) yields to the instrument on contention; 'instrument' does not wait long. */
  role?: 'computer' | 'instrument';
  replyTimeoutMs?: number;
  busyRetryMs?: number;
  maxAttempts?: number;
}

export type AstmSenderEvent =
  | { type: 'write'; bytes: Uint8Array }
  | { type: 'delivered'; frames: number }
  | { type: 'failed'; reason: string }
  | { type: 'contention' };

type State = 'idle' | 'establishing' | 'backoff' | 'transfer';

const ENQ_BYTES = Uint8Array.of(ENQ);
const EOT_BYTES = Uint8Array.of(EOT);

export class AstmLinkSender {
  private readonly replyTimeoutMs: number;
  private readonly busyRetryMs: number;
  private readonly contentionRetryMs: number;
  private readonly maxAttempts: number;
  private st: State = 'idle';
  private queue: Uint8Array[][] = [];
  private frames: Uint8Array[] = [];
  private index = 0;
  private attempts = 0;
  private deadline = 0;
  private events: AstmSenderEvent[] = [];

  constructor(options: AstmSenderOptions = {}) {
    this.replyTimeoutMs = options.replyTimeoutMs ?? 15_000;
    this.busyRetryMs = options.busyRetryMs ?? 10_000;
    this.contentionRetryMs = (options.role ?? 'computer') === 'computer' ? 20_000 : 1_000;
    this.maxAttempts = options.maxAttempts ?? 6;
  }

  get state(): State {
    return this.st;
  }

  /** Queues a message (its encoded frames, see encodeAstmRecords) and starts sending if idle. */
  send(frames: readonly Uint8Array[], now: number): AstmSenderEvent[] {
    this.events = [];
    if (frames.length === 0) throw new RangeError('a message needs at least one frame');
    this.queue.push([...frames]);
    if (this.st === 'idle') this.establish(now);
    return this.events;
  }

  /** Bytes from the receiver. */
  receive(chunk: Uint8Array, now: number): AstmSenderEvent[] {
    this.events = [];
    for (const b of chunk) this.onByte(b, now);
    return this.events;
  }

  /** Advances the clock: reply timeouts and back-off ends. */
  tick(now: number): AstmSenderEvent[] {
    this.events = [];
    if (this.st === 'backoff' && now >= this.deadline) this.establish(now);
    else if ((this.st === 'establishing' || this.st === 'transfer') && now >= this.deadline) {
      this.fail(
        this.st === 'establishing'
          ? 'no reply to ENQ within the reply timeout'
          : 'no reply to a frame within the reply timeout',
      );
      this.next(now);
    }
    return this.events;
  }

  private write(bytes: Uint8Array): void {
    this.events.push({ type: 'write', bytes });
  }

  private establish(now: number): void {
    const msg = this.queue[0];
    if (!msg) {
      this.st = 'idle';
      return;
    }
    this.frames = msg;
    this.index = 0;
    this.attempts = 0;
    this.st = 'establishing';
    this.deadline = now + this.replyTimeoutMs;
    this.write(ENQ_BYTES);
  }

  private sendFrame(now: number): void {
    this.attempts++;
    this.deadline = now + this.replyTimeoutMs;
    this.write(this.frames[this.index] as Uint8Array);
  }

  private fail(reason: string): void {
    this.write(EOT_BYTES);
    this.events.push({ type: 'failed', reason });
    this.queue.shift();
    this.st = 'idle';
  }

  private next(now: number): void {
    if (this.queue.length > 0) this.establish(now);
  }

  private onByte(b: number, now: number): void {
    switch (this.st) {
      case 'establishing':
        if (b === ACK) {
          this.st = 'transfer';
          this.attempts = 0;
          this.sendFrame(now);
        } else if (b === NAK) {
          this.st = 'backoff';
          this.deadline = now + this.busyRetryMs;
        } else if (b === ENQ) {
          this.events.push({ type: 'contention' });
          this.st = 'backoff';
          this.deadline = now + this.contentionRetryMs;
        }
        return;
      case 'transfer':
        if (b === ACK || b === EOT) {
          this.index++;
          this.attempts = 0;
          if (this.index < this.frames.length) {
            this.sendFrame(now);
            return;
          }
          this.write(EOT_BYTES);
          this.events.push({ type: 'delivered', frames: this.frames.length });
          this.queue.shift();
          this.st = 'idle';
          this.next(now);
          return;
        }
        if (this.attempts >= this.maxAttempts) {
          this.fail(`frame refused ${this.attempts} times`);
          this.next(now);
          return;
        }
        this.sendFrame(now);
        return;
      default:
        return; // idle or backing off: stray bytes are not ours to answer
    }
  }
}
