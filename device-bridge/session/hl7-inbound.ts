// HL7 v2 over MLLP, receiving side, original-mode acknowledgements given only after storage.
//
// - Each message is parsed and its items handed to the sink; MSA|AA goes back only after the sink resolved.
// - The sink rejected: MSA|AR ("could not be accepted for reasons unrelated to its content"), nothing is
//   remembered, and the sender's retry is stored normally.
// - A message whose sender + MSH-10 was already stored (the sender missed our ACK and repeated it) is
//   acknowledged AA again and not stored twice.
// - A block without a usable MSH is answered AR with an empty MSA-2, so the sender does not wait for a timeout.
import { mllpWrap, MllpFramer, type MllpEvent } from '../framers/mllp';
import { parseHl7, hl7Field, hl7Get, hl7Segment, type Hl7Message } from '../parsers/hl7';
import { buildHl7Ack, type Hl7AckCode } from '../parsers/hl7-ack';
import { hl7MessageToItems } from '../parsers/hl7-oru';
import { byteOffsetOf, decodeText } from '../util/text';
import type { InboundPipeline, PipelineIo } from './pipeline';
import { RecentKeys } from './recent-keys';

export interface Hl7InboundOptions {
  /** How many stored control ids to remember for recognising repeats. Default 4096. */
  rememberMessages?: number;
  maxMessageBytes?: number;
}

/** Key of a message: sending application and facility (MSH-3, MSH-4) and control id (MSH-10). */
export function hl7MessageKey(message: Hl7Message): string | undefined {
  const msh = hl7Segment(message, 'MSH');
  if (!msh) return undefined;
  const controlId = hl7Get(msh, 10, message.delimiters).trim();
  if (!controlId) return undefined;
  return `hl7:${hl7Field(msh, 3)}|${hl7Field(msh, 4)}|${controlId}`;
}

const EMPTY_HEADER = parseHl7('MSH|^~\\&|').message as Hl7Message;

export class Hl7Inbound implements InboundPipeline {
  readonly protocol = 'hl7' as const;
  private framer: MllpFramer;
  private readonly stored: RecentKeys;
  private base = 0;
  private pushed = 0;

  constructor(
    private readonly io: PipelineIo,
    private readonly options: Hl7InboundOptions = {},
  ) {
    this.framer = this.newFramer();
    this.stored = new RecentKeys(options.rememberMessages ?? 4096);
  }

  private newFramer(): MllpFramer {
    return new MllpFramer({ maxMessageBytes: this.options.maxMessageBytes ?? 1024 * 1024 });
  }

  async push(bytes: Uint8Array, at: number): Promise<void> {
    const events = this.framer.push(bytes);
    this.pushed += bytes.length;
    for (const ev of events) {
      if (ev.type === 'error') this.io.error({ offset: this.base + ev.offset, message: ev.message });
      else await this.onMessage(ev, at);
    }
  }

  async endConnection(): Promise<void> {
    if (this.framer.bufferedBytes > 0) {
      this.io.error({
        offset: this.base + this.pushed - this.framer.bufferedBytes,
        message: 'connection ended inside an MLLP block: the unfinished message was dropped (the sender repeats it)',
      });
    }
    this.framer = this.newFramer();
    this.base += this.pushed;
    this.pushed = 0;
  }

  private ack(message: Hl7Message, code: Hl7AckCode, at: number, text?: string): void {
    const options = text === undefined ? { code, now: new Date(at) } : { code, text, now: new Date(at) };
    this.io.write(mllpWrap(buildHl7Ack(message, options)));
  }

  private async onMessage(ev: Extract<MllpEvent, { type: 'message' }>, at: number): Promise<void> {
    const text = decodeText(ev.bytes);
    const start = this.base + ev.offset + 1; // after VT
    const offsetOf = (i: number): number => start + byteOffsetOf(text, i);
    const parsed = parseHl7(text.text);
    for (const e of parsed.errors) this.io.error({ offset: offsetOf(e.index), message: e.message });
    if (!parsed.message) {
      this.ack(EMPTY_HEADER, 'AR', at, 'no valid MSH segment; message not accepted');
      return;
    }
    this.io.progress();
    const message = parsed.message;
    const decoded = hl7MessageToItems(message, offsetOf);
    for (const e of decoded.errors) this.io.error(e);
    const key = hl7MessageKey(message);
    if (key !== undefined && this.stored.has(key)) {
      this.io.duplicate(key);
      this.ack(message, 'AA', at);
      return;
    }
    try {
      await this.io.store(decoded.items, key === undefined ? {} : { idempotencyKey: key });
    } catch {
      this.ack(message, 'AR', at, 'message could not be stored; please send it again');
      return;
    }
    if (key !== undefined) this.stored.add(key);
    this.ack(message, 'AA', at);
  }
}
