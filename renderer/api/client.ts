// The typed RPC client: one request message per call, matched to its response by
// id, with the session token attached. Validates parameters with the contract's own
// schemas before anything leaves the renderer.
import type { z } from 'zod';
import {
  ApiError,
  contract,
  ERROR_CODES,
  events,
  MAX_MESSAGE_BYTES,
  type ErrorCode,
  type EventName,
  type EventPayload,
  type Input,
  type Method,
  type Output,
  type RequestMessage,
} from '../../main/api';
import { ConnectionError, type HostConnection } from './connection';
import { issuesFromZod, type Issue } from './issues';
import { memoryTokenStore, type TokenStore } from './token-store';

export interface HostClientOptions {
  tokenStore?: TokenStore;
  /** How long a sent request may wait for its response. */
  requestTimeoutMs?: number;
  /** How long a call made while offline waits for the link before failing. */
  connectWaitMs?: number;
}

interface PendingRequest {
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
  token: string | null;
}

interface OfflineWaiter {
  release: () => void;
}

type Listener<T> = (value: T) => void;

export class HostClient {
  private nextId = 1;
  private online = false;
  private token: string | null;
  private readonly pending = new Map<number, PendingRequest>();
  private readonly waiters = new Set<OfflineWaiter>();
  private readonly eventListeners = new Map<EventName, Set<Listener<unknown>>>();
  private readonly statusListeners = new Set<Listener<boolean>>();
  private readonly expiredListeners = new Set<() => void>();
  private readonly tokenStore: TokenStore;
  private readonly requestTimeoutMs: number;
  private readonly connectWaitMs: number;

  constructor(
    private readonly connection: HostConnection,
    options: HostClientOptions = {},
  ) {
    this.tokenStore = options.tokenStore ?? memoryTokenStore();
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.connectWaitMs = options.connectWaitMs ?? 8_000;
    this.token = this.tokenStore.load();
    connection.onMessage((json) => this.receive(json));
    connection.onStatus((online) => this.setOnline(online));
  }

  get isOnline(): boolean {
    return this.online;
  }

  get sessionToken(): string | null {
    return this.token;
  }

  setToken(token: string | null): void {
    this.token = token;
    this.tokenStore.save(token);
  }

  async call<M extends Method>(method: M, params: Input<M>): Promise<Output<M>> {
    const schema: z.ZodType = contract[method].input;
    const checked = schema.safeParse(params);
    if (!checked.success) {
      throw new ApiError(
        'VALIDATION',
        'Some values are not acceptable: correct the marked fields.',
        issuesFromZod(checked.error.issues),
      );
    }
    if (!this.online) await this.waitUntilOnline();
    return (await this.send(method, params)) as Output<M>;
  }

  onEvent<E extends EventName>(event: E, listener: (data: EventPayload<E>) => void): () => void {
    let listeners = this.eventListeners.get(event);
    if (!listeners) {
      listeners = new Set();
      this.eventListeners.set(event, listeners);
    }
    const untyped = listener as Listener<unknown>;
    listeners.add(untyped);
    return () => listeners.delete(untyped);
  }

  onStatus(listener: (online: boolean) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Called when the host refuses the session token: it expired or was revoked. */
  onSessionExpired(listener: () => void): () => void {
    this.expiredListeners.add(listener);
    return () => this.expiredListeners.delete(listener);
  }

  private send(method: Method, params: unknown): Promise<unknown> {
    const id = this.nextId++;
    const token = this.token;
    const message: RequestMessage = { type: 'request', id, method, params };
    if (token !== null) message.token = token;
    const json = JSON.stringify(message);
    if (new TextEncoder().encode(json).length > MAX_MESSAGE_BYTES) {
      return Promise.reject(new ApiError('VALIDATION', 'This request is too large to send. Shorten the text.'));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ConnectionError('timeout'));
      }, this.requestTimeoutMs);
      this.pending.set(id, { resolve, reject, timer, token });
      try {
        this.connection.send(json);
      } catch (error) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(error instanceof ConnectionError ? error : new ConnectionError('unreachable'));
      }
    });
  }

  private waitUntilOnline(): Promise<void> {
    return new Promise((resolve, reject) => {
      const waiter: OfflineWaiter = {
        release: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new ConnectionError('unreachable'));
      }, this.connectWaitMs);
      this.waiters.add(waiter);
    });
  }

  private setOnline(online: boolean): void {
    if (this.online === online) return;
    this.online = online;
    if (online) {
      for (const waiter of [...this.waiters]) waiter.release();
    } else {
      for (const [id, request] of this.pending) {
        clearTimeout(request.timer);
        this.pending.delete(id);
        request.reject(new ConnectionError('lost'));
      }
    }
    for (const listener of [...this.statusListeners]) listener(online);
  }

  private receive(json: string): void {
    let message: unknown;
    try {
      message = JSON.parse(json);
    } catch {
      return;
    }
    if (!isRecord(message)) return;
    if (message.type === 'response') this.receiveResponse(message);
    else if (message.type === 'event') this.receiveEvent(message);
  }

  private receiveResponse(message: Record<string, unknown>): void {
    if (typeof message.id !== 'number') return;
    const request = this.pending.get(message.id);
    if (!request) return;
    clearTimeout(request.timer);
    this.pending.delete(message.id);
    if (message.ok === true) {
      request.resolve(message.result);
      return;
    }
    const error = apiErrorFromBody(message.error);
    request.reject(error);
    if (error.code === 'UNAUTHENTICATED' && request.token !== null && request.token === this.token) {
      this.setToken(null);
      for (const listener of [...this.expiredListeners]) listener();
    }
  }

  private receiveEvent(message: Record<string, unknown>): void {
    const name = message.event;
    if (typeof name !== 'string' || !Object.prototype.hasOwnProperty.call(events, name)) return;
    const event = name as EventName;
    const parsed = events[event].safeParse(message.data);
    if (!parsed.success) return;
    for (const listener of [...(this.eventListeners.get(event) ?? [])]) listener(parsed.data);
  }
}

/** Turns an error body from the wire into an ApiError, tolerating a malformed one. */
export function apiErrorFromBody(body: unknown): ApiError {
  if (!isRecord(body)) return new ApiError('INTERNAL', 'The clinic host sent an unreadable error.');
  const code: ErrorCode = isErrorCode(body.code) ? body.code : 'INTERNAL';
  const message =
    typeof body.message === 'string' && body.message !== '' ? body.message : 'The clinic host refused the request.';
  const issues = Array.isArray(body.issues) ? body.issues.filter(isIssue) : undefined;
  return new ApiError(code, message, issues);
}

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

function isIssue(value: unknown): value is Issue {
  return isRecord(value) && typeof value.path === 'string' && typeof value.message === 'string';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
