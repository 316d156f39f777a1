// ASTM E1381 (CLSI LIS01) low-level protocol, receiver side: a byte-by-byte state machine.
//
// Link facts implemented here:
// - establishment: sender ENQ → receiver ACK; termination: EOT.
// - frame: STX FN text ETB|ETX C1 C2 CR LF. FN is '0'..'7', first frame of a session is 1, then 2…7, 0, 1…
//   ETB ends an intermediate frame, ETX the last frame of a message; frames are joined into one message.
// - checksum: sum of the bytes from FN through ETB/ETX inclusive, mod 256, as two uppercase hex digits.
// - receiver replies ACK to a good frame, NAK to a bad checksum or an unexpected frame number (the sender
//   retransmits the same frame); a repeat of the last accepted frame (its ACK was lost) is ACKed and discarded.
// - receiver timer: 30 s without a frame or EOT → abort the session, discard the incomplete message.
//   Time is passed in (`push(chunk, now)` / `tick(now)`); the state machine never starts timers.
//
// Tolerated in lenient mode (the default; the SENAITE captures need all of it): frames outside ENQ…EOT
// (captures start at the first STX), LF-only or CR-only after the checksum, no CR before ETX, lowercase
// checksum digits, frames far longer than the standard's 247 bytes (bounded by maxFrameBytes).
import { BoundedBuffer, decodeText } from '../util/text';
import type { FramerError } from '../types';

export const ENQ = 0x05;
export const ACK = 0x06;
export const NAK = 0x15;
export const EOT = 0x04;
export const STX = 0x02;
export const ETX = 0x03;
export const ETB = 0x17;
export const CR = 0x0d;
export const LF = 0x0a;

export interface AstmLinkOptions {
  /** Accept frames outside an ENQ…EOT session and sloppy line ends. Default true. */
  lenient?: boolean;
  /** Largest frame text (bytes between FN and ETB/ETX). Default 64 KiB. */
  maxFrameBytes?: number;
  /** Largest joined message. Default 1 MiB. */
  maxMessageBytes?: number;
  /** Receiver timer: ms without a frame or EOT before the session is aborted. Default 30 000. */
  receiveTimeoutMs?: number;
  /**
   * Decoding a capture, where no retransmission will follow a NAK: a frame with an unexpected number is reported
   * (frames were lost) and accepted, and a message that lost a frame is discarded. Default false.
   */
  capture?: boolean;
}

export type AstmLinkEvent =
  | { type: 'send'; bytes: Uint8Array; offset: number }
  | { type: 'session-start'; offset: number; implicit: boolean }
  | { type: 'session-end'; offset: number; reason: 'eot' | 'timeout' | 'enq' }
  | { type: 'frame'; offset: number; frameNumber: number; final: boolean; bytes: Uint8Array }
  | { type: 'duplicate-frame'; offset: number; frameNumber: number }
  | { type: 'message'; offset: number; bytes: Uint8Array; text: string; frames: number; complete: boolean }
  | FramerError;

type State = 'neutral' | 'idle' | 'fn' | 'text' | 'c1' | 'c2' | 'overflow' | 'junk';

const ACK_BYTES = Uint8Array.of(ACK);
const NAK_BYTES = Uint8Array.of(NAK);

function hexValue(b: number, lenient: boolean): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x41 && b <= 0x46) return b - 0x41 + 10;
  if (lenient && b >= 0x61 && b <= 0x66) return b - 0x61 + 10;
  return -1;
}

const hex2 = (n: number) => n.toString(16).toUpperCase().padStart(2, '0');

export class AstmLinkReceiver {
  private readonly lenient: boolean;
  private readonly maxFrameBytes: number;
  private readonly receiveTimeoutMs: number;
  private readonly capture: boolean;

  private state: State = 'neutral';
  private inSession = false;
  private pos = 0;
  private lastActivity: number | undefined;

  // current frame
  private frameStart = 0;
  private fn = -1;
  private sum = 0;
  private final = false;
  private c1 = 0;
  private readonly frame: BoundedBuffer;

  // frame sequencing: null = accept any (implicit session, resynchronise on the first frame)
  private expectedFn: number | null = null;
  private lastAcceptedFn: number | null = null;

