// Browser mode: one WebSocket to the host that serves this page, reopened with
// backoff whenever it drops.
import { ConnectionError, type HostConnection } from './connection';
import { DEFAULT_BACKOFF, reconnectDelay, type BackoffOptions } from './backoff';

/** The part of the DOM WebSocket this connection uses (lets tests pass a fake). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((ev: Event) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
}

const OPEN = 1;

export function apiSocketUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api`;
}

export interface WebSocketConnectionOptions {
  createSocket?: (url: string) => SocketLike;
  backoff?: BackoffOptions;
}

export class WebSocketConnection implements HostConnection {
  private socket: SocketLike | null = null;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private online = false;
  private readonly messageListeners: ((json: string) => void)[] = [];
  private readonly statusListeners: ((online: boolean) => void)[] = [];
  private readonly createSocket: (url: string) => SocketLike;
  private readonly backoff: BackoffOptions;

  constructor(
    private readonly url: string,
    options: WebSocketConnectionOptions = {},
  ) {
    this.createSocket = options.createSocket ?? ((u) => new WebSocket(u));
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
  }

  /** Opens the socket; afterwards it keeps itself open. */
  start(): void {
    if (!this.socket && !this.retryTimer) this.open();
  }

  /** Skips the rest of the backoff wait, e.g. when the browser reports the network is back. */
  reconnectNow(): void {
    if (this.online || !this.retryTimer) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.open();
  }

  send(json: string): void {
    if (!this.socket || this.socket.readyState !== OPEN) throw new ConnectionError('unreachable');
    this.socket.send(json);
  }

  onMessage(cb: (json: string) => void): void {
    this.messageListeners.push(cb);
  }

  onStatus(cb: (online: boolean) => void): void {
    this.statusListeners.push(cb);
    cb(this.online);
  }

  private open(): void {
    let socket: SocketLike;
    try {
      socket = this.createSocket(this.url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.setOnline(true);
    };
    socket.onmessage = (ev) => {
      if (typeof ev.data === 'string') for (const cb of this.messageListeners) cb(ev.data);
    };
    socket.onerror = () => {
      // A close event always follows; reconnection is handled there.
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.setOnline(false);
      this.scheduleRetry();
    };
  }

  private scheduleRetry(): void {
    const delay = reconnectDelay(this.attempt, this.backoff);
    this.attempt += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.open();
    }, delay);
  }

  private setOnline(online: boolean): void {
    if (this.online === online) return;
    this.online = online;
    for (const cb of this.statusListeners) cb(online);
  }
}
