// A device session: the glue between a transport, the protocol's inbound pipeline, the raw byte log and the
// caller's sink. One session lives as long as its supervisor; each (re)opened connection is attached to it and
// detached when it ends, so memory of stored messages survives reconnects.
//
// Order of work: received bytes are logged at once (synchronously, in wire order) and then decoded one chunk at
// a time; a chunk waits until the replies of the previous one were decided, which is what makes "acknowledge
// only after the sink resolved" hold even when bytes keep arriving.
import { applyCodeMappings } from '../profiles/code-mappings';
import type { DeviceProfile } from '../profiles/types';
import type { RawByteLog, RawLogDirection } from '../raw-log/types';
import { systemClock, type Clock } from '../supervisor/clock';
import { Emitter } from '../transport/emitter';
import { describeError, type ByteTransport } from '../transport/types';
import type { CaptureProtocol, DecodedItem } from '../types';
import type { InboundPipeline, StoreMeta } from './pipeline';
import { pipelineForProfile } from './pipelines';
import { StreamStore } from './stream-store';

export interface StoreContext {
  connectionId: string;
  profileId: string;
  protocol: CaptureProtocol;
  /** When the bytes that completed these items arrived (ms since the epoch). */
  receivedAt: number;
  /** See StoreMeta: insert-or-ignore by it. Absent for streaming data. */
  idempotencyKey?: string;
}

/**
 * The caller's durable store. Resolve only once the items are durably stored (committed): the session then
 * acknowledges them to the device. Reject if nothing was stored: the session answers NAK/AR and the device
 * sends again. Storing all or none of one call is the sink's job (one transaction).
 */
export type ItemSink = (items: DecodedItem[], context: StoreContext) => Promise<void>;

export type SessionErrorKind = 'decode' | 'store' | 'write' | 'raw-log' | 'backlog';

export interface SessionError {
  kind: SessionErrorKind;
  message: string;
  at: number;
  /** Byte offset in the connection's inbound stream (decode errors). */
  offset?: number;
}

export interface SessionEvents {
  stored: (items: DecodedItem[], context: StoreContext) => void;
  error: (error: SessionError) => void;
  /** A valid frame/packet/line/message was decoded. */
  progress: (at: number) => void;
  /** Bytes arrived (valid or not). */
  data: (at: number, byteCount: number) => void;
  /** A message already stored arrived again and was acknowledged without storing it twice. */
  duplicate: (key: string) => void;
}

export interface DeviceSessionOptions {
  connectionId: string;
  profile: DeviceProfile;
  sink: ItemSink;
  rawLog?: RawByteLog;
  clock?: Clock;
  /** Streaming items held while the sink fails, before the oldest are dropped. Default 100 000. */
  streamBacklogLimit?: number;
  /** Retry delay for streaming items after a sink failure. Default 1 s. */
  streamRetryMs?: number;
}

export class DeviceSession extends Emitter<SessionEvents> {
  readonly connectionId: string;
  readonly profile: DeviceProfile;
  private readonly clock: Clock;
  private readonly pipeline: InboundPipeline;
  private readonly streamStore: StreamStore;
  private transport: ByteTransport | undefined;
  private unsubscribe: (() => void) | undefined;
  private work: Promise<void> = Promise.resolve();
  /** Time of the chunk being decoded (for StoreContext.receivedAt). */
  private decodingAt = 0;
  private counters = { bytesIn: 0, bytesOut: 0, itemsStored: 0, duplicates: 0 };

  constructor(private readonly options: DeviceSessionOptions) {
    super();
    this.connectionId = options.connectionId;
    this.profile = options.profile;
    this.clock = options.clock ?? systemClock;
    this.streamStore = new StreamStore({
      clock: this.clock,
      limit: options.streamBacklogLimit ?? 100_000,
      retryMs: options.streamRetryMs ?? 1000,
      store: (items, receivedAt) => this.storeItems(items, {}, receivedAt),
      onDropped: (count) =>
        this.report('backlog', `${count} streamed item(s) dropped: the store has been failing and the backlog is full`),
    });
    this.pipeline = pipelineForProfile(options.profile, {
      write: (bytes) => this.send(bytes),
      store: (items, meta) => this.storeItems(items, meta, this.decodingAt),
      deliver: (items) => this.streamStore.add(items, this.decodingAt),
      error: (e) => this.report('decode', e.message, e.offset),
      progress: () => this.emit('progress', this.decodingAt),
      duplicate: (key) => {
        this.counters.duplicates++;
        this.emit('duplicate', key);
      },
    });
  }

