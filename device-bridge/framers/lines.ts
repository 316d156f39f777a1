// Line framer for ASCII serial protocols (Masimo, and other one-reading-per-line devices).
//
// A line ends at CR, LF or CR LF; empty lines are skipped. Lines are bounded by maxLineBytes: a longer run is
// reported and skipped up to the next line end, so a device sending garbage without line ends never grows memory.
import type { FramerError } from '../types';
import { BoundedBuffer, decodeText } from '../util/text';

export type LineEvent = { type: 'line'; offset: number; text: string; bytes: Uint8Array } | FramerError;

const CR = 0x0d;
const LF = 0x0a;

export class LineFramer {
  private readonly buf: BoundedBuffer;
  private start = 0;
  private pos = 0;
  private overflow = false;
  private events: LineEvent[] = [];

  constructor(options: { maxLineBytes?: number } = {}) {
    this.buf = new BoundedBuffer(options.maxLineBytes ?? 1024);
  }

  get bufferedBytes(): number {
    return this.buf.length;
  }

  push(chunk: Uint8Array): LineEvent[] {
    this.events = [];
    for (let i = 0; i < chunk.length; i++) {
      this.step(chunk[i] as number);
      this.pos++;
    }
    return this.events;
  }

  /** End of input: a last line without a line end is still a line. */
  finish(): LineEvent[] {
    this.events = [];
    this.endLine();
    this.overflow = false;
    return this.events;
  }

  private endLine(): void {
    if (this.buf.length > 0 && !this.overflow) {
      const bytes = this.buf.bytes();
      this.events.push({ type: 'line', offset: this.start, text: decodeText(bytes).text, bytes });
    }
    this.buf.clear();
  }

  private step(b: number): void {
    if (b === CR || b === LF) {
      this.endLine();
      this.overflow = false;
      return;
    }
    if (this.overflow) return;
    if (this.buf.length === 0) this.start = this.pos;
    if (!this.buf.push(b)) {
      this.events.push({
        type: 'error',
        offset: this.start,
        message: `line longer than ${this.buf.capacity} bytes (skipped)`,
      });
      this.buf.clear();
      this.overflow = true;
    }
  }
}
