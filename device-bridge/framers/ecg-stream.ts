// Framer/decoder for the Sijill raw ECG sample stream (format: ../protocols/ecg-stream.md).
//
// Bytes are appended to a buffer that never holds more than one largest frame; after each byte the buffer is
// examined at the points where something can be decided (sync word, full header, full frame), so behaviour does
// not depend on how the input is chunked. A bad header or CRC drops only the first sync byte and hunts again, so
// a false sync inside corrupted data never swallows the next good frame.
import type { FramerError } from '../types';
import { crc32Ieee } from '../util/crc';
import {
  decodeEcgPayload,
  ecgFrameBytes,
  ECG_HEADER_BYTES,
  ECG_MAX_FRAME_BYTES,
  ECG_SYNC0,
  ECG_SYNC1,
  readEcgHeader,
  type EcgFrame,
  type EcgFrameHeader,
  ECG_CRC_BYTES,
} from '../protocols/ecg-stream';

export type EcgStreamEvent =
  | { type: 'frame'; frame: EcgFrame }
  | { type: 'gap'; offset: number; expected: number; received: number; missing: number }
  | { type: 'duplicate'; offset: number; sequence: number }
  | FramerError;

export class EcgStreamFramer {
  private readonly buf = new Uint8Array(ECG_MAX_FRAME_BYTES);
  private len = 0;
  /** Absolute offset of buf[0]. */
  private base = 0;
  private header: EcgFrameHeader | undefined;
  private need = 0;
  private junk = false;
  private lastSeq: number | undefined;
  private events: EcgStreamEvent[] = [];

  get bufferedBytes(): number {
    return this.len;
  }

  push(chunk: Uint8Array): EcgStreamEvent[] {
    this.events = [];
    for (let i = 0; i < chunk.length; i++) this.step(chunk[i] as number);
    return this.events;
  }

  /**
   * End of input: a frame still waiting for bytes is reported, then the bytes it held are searched again
   * (a corrupted length field must not hide the complete frames behind it).
   */
  finish(): EcgStreamEvent[] {
    this.events = [];
    while (this.len > 0) {
      if (this.buf[0] === ECG_SYNC0 && (this.len < 2 || this.buf[1] === ECG_SYNC1)) {
        this.error(
          this.base,
          this.header
            ? `input ends inside a frame: header announces ${this.need} bytes, ${this.len} present`
            : `input ends inside a frame header (${this.len} bytes)`,
        );
      }
      this.header = undefined;
      this.junk = true;
      this.drop(1);
      this.scan();
    }
    return this.events;
  }

  private error(offset: number, message: string): void {
    this.events.push({ type: 'error', offset, message });
  }

  private step(b: number): void {
    this.buf[this.len++] = b;
    this.scan();
  }

  /** Examines the buffer; may consume bytes and loop when it drops a false start. */
  private scan(): void {
    for (;;) {
      if (this.len === 0) return;
      // hunting: buffer must start with the sync word
      if (this.buf[0] !== ECG_SYNC0 || (this.len >= 2 && this.buf[1] !== ECG_SYNC1)) {
        let i = 1;
        while (i < this.len && !(this.buf[i] === ECG_SYNC0 && (i + 1 >= this.len || this.buf[i + 1] === ECG_SYNC1)))
          i++;
        this.dropJunk(i);
        continue;
      }
      if (this.len < ECG_HEADER_BYTES) return;
      if (!this.header) {
        const h = readEcgHeader(this.buf, 0);
        if (typeof h === 'string') {
          this.error(this.base, `bad frame header: ${h}; resynchronising`);
          this.junk = true;
          this.drop(1);
          continue;
        }
        this.header = h;
        this.need = ecgFrameBytes(h);
      }
      if (this.len < this.need) return;
      const h = this.header;
      const crcAt = this.need - ECG_CRC_BYTES;
      const sent = new DataView(this.buf.buffer, this.buf.byteOffset + crcAt, ECG_CRC_BYTES).getUint32(0, true);
      const computed = crc32Ieee(this.buf, 0, crcAt);
      this.header = undefined;
      if (sent !== computed) {
        this.error(
          this.base,
          `CRC mismatch in frame seq ${h.sequence}: sent ${sent.toString(16).padStart(8, '0')}, computed ${computed.toString(16).padStart(8, '0')}; frame discarded`,
        );
        this.junk = true;
        this.drop(1);
        continue;
      }
      const frame = decodeEcgPayload(this.buf, 0, h, this.base);
      this.junk = false;
      this.drop(this.need);
      this.onFrame(frame);
    }
  }

  private onFrame(frame: EcgFrame): void {
    if (this.lastSeq !== undefined) {
      const expected = (this.lastSeq + 1) & 0xffff;
      if (frame.sequence === this.lastSeq) {
        this.events.push({ type: 'duplicate', offset: frame.offset, sequence: frame.sequence });
        return;
      }
      if (frame.sequence !== expected) {
        this.events.push({
          type: 'gap',
          offset: frame.offset,
          expected,
          received: frame.sequence,
          missing: (frame.sequence - expected) & 0xffff,
        });
      }
    }
    this.lastSeq = frame.sequence;
    this.events.push({ type: 'frame', frame });
  }

  private dropJunk(n: number): void {
    if (!this.junk) this.error(this.base, 'bytes outside a frame (skipped)');
    this.junk = true;
    this.drop(n);
  }

  private drop(n: number): void {
    this.buf.copyWithin(0, n, this.len);
    this.len -= n;
    this.base += n;
  }
}