  get stats(): { bytesIn: number; bytesOut: number; itemsStored: number; duplicates: number; backlog: number } {
    return { ...this.counters, backlog: this.streamStore.pendingItems };
  }

  get attached(): boolean {
    return this.transport !== undefined;
  }

  /** A connection was opened: log it, listen to it, send the profile's init commands. */
  attach(transport: ByteTransport): void {
    if (this.transport) throw new Error('session already has a connection; detach it first');
    this.transport = transport;
    this.log('open', new Uint8Array(0), this.clock.now());
    this.unsubscribe = transport.on('data', (bytes) => this.receive(bytes));
    for (const command of this.profile.init) this.send(command.bytes);
  }

  /** The connection ended (or is being closed): decode what arrived, then restart the framers. */
  async detach(): Promise<void> {
    if (!this.transport) return;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.transport = undefined;
    const at = this.clock.now();
    this.log('close', new Uint8Array(0), at);
    this.enqueue(async () => {
      this.decodingAt = at;
      await this.pipeline.endConnection(at);
    });
    await this.drain();
  }

  /** Writes bytes to the device (init, keep-alive, link replies), logging them first. */
  send(bytes: Uint8Array): void {
    const transport = this.transport;
    if (!transport?.isOpen) {
      this.report('write', `${bytes.length} byte(s) not sent: the connection is closed`);
      return;
    }
    this.log('out', bytes, this.clock.now());
    this.counters.bytesOut += bytes.length;
    transport.write(bytes).catch((e: unknown) => this.report('write', `write failed: ${describeError(e)}`));
  }

  /** Waits until every received chunk was decoded and every store started so far has settled. */
  async drain(): Promise<void> {
    for (;;) {
      const work = this.work;
      await work;
      await this.streamStore.idle();
      if (work === this.work) return;
    }
  }

  /** End of the session: detach, then one last attempt to store streamed items still held. */
  async close(): Promise<void> {
    await this.detach();
    await this.drain();
    await this.streamStore.close();
  }

  private receive(bytes: Uint8Array): void {
    const at = this.clock.now();
    this.log('in', bytes, at);
    this.counters.bytesIn += bytes.length;
    this.emit('data', at, bytes.length);
    this.enqueue(async () => {
      this.decodingAt = at;
      await this.pipeline.push(bytes, at);
    });
  }

  private enqueue(task: () => Promise<void>): void {
    this.work = this.work.then(task).catch((e: unknown) => {
      // a bug in a framer or parser must not stop the session: report it and carry on with the next chunk
      this.report('decode', `internal decoder error: ${describeError(e)}`);
    });
  }

  private async storeItems(items: DecodedItem[], meta: StoreMeta, receivedAt: number): Promise<void> {
    const mapped = applyCodeMappings(items, this.profile.codeMappings);
    const context: StoreContext = {
      connectionId: this.connectionId,
      profileId: this.profile.id,
      protocol: this.profile.protocol,
      receivedAt,
    };
    if (meta.idempotencyKey !== undefined) context.idempotencyKey = meta.idempotencyKey;
    try {
      await this.options.sink(mapped, context);
    } catch (e) {
      this.report('store', `could not store ${mapped.length} item(s): ${describeError(e)}`);
      throw e;
    }
    this.counters.itemsStored += mapped.length;
    this.emit('stored', mapped, context);
  }

  private log(direction: RawLogDirection, bytes: Uint8Array, at: number): void {
    if (!this.options.rawLog) return;
    try {
      this.options.rawLog.append(this.connectionId, direction, bytes, at);
    } catch (e) {
      // the raw log is for forensics and replay; data flow and acknowledgements go on without it
      this.report('raw-log', `raw byte log append failed: ${describeError(e)}`);
    }
  }

  private report(kind: SessionErrorKind, message: string, offset?: number): void {
    const error: SessionError = { kind, message, at: this.clock.now() };
    if (offset !== undefined) error.offset = offset;
    this.emit('error', error);
  }
}