  // message being joined
  private readonly message: BoundedBuffer;
  private messageStart = -1;
  private messageFrames = 0;
  private messageOverflow = false;

  private events: AstmLinkEvent[] = [];

  constructor(options: AstmLinkOptions = {}) {
    this.lenient = options.lenient ?? true;
    this.maxFrameBytes = options.maxFrameBytes ?? 64 * 1024;
    this.receiveTimeoutMs = options.receiveTimeoutMs ?? 30_000;
    this.capture = options.capture ?? false;
    this.frame = new BoundedBuffer(this.maxFrameBytes);
    this.message = new BoundedBuffer(options.maxMessageBytes ?? 1024 * 1024);
  }

  /** Bytes held in buffers (for bounds checks and monitoring). */
  get bufferedBytes(): number {
    return this.frame.length + this.message.length;
  }

  /** Absolute offset of the next byte. */
  get offset(): number {
    return this.pos;
  }

  get sessionOpen(): boolean {
    return this.inSession;
  }

  /** Feeds bytes; `now` (ms) drives the receiver timer. Returns what happened, in order. */
  push(chunk: Uint8Array, now?: number): AstmLinkEvent[] {
    this.events = [];
    if (now !== undefined) {
      this.checkTimer(now);
      this.lastActivity = now;
    }
    for (let i = 0; i < chunk.length; i++) {
      this.step(chunk[i] as number);
      this.pos++;
    }
    return this.events;
  }

  /** Advances the clock without data: fires the receiver timer when due. */
  tick(now: number): AstmLinkEvent[] {
    this.events = [];
    this.checkTimer(now);
    return this.events;
  }

  /** End of input (a capture file): reports a truncated frame and hands over an unterminated message. */
  finish(): AstmLinkEvent[] {
    this.events = [];
    if (this.state === 'fn' || this.state === 'text' || this.state === 'c1' || this.state === 'c2') {
      this.error(this.frameStart, 'input ends inside a frame (truncated frame discarded)');
      this.state = this.inSession ? 'idle' : 'neutral';
    }
    if (this.messageFrames > 0) {
      this.error(this.messageStart, 'input ends before the last frame (ETX) of a message');
      if (!this.messageOverflow) this.emitMessage(false);
      this.resetMessage();
    }
    return this.events;
  }

  private checkTimer(now: number): void {
    if (!this.inSession || this.lastActivity === undefined) return;
    if (now - this.lastActivity < this.receiveTimeoutMs) return;
    this.error(this.pos, `receiver timeout: no frame or EOT for ${Math.round((now - this.lastActivity) / 1000)} s`);
    this.abortMessage();
    this.state = 'neutral';
    this.inSession = false;
    this.events.push({ type: 'session-end', offset: this.pos, reason: 'timeout' });
    this.lastActivity = undefined;
  }

  private error(offset: number, message: string): void {
    this.events.push({ type: 'error', offset, message });
  }

  private send(bytes: Uint8Array): void {
    this.events.push({ type: 'send', bytes, offset: this.pos });
  }

  private startSession(implicit: boolean): void {
    this.inSession = true;
    this.expectedFn = implicit ? null : 1;
    this.lastAcceptedFn = null;
    this.events.push({ type: 'session-start', offset: this.pos, implicit });
  }

  private abortMessage(): void {
    if (this.messageFrames > 0) this.error(this.messageStart, 'incomplete message discarded (no final ETX frame)');
    this.resetMessage();
  }

  private resetMessage(): void {
    this.message.clear();
    this.messageStart = -1;
    this.messageFrames = 0;
    this.messageOverflow = false;
  }

  private beginFrame(): void {
    this.frameStart = this.pos;
    this.frame.clear();
    this.sum = 0;
    this.fn = -1;
    this.state = 'fn';
  }

