// HL7 MLLP (Minimal Lower Layer Protocol) framing: VT (0x0B) message FS (0x1C) CR (0x0D).
//
// Byte-by-byte; a message is delivered as soon as FS arrives (the final CR is optional: some senders omit it).
// Bytes outside a block are skipped and reported once per run (CR/LF between blocks are ignored silently).
// A VT inside a block aborts the unfinished message and starts a new one. Blocks are bounded by maxMessageBytes.
import type { FramerError } from '../types';
import { BoundedBuffer, decodeText } from '../util/text';

export const VT = 0x0b;
export const FS = 0x1c;
const CR = 0x0d;
const LF = 0x0a;

export type MllpEvent = { type: 'message'; offset: number; bytes: Uint8Array; text: string } | FramerError;

type State = 'hunt' | 'junk' | 'body' | 'afterFs' | 'overflow';

export class MllpFramer {
  private state: State = 'hunt';
  private pos = 0;
  private start = 0;
  private readonly buf: BoundedBuffer;
  private events: MllpEvent[] = [];

  constructor(options: { maxMessageBytes?: number } = {}) {
    this.buf = new BoundedBuffer(options.maxMessageBytes ?? 1024 * 1024);
  }

  get bufferedBytes(): number {
    return this.buf.length;
  }

  push(chunk: Uint8Array): MllpEvent[] {
    this.events = [];
    for (let i = 0; i < chunk.length; i++) {
      this.step(chunk[i] as number);
      this.pos++;
    }
    return this.events;
  }

  /** End of input: reports an unterminated block. */
  finish(): MllpEvent[] {
    this.events = [];
    if (this.state === 'body' || this.state === 'overflow') {
      if (this.state === 'body') this.error(this.start, 'input ends inside an MLLP block (no FS); message discarded');
      this.buf.clear();
      this.state = 'hunt';
    }
    return this.events;
  }

  private error(offset: number, message: string): void {
    this.events.push({ type: 'error', offset, message });
  }

  private begin(): void {
    this.start = this.pos;
    this.buf.clear();
    this.state = 'body';
  }

  private step(b: number): void {
    switch (this.state) {
      case 'afterFs':
        // the CR after FS is optional: anything else is handled as if hunting for the next block
        this.state = 'hunt';
        if (b !== CR) this.step(b);
        return;
      case 'hunt':
        if (b === VT) this.begin();
        else if (b !== CR && b !== LF) {
          this.error(this.pos, 'bytes outside an MLLP block (skipped)');
          this.state = 'junk';
        }
        return;
      case 'junk':
        if (b === VT) this.begin();
        return;
      case 'body':
        if (b === FS) {
          const bytes = this.buf.bytes();
          this.buf.clear();
          this.events.push({ type: 'message', offset: this.start, bytes, text: decodeText(bytes).text });
          this.state = 'afterFs';
        } else if (b === VT) {
          this.error(this.start, 'MLLP block interrupted by a new start block (VT); unfinished message discarded');
          this.begin();
        } else if (!this.buf.push(b)) {
          this.error(this.start, `MLLP block longer than ${this.buf.capacity} bytes (discarded)`);
          this.buf.clear();
          this.state = 'overflow';
        }
        return;
      case 'overflow':
        if (b === FS) this.state = 'afterFs';
        else if (b === VT) this.begin();
        return;
    }
  }
}

/** Wraps message bytes (or text, encoded as UTF-8) in an MLLP block. */
export function mllpWrap(message: Uint8Array | string): Uint8Array {
  const body = typeof message === 'string' ? new TextEncoder().encode(message) : message;
  const out = new Uint8Array(body.length + 3);
  out[0] = VT;
  out.set(body, 1);
  out[body.length + 1] = FS;
  out[body.length + 2] = CR;
  return out;
}
