// Supervisor: keeps one device connection alive.
//
//   stopped → connecting → negotiating → connected → lost → (backoff) → connecting → …      stop() → stopped
//
// - connecting: the transport is being opened (by its stable path, so a replugged adapter is found again).
// - negotiating: open; init commands sent; waiting for the first valid frame. Devices that stay silent until
//   they have results (quietTimeoutMs null: analysers, HL7 senders) go straight on to connected.
// - connected: valid data seen. The quiet-line watchdog, the keep-alive and the presence poll run while open.
// - lost: the port closed under us (unplug, hang-up), the device vanished from the port list, the line went
//   quiet, or opening failed. A retry is scheduled with exponential backoff (capped, jittered); the delay
//   starts again from the first step once a connection reaches connected.
// Every timer goes through the injected Clock and presence through an injected check, so tests use fake time.
import { pickStreamOptions, type SupervisorSessionOptions } from './session-options';
import type { DeviceProfile } from '../profiles/types';
import type { RawByteLog } from '../raw-log/types';
import { DeviceSession, type ItemSink, type SessionErrorKind, type StoreContext } from '../session/session';
import { Emitter } from '../transport/emitter';
import { listSerialPorts } from '../transport/serial';
import { describeError, type ByteTransport } from '../transport/types';
import type { DecodedItem } from '../types';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { systemClock, type Clock, type TimerHandle } from './clock';
import { stablePathPresence, type PortLister } from './presence';

export type ConnectionState = 'stopped' | 'connecting' | 'negotiating' | 'connected' | 'lost';

export interface StateChange {
  state: ConnectionState;
  previous: ConnectionState;
  at: number;
  reason?: string;
}

export type SupervisorErrorKind = SessionErrorKind | 'transport';

export interface SupervisorError {
  kind: SupervisorErrorKind;
  message: string;
  at: number;
  offset?: number;
  /** Errors of this kind so far. */
  count: number;
  /** Errors of every kind so far. */
  total: number;
}

export interface SupervisorStatus {
  connectionId: string;
  profileId: string;
  target: string;
  state: ConnectionState;
  /** When the current state began. */
  since: number;
  reason?: string;
  /** Last time any byte arrived; undefined before the first. */
  lastDataAt?: number;
  /** Last time a valid frame/packet/line/message arrived. */
  lastValidDataAt?: number;
  /** Failed attempts since the last successful connection (drives the backoff). */
  attempt: number;
  nextAttemptAt?: number;
  /** Times the connection reached connected again after having been lost. */
  reconnects: number;
  errorCounts: Partial<Record<SupervisorErrorKind, number>>;
  bytesIn: number;
  bytesOut: number;
  itemsStored: number;
  duplicates: number;
  /** Streamed items waiting for the sink. */
  backlog: number;
}

export interface SupervisorEvents {
  state: (change: StateChange) => void;
  /** Items the sink has durably stored. */
  items: (items: DecodedItem[], context: StoreContext) => void;
  error: (error: SupervisorError) => void;
}

export interface SupervisorOptions extends SupervisorSessionOptions {
  connectionId: string;
  profile: DeviceProfile;
  transport: ByteTransport;
  sink: ItemSink;
  rawLog?: RawByteLog;
  clock?: Clock;
  /** [0, 1) source for backoff jitter. Default Math.random. */
  random?: () => number;
  backoff?: Partial<BackoffOptions>;
  /**
   * Is the device present? Polled while open (unplug without a close event) and asked before each reopen.
   * Default for serial transports: the stable path still resolves and its tty is in SerialPort.list().
   * null: no presence checks (TCP, memory).
   */
  presence?: (() => Promise<boolean>) | null;
  /** Default 2 s. */
  presencePollMs?: number;
  /** Lists present serial ports for the default presence check. Default: SerialPort.list(). */
  portLister?: PortLister;
}