  /** Handles STX/EOT/ENQ arriving where they interrupt something; true if the byte was consumed. */
  private control(b: number, interrupted: string | null): boolean {
    if (b === STX) {
      if (interrupted) this.error(this.frameStart, `${interrupted} interrupted by STX (discarded)`);
      if (!this.inSession) this.startSession(true);
      this.beginFrame();
      return true;
    }
    if (b === EOT) {
      if (interrupted) this.error(this.frameStart, `${interrupted} interrupted by EOT (discarded)`);
      this.abortMessage();
      if (this.inSession) this.events.push({ type: 'session-end', offset: this.pos, reason: 'eot' });
      this.inSession = false;
      this.state = 'neutral';
      return true;
    }
    if (b === ENQ) {
      if (interrupted) this.error(this.frameStart, `${interrupted} interrupted by ENQ (discarded)`);
      this.abortMessage();
      if (this.inSession) this.events.push({ type: 'session-end', offset: this.pos, reason: 'enq' });
      this.startSession(false);
      this.send(ACK_BYTES);
      this.state = 'idle';
      return true;
    }
    return false;
  }

  private step(b: number): void {
    switch (this.state) {
      case 'neutral':
        if (b === ENQ) {
          this.startSession(false);
          this.send(ACK_BYTES);
          this.state = 'idle';
        } else if (b === STX && this.lenient) {
          this.startSession(true);
          this.beginFrame();
        } else if (b === EOT || b === CR || b === LF) {
          // stray EOT or line end between sessions: nothing to do
        } else {
          this.error(
            this.pos,
            this.lenient ? 'unexpected bytes outside a frame (skipped)' : 'data outside an ENQ…EOT session (skipped)',
          );
          this.state = 'junk';
        }
        return;
      case 'junk':
        if (b === ENQ || b === EOT || (b === STX && (this.lenient || this.inSession))) {
          this.state = this.inSession ? 'idle' : 'neutral';
          this.step(b);
        }
        return;
      case 'idle':
        if (this.control(b, null)) return;
        if (b === CR || b === LF) return; // frame trailer (CR LF, or only one of them)
        this.error(this.pos, 'unexpected bytes between frames (skipped)');
        this.state = 'junk';
        return;
      case 'fn':
        if (this.control(b, 'frame')) return;
        this.fn = b >= 0x30 && b <= 0x37 ? b - 0x30 : -1;
        this.sum = b;
        this.state = 'text';
        return;
      case 'text':
        if (b === ETX || b === ETB) {
          this.sum = (this.sum + b) & 0xff;
          this.final = b === ETX;
          this.state = 'c1';
          return;
        }
        if (this.control(b, 'frame')) return;
        if (!this.frame.push(b)) {
          this.error(this.frameStart, `frame longer than ${this.maxFrameBytes} bytes (discarded)`);
          this.frame.clear();
          this.state = 'overflow';
          return;
        }
        this.sum = (this.sum + b) & 0xff;
        return;
      case 'overflow':
        // discard until the end of the oversize frame, then NAK it
        if (b === ETX || b === ETB) {
          this.state = 'c1';
          this.fn = -2;
          return;
        }
        if (this.control(b, null)) return;
        return;
      case 'c1': {
        if (this.control(b, 'frame')) return;
        const v = hexValue(b, this.lenient);
        if (v < 0) {
          this.rejectFrame('invalid checksum character');
          this.state = this.inSession ? 'idle' : 'neutral';
          this.step(b);
          return;
        }
        this.c1 = v;
        this.state = 'c2';
        return;
      }
      case 'c2': {
        if (this.control(b, 'frame')) return;
        const v = hexValue(b, this.lenient);
        this.state = this.inSession ? 'idle' : 'neutral';
        if (v < 0) {
          this.rejectFrame('invalid checksum character');
          this.step(b);
          return;
        }
        this.completeFrame((this.c1 << 4) | v);
        return;
      }
    }
  }

  private rejectFrame(message: string): void {
    if (this.fn !== -2) this.error(this.frameStart, `${message} (frame NAKed)`);
    this.frame.clear();
    this.send(NAK_BYTES);
  }

