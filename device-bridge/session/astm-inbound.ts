// ASTM E1381 receiver with acknowledgement after storage.
//
// The analyser sends one frame at a time and waits for our ACK. Frames that do not complete an H…L message are
// ACKed at once: their records stay in memory and nothing is lost if the line drops, because the frame that
// completes the message (the one holding L) is ACKed only after the sink resolved. If the sink rejects, that
// frame is NAKed; the analyser sends the same frame again, the receiver reports it as a repeat, and we try to
// store the held message again (so it is stored once). If the analyser gives up (EOT), the held message is
// dropped: it was never acknowledged, and the analyser sends it again in a later session.
import { createHash } from 'node:crypto';
import { AstmLinkReceiver, NAK, type AstmLinkEvent } from '../framers/astm-link';
import { astmMessageToItems } from '../parsers/astm-observations';
import { AstmMessageAssembler, type AstmMessage } from '../parsers/astm-records';
import type { DecodedItem } from '../types';
import { byteOffsetOf, decodeText } from '../util/text';
import type { InboundPipeline, PipelineIo } from './pipeline';
import { RecentKeys } from './recent-keys';

export interface AstmInboundOptions {
  /** E1381 receiver timer. Default 30 s. */
  receiveTimeoutMs?: number;
  /** How many stored message keys to remember for recognising repeats. Default 4096. */
  rememberMessages?: number;
}

interface HeldMessage {
  key: string;
  items: DecodedItem[];
}

const NAK_BYTES = Uint8Array.of(NAK);
type MessageEvent = Extract<AstmLinkEvent, { type: 'message' }>;

/** Key of a message: SHA-256 of its records, so a repeat of the same message has the same key. */
export function astmMessageKey(message: AstmMessage): string {
  const hash = createHash('sha256');
  for (const r of message.records) hash.update(r.raw).update('\r');
  return `astm:${hash.digest('hex').slice(0, 32)}`;
}

export class AstmInbound implements InboundPipeline {
  readonly protocol = 'astm' as const;
  private receiver: AstmLinkReceiver;
  private assembler = new AstmMessageAssembler();
  private readonly stored: RecentKeys;
  /** Byte offset of this connection's first byte in the whole inbound stream. */
  private base = 0;
  private pushed = 0;
  /** Frames of the link message being joined, to map record positions back to byte offsets. */
  private frames: { offset: number; length: number }[] = [];
  /** Messages whose completing frame we NAKed because the sink failed. */
  private held: { frameNumber: number; messages: HeldMessage[] } | undefined;

  constructor(
    private readonly io: PipelineIo,
    private readonly options: AstmInboundOptions = {},
  ) {
    this.receiver = this.newReceiver();
    this.stored = new RecentKeys(options.rememberMessages ?? 4096);
  }

  private newReceiver(): AstmLinkReceiver {
    return new AstmLinkReceiver({ lenient: true, receiveTimeoutMs: this.options.receiveTimeoutMs ?? 30_000 });
  }

  async push(bytes: Uint8Array, at: number): Promise<void> {
    const events = this.receiver.push(bytes, at);
    this.pushed += bytes.length;
    // the receiver puts the ACK of a frame just before the frame's event: hold it until we know what to answer
    let heldReply: Uint8Array | undefined;
    for (let i = 0; i < events.length; i++) {
      const ev = events[i] as AstmLinkEvent;
      const next = events[i + 1];
      switch (ev.type) {
        case 'send':
          if (next?.type === 'frame' || next?.type === 'duplicate-frame') heldReply = ev.bytes;
          else this.io.write(ev.bytes);
          break;
        case 'frame': {
          this.io.progress();
          this.frames.push({ offset: ev.offset, length: ev.bytes.length });
          const reply = heldReply;
          heldReply = undefined;
          if (ev.final && next?.type === 'message') {
            i++;
            await this.onMessage(next, ev.frameNumber, reply);
          } else if (reply) {
            this.io.write(reply);
          }
          break;
        }
        case 'duplicate-frame': {
          const reply = heldReply;
          heldReply = undefined;
          await this.onRepeatedFrame(ev.frameNumber, reply);
          break;
        }
        case 'message':
          // a message event without its frame event does not happen; decode it anyway
          await this.onMessage(ev, -1, undefined);
          break;
        case 'session-end':
          if (this.held) {
            this.io.error({
              offset: this.base + ev.offset,
              message:
                `analyser ended the session before ${this.held.messages.length} message(s) could be stored; ` +
                'they were never acknowledged, so it will send them again',
            });
            this.held = undefined;
          }
          break;
        case 'error':
          this.io.error({ offset: this.base + ev.offset, message: ev.message });
          break;
        case 'session-start':
          break;
      }
    }
  }

