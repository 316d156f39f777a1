// A minimal client of the host's WebSocket API for tests: typed calls, raw sends
// (for malformed input), and collected server events.
import WebSocket from 'ws';
import type { Input, Method, Output, ServerMessage } from '../../../main/api';

export class TestClient {
  readonly ws: WebSocket;
  readonly events: { event: string; data: unknown }[] = [];
  token: string | undefined;
  #nextId = 1;
  #pending = new Map<number, (m: ServerMessage) => void>();

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as ServerMessage;
      if (msg.type === 'event') this.events.push({ event: msg.event, data: msg.data });
      else this.#pending.get(msg.id)?.(msg);
    });
  }

  static connect(url: string, headers: Record<string, string> = {}): Promise<TestClient> {
    const ws = new WebSocket(url, { headers });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new TestClient(ws)));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  /** Sends anything (even non-JSON) and waits for the response with the given id. */
  raw(payload: string, id: number): Promise<ServerMessage> {
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.ws.send(payload);
    });
  }

  async request(method: string, params?: unknown, token = this.token): Promise<ServerMessage & { type: 'response' }> {
    const id = this.#nextId++;
    const msg = await this.raw(JSON.stringify({ type: 'request', id, method, params, token }), id);
    return msg as ServerMessage & { type: 'response' };
  }

  async call<M extends Method>(method: M, params: Input<M>): Promise<Output<M>> {
    const res = await this.request(method, params);
    if (!res.ok) throw Object.assign(new Error(res.error.message), { code: res.error.code, issues: res.error.issues });
    return res.result as Output<M>;
  }

  close() {
    this.ws.close();
  }
}
