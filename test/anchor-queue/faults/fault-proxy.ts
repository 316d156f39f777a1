// A fault-injecting JSON-RPC proxy on 127.0.0.1 in front of the local EVM node. The
// host under test is configured with the proxy's URL, so every call it makes to the
// ledger goes through here and can be refused, failed, slowed down or held.
//
// Modes:
// - pass: forward every call.
// - refuse: the port is closed (connection refused) and open connections are cut.
// - unavailable: answer HTTP 503 without forwarding.
// - flaky: each call fails with probability `failRate`, decided by a seeded PRNG; a
//   failure either never reaches the node (503) or reaches it and loses the reply
//   (connection cut), so "the node did it but we never heard" is exercised too.
// - slow: each call is delayed by a seeded amount in [minMs, maxMs]; `beyond` rules
//   delay chosen calls past the client's timeout.
// Hooks (before/after) see every call whatever the mode and can hold it, which is how
// a test stops a call at an exact point (e.g. to SIGKILL the host there).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FaultMode = 'pass' | 'refuse' | 'unavailable' | 'flaky' | 'slow';

export interface RpcCall {
  /** Sequence number of the HTTP request, from 1. */
  seq: number;
  method: string;
  params: unknown[];
}

/** What to do with a call before it reaches the node. */
export type BeforeAction = 'forward' | 'drop';
/** What to do with the node's answer. */
export type AfterAction = 'reply' | 'drop';

export interface SlowOptions {
  minMs: number;
  maxMs: number;
  /** The first `count` calls of `method` have their reply held `ms` (after the node answered). */
  beyond?: { method: string; count: number; ms: number };
}

export interface FaultStats {
  requests: number;
  forwarded: number;
  unavailable: number;
  /** Failed before reaching the node (flaky). */
  failedBefore: number;
  /** Reached the node, reply lost (flaky). */
  lostReplies: number;
  delayed: number;
  /** Calls held past the client's patience whose client had gone when the reply was ready. */
  abandoned: number;
  byMethod: Record<string, number>;
}

/** Mulberry32: small, fast, deterministic for a seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class FaultProxy {
  readonly stats: FaultStats = {
    requests: 0,
    forwarded: 0,
    unavailable: 0,
    failedBefore: 0,
    lostReplies: 0,
    delayed: 0,
    abandoned: 0,
    byMethod: {},
  };
  /** Runs before each call is handled by the mode; may hold it by not resolving yet. */
  before: ((call: RpcCall) => BeforeAction | Promise<BeforeAction>) | null = null;
  /** Runs after the node answered a forwarded call, before the answer is sent back. */
  after: ((call: RpcCall, answer: string) => AfterAction | Promise<AfterAction>) | null = null;

  #mode: FaultMode = 'pass';
  #failRate = 0.5;
  #slow: SlowOptions = { minMs: 1_000, maxMs: 3_000 };
  #beyondLeft = 0;
  #random: () => number;
  #server: Server;
  #sockets = new Set<Socket>();
  #port = 0;
  #seq = 0;

  private constructor(
    private readonly target: string,
    seed: number,
  ) {
    this.#random = seededRandom(seed);
    this.#server = this.#newServer();
  }

  static async start(target: string, seed = 1): Promise<FaultProxy> {
    const proxy = new FaultProxy(target, seed);
    await proxy.#listen(0);
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  get mode(): FaultMode {
    return this.#mode;
  }

  /** Switches mode; 'refuse' closes the port, leaving 'refuse' opens it again on the same port. */
  async setMode(mode: FaultMode, options: { failRate?: number; slow?: SlowOptions } = {}): Promise<void> {
    if (options.failRate !== undefined) this.#failRate = options.failRate;
    if (options.slow) {
      this.#slow = options.slow;
      this.#beyondLeft = options.slow.beyond?.count ?? 0;
    }
    const wasRefusing = this.#mode === 'refuse';
    this.#mode = mode;
    if (mode === 'refuse' && !wasRefusing) await this.#close();
    if (mode !== 'refuse' && wasRefusing) {
      this.#server = this.#newServer();
      await this.#listen(this.#port);
    }
  }

  async stop(): Promise<void> {
    this.before = null;
    this.after = null;
    if (this.#mode !== 'refuse') await this.#close();
    this.#mode = 'refuse';
  }

  #newServer(): Server {
    const server = createServer((req, res) => void this.#handle(req, res));
    server.keepAliveTimeout = 1_000;
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    return server;
  }

  #listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => {
        this.#server.off('error', reject);
        this.#port = (this.#server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  #close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      // Cut keep-alive connections too: a "down" node answers nothing, not even on them.
      for (const socket of this.#sockets) socket.destroy();
      this.#server.closeAllConnections();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const call = this.#parse(body);
    this.stats.requests++;
    this.stats.byMethod[call.method] = (this.stats.byMethod[call.method] ?? 0) + 1;
    try {
      if (this.before && (await this.before(call)) === 'drop') return cut(res);
      switch (this.#mode) {
        case 'refuse': // the port closed while the call was on its way
          return cut(res);
        case 'unavailable':
          this.stats.unavailable++;
          return unavailable(res);
        case 'flaky': {
          if (this.#random() < this.#failRate) {
            if (this.#random() < 0.5) {
              this.stats.failedBefore++;
              return unavailable(res);
            }
            await this.#forward(body);
            this.stats.lostReplies++;
            return cut(res);
          }
          break;
        }
        case 'slow': {
          const { minMs, maxMs } = this.#slow;
          this.stats.delayed++;
          await sleep(minMs + this.#random() * (maxMs - minMs));
          break;
        }
        case 'pass':
          break;
      }
      const answer = await this.#forward(body);
      if (this.#mode === 'slow' && this.#slow.beyond?.method === call.method && this.#beyondLeft > 0) {
        this.#beyondLeft--;
        await sleep(this.#slow.beyond.ms);
      }
      if (this.after && (await this.after(call, answer)) === 'drop') return cut(res);
      if (res.destroyed || res.socket?.destroyed) {
        this.stats.abandoned++;
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(answer);
    } catch {
      cut(res);
    }
  }

  async #forward(body: string): Promise<string> {
    this.stats.forwarded++;
    const response = await fetch(this.target, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    return response.text();
  }

  #parse(body: string): RpcCall {
    this.#seq++;
    try {
      const parsed = JSON.parse(body) as
        { method?: string; params?: unknown[] } | { method?: string; params?: unknown[] }[];
      const first = Array.isArray(parsed) ? parsed[0] : parsed;
      return { seq: this.#seq, method: String(first?.method ?? '?'), params: first?.params ?? [] };
    } catch {
      return { seq: this.#seq, method: '?', params: [] };
    }
  }
}

function cut(res: ServerResponse): void {
  res.socket?.destroy();
}

function unavailable(res: ServerResponse): void {
  if (!res.headersSent && !res.destroyed)
    res.writeHead(503, { 'content-type': 'text/plain' }).end('service unavailable');
}