  async endConnection(): Promise<void> {
    this.receiver = this.newReceiver();
    this.frames = [];
    const open = this.assembler.finish();
    if (open.messages.some((m) => m.records.length > 0)) {
      this.io.error({
        offset: this.base + this.pushed,
        message: 'connection ended inside a message: its records were dropped (the analyser sends it again)',
      });
    }
    this.assembler = new AstmMessageAssembler();
    if (this.held) {
      this.io.error({
        offset: this.base + this.pushed,
        message: 'connection ended before a NAKed message could be stored (the analyser sends it again)',
      });
      this.held = undefined;
    }
    this.base += this.pushed;
    this.pushed = 0;
  }

  /** A link message (frames joined up to ETX) arrived; `reply` is the ACK of its last frame. */
  private async onMessage(ev: MessageEvent, frameNumber: number, reply: Uint8Array | undefined): Promise<void> {
    const own = this.frames.splice(0).slice(-ev.frames);
    const text = decodeText(ev.bytes);
    const offsetOf = (i: number): number => {
      let at = byteOffsetOf(text, i);
      for (const f of own) {
        if (at < f.length) return this.base + f.offset + 2 + at; // after STX and the frame number
        at -= f.length;
      }
      return this.base + ev.offset;
    };
    const assembled = this.assembler.push(text.text, offsetOf);
    for (const e of assembled.errors) this.io.error(e);
    const messages: HeldMessage[] = assembled.messages.map((m) => {
      const r = astmMessageToItems(m);
      for (const e of r.errors) this.io.error(e);
      return { key: astmMessageKey(m), items: r.items };
    });
    if (messages.length === 0) {
      if (reply) this.io.write(reply);
      return;
    }
    const left = await this.storeAll(messages);
    if (left.length === 0) {
      if (reply) this.io.write(reply);
    } else {
      this.held = { frameNumber, messages: left };
      this.io.write(NAK_BYTES);
    }
  }

  /** The analyser repeated the last accepted frame: either it missed our ACK, or we NAKed it (sink failed). */
  private async onRepeatedFrame(frameNumber: number, reply: Uint8Array | undefined): Promise<void> {
    const held = this.held;
    if (!held || held.frameNumber !== frameNumber) {
      if (reply) this.io.write(reply);
      return;
    }
    const left = await this.storeAll(held.messages);
    if (left.length === 0) {
      this.held = undefined;
      if (reply) this.io.write(reply);
    } else {
      held.messages = left;
      this.io.write(NAK_BYTES);
    }
  }

  /** Stores messages in order; returns those not stored (the failed one and the ones after it). */
  private async storeAll(messages: HeldMessage[]): Promise<HeldMessage[]> {
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i] as HeldMessage;
      if (this.stored.has(m.key)) {
        this.io.duplicate(m.key);
        continue;
      }
      try {
        await this.io.store(m.items, { idempotencyKey: m.key });
      } catch {
        return messages.slice(i); // the session reports the sink's error
      }
      this.stored.add(m.key);
    }
    return [];
  }
}
