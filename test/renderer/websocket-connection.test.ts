import { afterEach, describe, expect, it, vi } from 'vitest';
import { reconnectDelay } from '../../renderer/api/backoff';
import { BridgeConnection, type SijillBridge } from '../../renderer/api/bridge-connection';
import { ConnectionError } from '../../renderer/api/connection';
import { apiSocketUrl, WebSocketConnection, type SocketLike } from '../../renderer/api/websocket-connection';

class FakeSocket implements SocketLike {
  readyState = 0;
  readonly sent: string[] = [];
  onopen: ((ev: Event) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(data);
  }
  close() {
    this.drop();
  }
  open() {
    this.readyState = 1;
    this.onopen?.({} as Event);
  }
  drop() {
    this.readyState = 3;
    this.onclose?.({} as CloseEvent);
  }
  receive(data: unknown) {
    this.onmessage?.({ data } as MessageEvent);
  }
}

const noJitter = { initialMs: 100, maxMs: 1_000, random: () => 1 };

afterEach(() => {
  vi.useRealTimers();
});

describe('apiSocketUrl', () => {
  it('uses ws for http pages and wss for https pages, on the page host', () => {
    expect(apiSocketUrl({ protocol: 'http:', host: '127.0.0.1:7860' })).toBe('ws://127.0.0.1:7860/api');
    expect(apiSocketUrl({ protocol: 'https:', host: 'clinic.lan' })).toBe('wss://clinic.lan/api');
  });
});

describe('reconnectDelay', () => {
  it('doubles from the initial delay up to the cap', () => {
    expect([0, 1, 2, 3, 4, 5].map((n) => reconnectDelay(n, noJitter))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('keeps jitter between half and all of the delay', () => {
    expect(reconnectDelay(2, { ...noJitter, random: () => 0 })).toBe(200);
    expect(reconnectDelay(2, { ...noJitter, random: () => 0.5 })).toBe(300);
    expect(reconnectDelay(60, { ...noJitter, random: () => 0.999 })).toBeLessThanOrEqual(1_000);
  });
});

describe('WebSocketConnection', () => {
  it('reports online when the socket opens, passes text messages on, and sends', () => {
    const sockets: FakeSocket[] = [];
    const connection = new WebSocketConnection('ws://h/api', {
      createSocket: (url) => {
        const s = new FakeSocket(url);
        sockets.push(s);
        return s;
      },
      backoff: noJitter,
    });
    const status: boolean[] = [];
    const messages: string[] = [];
    connection.onStatus((online) => status.push(online));
    connection.onMessage((json) => messages.push(json));
    connection.start();

    expect(() => connection.send('{}')).toThrow(ConnectionError);
    sockets[0]?.open();
    connection.send('{"type":"request"}');
    sockets[0]?.receive('{"type":"event"}');
    sockets[0]?.receive(new ArrayBuffer(2));

    expect(sockets[0]?.url).toBe('ws://h/api');
    expect(status).toEqual([false, true]);
    expect(sockets[0]?.sent).toEqual(['{"type":"request"}']);
    expect(messages).toEqual(['{"type":"event"}']);
  });

  it('reconnects after a drop with growing delays, and resets them once connected', () => {
    vi.useFakeTimers();
    const sockets: FakeSocket[] = [];
    const connection = new WebSocketConnection('ws://h/api', {
      createSocket: (url) => {
        const s = new FakeSocket(url);
        sockets.push(s);
        return s;
      },
      backoff: noJitter,
    });
    const status: boolean[] = [];
    connection.onStatus((online) => status.push(online));
    connection.start();
    sockets[0]?.open();
    sockets[0]?.drop();
    expect(status).toEqual([false, true, false]);

    vi.advanceTimersByTime(99);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);

    sockets[1]?.drop(); // host still down: the next wait is longer
    vi.advanceTimersByTime(199);
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(3);

    sockets[2]?.open();
    sockets[2]?.drop();
    vi.advanceTimersByTime(100);
    expect(sockets).toHaveLength(4);
    expect(status).toEqual([false, true, false, true, false]);
  });

  it('skips the wait when asked to reconnect now', () => {
    vi.useFakeTimers();
    const sockets: FakeSocket[] = [];
    const connection = new WebSocketConnection('ws://h/api', {
      createSocket: (url) => {
        const s = new FakeSocket(url);
        sockets.push(s);
        return s;
      },
      backoff: { initialMs: 60_000, maxMs: 60_000, random: () => 1 },
    });
    connection.start();
    sockets[0]?.drop();
    connection.reconnectNow();
    expect(sockets).toHaveLength(2);
  });
});

describe('BridgeConnection', () => {
  it('relays to the Electron preload bridge and is always online', () => {
    const sent: string[] = [];
    let deliver: (json: string) => void = () => {};
    const bridge: SijillBridge = { send: (json) => sent.push(json), onMessage: (cb) => (deliver = cb) };
    const connection = new BridgeConnection(bridge);
    const received: string[] = [];
    const status: boolean[] = [];
    connection.onMessage((json) => received.push(json));
    connection.onStatus((online) => status.push(online));
    connection.send('{"a":1}');
    deliver('{"b":2}');
    expect(sent).toEqual(['{"a":1}']);
    expect(received).toEqual(['{"b":2}']);
    expect(status).toEqual([true]);
  });
});