  private completeFrame(checksum: number): void {
    if (this.fn === -2) {
      // oversize frame: error already reported
      this.send(NAK_BYTES);
      return;
    }
    if (checksum !== this.sum) {
      this.rejectFrame(`checksum mismatch: received ${hex2(checksum)}, computed ${hex2(this.sum)}`);
      return;
    }
    if (this.fn < 0) {
      this.rejectFrame('invalid frame number');
      return;
    }
    if (this.expectedFn !== null && this.fn !== this.expectedFn) {
      if (this.fn === this.lastAcceptedFn) {
        // the sender missed our ACK and repeated the frame: acknowledge, keep nothing
        this.send(ACK_BYTES);
        this.events.push({ type: 'duplicate-frame', offset: this.frameStart, frameNumber: this.fn });
        this.frame.clear();
        return;
      }
      if (!this.capture) {
        this.rejectFrame(`frame number ${this.fn}, expected ${this.expectedFn}`);
        return;
      }
      this.error(
        this.frameStart,
        `frame number ${this.fn}, expected ${this.expectedFn}: frame(s) lost, resynchronised`,
      );
      this.abortMessage();
    }
    this.lastAcceptedFn = this.fn;
    this.expectedFn = (this.fn + 1) % 8;
    const bytes = this.frame.bytes();
    this.frame.clear();
    this.send(ACK_BYTES);
    this.events.push({ type: 'frame', offset: this.frameStart, frameNumber: this.fn, final: this.final, bytes });
    if (this.messageFrames === 0) this.messageStart = this.frameStart;
    this.messageFrames++;
    if (!this.messageOverflow && !this.message.append(bytes)) {
      this.messageOverflow = true;
      this.error(this.messageStart, `message longer than ${this.message.capacity} bytes (discarded)`);
      this.message.clear();
    }
    if (this.final) {
      if (!this.messageOverflow) this.emitMessage(true);
      this.resetMessage();
    }
  }

  private emitMessage(complete: boolean): void {
    const bytes = this.message.bytes();
    this.events.push({
      type: 'message',
      offset: this.messageStart,
      bytes,
      text: decodeText(bytes).text,
      frames: this.messageFrames,
      complete,
    });
  }
}

/** Checksum of a frame body: sum of FN, text and the ETB/ETX byte, mod 256. */
export function astmChecksum(frameNumber: number, text: Uint8Array, final: boolean): number {
  let sum = 0x30 + frameNumber + (final ? ETX : ETB);
  for (let i = 0; i < text.length; i++) sum += text[i] as number;
  return sum & 0xff;
}

/** Builds one frame: STX FN text ETB|ETX C1 C2 CR LF (sender side, for simulators and tests). */
export function encodeAstmFrame(frameNumber: number, text: Uint8Array, final: boolean): Uint8Array {
  if (!Number.isInteger(frameNumber) || frameNumber < 0 || frameNumber > 7) {
    throw new RangeError(`ASTM frame number must be 0..7, got ${frameNumber}`);
  }
  const cs = hex2(astmChecksum(frameNumber, text, final));
  const out = new Uint8Array(text.length + 7);
  out[0] = STX;
  out[1] = 0x30 + frameNumber;
  out.set(text, 2);
  let o = 2 + text.length;
  out[o++] = final ? ETX : ETB;
  out[o++] = cs.charCodeAt(0);
  out[o++] = cs.charCodeAt(1);
  out[o++] = CR;
  out[o] = LF;
  return out;
}

/**
 * Frames records for transmission: each record (CR appended) is one message, split into frames of at most
 * `maxText` bytes (240 in E1381: 247-byte frames), numbered continuously from `firstFrameNumber` mod 8.
 */
export function encodeAstmRecords(
  records: readonly Uint8Array[],
  options: { firstFrameNumber?: number; maxText?: number } = {},
): { frames: Uint8Array[]; nextFrameNumber: number } {
  const maxText = options.maxText ?? 240;
  let fn = options.firstFrameNumber ?? 1;
  const frames: Uint8Array[] = [];
  for (const record of records) {
    const text = new Uint8Array(record.length + 1);
    text.set(record);
    text[record.length] = CR;
    for (let start = 0; start < text.length; start += maxText) {
      const end = Math.min(text.length, start + maxText);
      frames.push(encodeAstmFrame(fn, text.subarray(start, end), end === text.length));
      fn = (fn + 1) % 8;
    }
  }
  return { frames, nextFrameNumber: fn };
}
