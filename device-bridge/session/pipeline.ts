// Inbound pipeline: bytes of one protocol → framer → parser → items, plus the link-level replies that depend
// on whether the items were stored. The live session and replayRawLog drive the same pipelines, so a replay
// of the raw log decodes exactly what the live session decoded.
import type { CaptureProtocol, DecodeError, DecodedItem } from '../types';

export interface StoreMeta {
  /**
   * Same value ⇔ same message (HL7: sender + MSH-10; ASTM: SHA-256 of the records). A message the sender repeats
   * because our acknowledgement was lost carries the same key: the host should insert-or-ignore by it.
   */
  idempotencyKey?: string;
}

/** What a pipeline can do to the outside world. */
export interface PipelineIo {
  /** A link-level reply (ACK/NAK, an HL7 ACK). */
  write(bytes: Uint8Array): void;
  /** Durable store of a message's items; the pipeline acknowledges only after this resolves. */
  store(items: DecodedItem[], meta: StoreMeta): Promise<void>;
  /** Items of a streaming protocol (no acknowledgement exists): the session stores them in the background. */
  deliver(items: DecodedItem[]): void;
  error(error: DecodeError): void;
  /** A valid frame, packet, line or message was seen (feeds the quiet-line watchdog). */
  progress(): void;
  /** A message already stored arrived again (its acknowledgement was lost); acknowledged, not stored. */
  duplicate(key: string): void;
}

export interface InboundPipeline {
  readonly protocol: CaptureProtocol;
  /** Feeds received bytes; resolves when every reply they call for has been decided and written. */
  push(bytes: Uint8Array, at: number): Promise<void>;
  /**
   * The connection ended: hand over complete data held for aggregation, drop partial frames and messages (a
   * sender repeats what we did not acknowledge), and restart the framers for the next connection. Memory of
   * stored message keys is kept, so a repeat after a reconnect is still recognised.
   */
  endConnection(at: number): Promise<void>;
}

/** Adds the byte count of earlier connections to the offsets framers report (they restart at 0 each time). */
export function shiftOffsets(items: DecodedItem[], base: number): DecodedItem[] {
  if (base !== 0) for (const item of items) if (item.source) item.source.offset += base;
  return items;
}