export class Supervisor extends Emitter<SupervisorEvents> {
  readonly session: DeviceSession;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly backoff: BackoffOptions;
  private readonly presence: (() => Promise<boolean>) | null;
  private readonly presencePollMs: number;
  private current: ConnectionState = 'stopped';
  private since: number;
  private reason: string | undefined;
  /** Bumped on every connect/lose/stop: callbacks of an older connection see a different number and do nothing. */
  private generation = 0;
  private attempt = 0;
  private nextAttemptAt: number | undefined;
  private reconnects = 0;
  private everConnected = false;
  private openedAt = 0;
  private lastDataAt: number | undefined;
  private lastValidDataAt: number | undefined;
  private readonly errorCounts: Partial<Record<SupervisorErrorKind, number>> = {};
  private errorTotal = 0;
  private timers = new Set<TimerHandle>();
  private detachTransport: (() => void)[] = [];
  private closing: Promise<void> = Promise.resolve();

  constructor(private readonly options: SupervisorOptions) {
    super();
    this.clock = options.clock ?? systemClock;
    this.since = this.clock.now();
    this.random = options.random ?? Math.random;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.presencePollMs = options.presencePollMs ?? 2000;
    this.presence =
      options.presence !== undefined
        ? options.presence
        : options.transport.kind === 'serial'
          ? stablePathPresence(
              options.transport.target,
              options.portLister ?? (async () => (await listSerialPorts()).map((p) => p.path)),
            )
          : null;
    this.session = new DeviceSession({
      connectionId: options.connectionId,
      profile: options.profile,
      sink: options.sink,
      clock: this.clock,
      ...(options.rawLog ? { rawLog: options.rawLog } : {}),
      ...pickStreamOptions(options),
    });
    this.session.on('stored', (items, context) => this.emit('items', items, context));
    this.session.on('error', (e) => this.recordError(e.kind, e.message, e.offset));
    this.session.on('data', (at) => {
      this.lastDataAt = at;
    });
    this.session.on('progress', (at) => this.onValidData(at));
  }

  get state(): ConnectionState {
    return this.current;
  }

  status(): SupervisorStatus {
    const s = this.session.stats;
    const status: SupervisorStatus = {
      connectionId: this.options.connectionId,
      profileId: this.options.profile.id,
      target: this.options.transport.target,
      state: this.current,
      since: this.since,
      attempt: this.attempt,
      reconnects: this.reconnects,
      errorCounts: { ...this.errorCounts },
      bytesIn: s.bytesIn,
      bytesOut: s.bytesOut,
      itemsStored: s.itemsStored,
      duplicates: s.duplicates,
      backlog: s.backlog,
    };
    if (this.reason !== undefined) status.reason = this.reason;
    if (this.lastDataAt !== undefined) status.lastDataAt = this.lastDataAt;
    if (this.lastValidDataAt !== undefined) status.lastValidDataAt = this.lastValidDataAt;
    if (this.nextAttemptAt !== undefined) status.nextAttemptAt = this.nextAttemptAt;
    return status;
  }

  start(): void {
    if (this.current !== 'stopped') return;
    void this.connect();
  }

  /** Stops reconnecting, closes the port, lets pending stores finish. */
  async stop(reason = 'stopped by the user'): Promise<void> {
    if (this.current === 'stopped') return;
    this.generation++;
    this.clearTimers();
    this.unhookTransport();
    this.nextAttemptAt = undefined;
    await this.closing;
    await this.options.transport.close().catch((e: unknown) => this.recordError('transport', describeError(e)));
    await this.session.close();
    this.setState('stopped', reason);
  }

  private async connect(): Promise<void> {
    const gen = ++this.generation;
    this.nextAttemptAt = undefined;
    this.setState('connecting');
    const transport = this.options.transport;
    try {
      await this.closing;
      if (this.presence && !(await this.presence())) {
        throw new Error(`${transport.target} is not present (unplugged, switched off, or the path is wrong)`);
      }
      if (gen !== this.generation) return;
      await transport.open();
    } catch (e) {
      if (gen !== this.generation) return;
      this.recordError('transport', describeError(e));
      this.lose(`could not open: ${describeError(e)}`);
      return;
    }
    if (gen !== this.generation) {
      // stopped (or lost) while opening: do not keep a port nobody watches
      await transport.close().catch(() => {});
      return;
    }
    this.openedAt = this.clock.now();
    this.detachTransport = [
      transport.on('close', (info) => {
        if (info.expected || gen !== this.generation) return;
        const why = info.error ? describeError(info.error) : 'closed by the other side';
        this.lose(`port closed: ${why}`);
      }),
      transport.on('error', (e) => {
        if (gen === this.generation) this.recordError('transport', describeError(e));
      }),
    ];
    this.session.attach(transport);
    this.setState('negotiating');
    if (this.options.profile.quietTimeoutMs === null) this.becomeConnected();
    else this.armWatchdog(gen, this.options.profile.quietTimeoutMs);
    this.armKeepAlive(gen);
    this.armPresencePoll(gen);
  }

  private onValidData(at: number): void {
    this.lastValidDataAt = at;
    if (this.current === 'negotiating') this.becomeConnected();
  }

  private becomeConnected(): void {
    if (this.everConnected) this.reconnects++;
    this.everConnected = true;
    this.attempt = 0;
    this.setState('connected');
  }

  /** The connection is gone (or never came): tidy up and schedule the next attempt. */
  private lose(reason: string): void {
    const gen = ++this.generation;
    this.clearTimers();
    this.unhookTransport();
    this.setState('lost', reason);
    const transport = this.options.transport;
    void this.session.detach();
    this.closing = transport.close().catch((e: unknown) => this.recordError('transport', describeError(e)));
    const delay = backoffDelay(this.attempt, this.backoff, this.random);
    this.attempt++;
    this.nextAttemptAt = this.clock.now() + delay;
    this.after(delay, () => {
      if (gen === this.generation) void this.connect();
    });
  }

  private armWatchdog(gen: number, quietMs: number, delayMs = quietMs): void {
    // re-armed for the remaining time instead of on every frame: one timer per quiet period, not 60 per second
    this.after(delayMs, () => {
      if (gen !== this.generation) return;
      const lastValid = Math.max(this.lastValidDataAt ?? 0, this.openedAt);
      const quietFor = this.clock.now() - lastValid;
      if (quietFor >= quietMs) {
        const what = this.current === 'negotiating' ? 'no valid data since the port opened' : 'no valid data';
        this.lose(`quiet line: ${what} for ${Math.round(quietFor / 100) / 10} s`);
      } else {
        this.armWatchdog(gen, quietMs, quietMs - quietFor);
      }
    });
  }

  private armKeepAlive(gen: number): void {
    const keepAlive = this.options.profile.keepAlive;
    if (!keepAlive) return;
    this.after(keepAlive.intervalMs, () => {
      if (gen !== this.generation) return;
      this.session.send(keepAlive.command.bytes);
      this.armKeepAlive(gen);
    });
  }

  private armPresencePoll(gen: number): void {
    const presence = this.presence;
    if (!presence) return;
    this.after(this.presencePollMs, () => {
      if (gen !== this.generation) return;
      presence().then(
        (present) => {
          if (gen !== this.generation) return;
          if (present) this.armPresencePoll(gen);
          else this.lose(`device unplugged: ${this.options.transport.target} is no longer present`);
        },
        (e: unknown) => {
          if (gen !== this.generation) return;
          this.recordError('transport', `port list unavailable: ${describeError(e)}`);
          this.armPresencePoll(gen);
        },
      );
    });
  }

  private after(ms: number, fn: () => void): void {
    const handle = this.clock.setTimeout(() => {
      this.timers.delete(handle);
      fn();
    }, ms);
    this.timers.add(handle);
  }

  private clearTimers(): void {
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.clear();
  }

  private unhookTransport(): void {
    for (const off of this.detachTransport) off();
    this.detachTransport = [];
  }

  private setState(state: ConnectionState, reason?: string): void {
    const previous = this.current;
    if (previous === state && reason === this.reason) return;
    this.current = state;
    this.since = this.clock.now();
    this.reason = reason;
    const change: StateChange = { state, previous, at: this.since };
    if (reason !== undefined) change.reason = reason;
    this.emit('state', change);
  }

  private recordError(kind: SupervisorErrorKind, message: string, offset?: number): void {
    const count = (this.errorCounts[kind] ?? 0) + 1;
    this.errorCounts[kind] = count;
    this.errorTotal++;
    const error: SupervisorError = { kind, message, at: this.clock.now(), count, total: this.errorTotal };
    if (offset !== undefined) error.offset = offset;
    this.emit('error', error);
  }
}
