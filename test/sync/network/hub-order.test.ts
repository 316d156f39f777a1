// The hub gateway's judges may answer later (the hub reads a chart before it can
// decide). Frames still reach the device in the order the sync server sent them, and
// the sync server in the order the device sent them; refused ones are answered
// "unavailable" to the device; decisions run side by side rather than one after
// another; and a device that sends faster than its frames are decided is no longer
// read until they are. The sync server here is a stand-in speaking the stock join/peer
// exchange, so the frames and their timing are the test's own.
import { cbor, type DocumentId, type Message, type PeerId } from '@automerge/automerge-repo';
import { WebSocketServer, type WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AuthenticatedHubGateway,
  AuthenticatedWebSocketClientAdapter,
  peerIdForDevice,
  type AuthenticatedPeer,
  type HubGatewayOptions,
} from '../../../sync';
import { makeClinic } from '../identity/clinic-fixture';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const listening = async (wss: WebSocketServer) => {
  await new Promise<void>((r) => wss.once('listening', () => r()));
  return `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
};

const until = async (cond: () => boolean, ms = 8000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A stand-in sync server: answers the join, then sends `frames` (document ids) to the
 * device; every other frame it receives is kept in `received` (document id and first data byte).
 */
async function fakeUpstream(frames: string[], received: { documentId: string; byte?: number }[] = []) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  const url = await listening(wss);
  wss.on('connection', (ws: WebSocket) => {
    ws.on('message', (raw) => {
      const m = cbor.decode(new Uint8Array(raw as Buffer)) as {
        type: string;
        senderId: string;
        documentId?: string;
        data?: Uint8Array;
      };
      if (m.type !== 'join') {
        received.push({ documentId: String(m.documentId), ...(m.data ? { byte: m.data[0] } : {}) });
        return;
      }
      ws.send(cbor.encode({ type: 'peer', senderId: 'upstream', targetId: m.senderId, selectedProtocolVersion: '1' }));
      frames.forEach((documentId, i) =>
        ws.send(
          cbor.encode({
            type: 'sync',
            senderId: 'upstream',
            targetId: m.senderId,
            documentId,
            data: new Uint8Array([i]),
          }),
        ),
      );
    });
  });
  cleanups.push(() => new Promise<void>((r) => wss.close(() => r())));
  return url;
}

describe('hub gateway: an outbound judge that answers later', () => {
  it('delivers in the sync server’s order, answers refusals "unavailable", and decides frames side by side', async () => {
    const clinic = makeClinic(['desk', 'hub', 'lap']);
    const frames = ['slow-yes', 'fast-yes', 'fast-no', 'slow-no', 'later-yes', 'last-yes'];
    const upstreamUrl = await fakeUpstream(frames);
    const started: { id: string; at: number }[] = [];
    const judgeOutbound = (_peer: AuthenticatedPeer, m: Message): boolean | Promise<boolean> => {
      const id = String(m.documentId);
      started.push({ id, at: Date.now() });
      const yes = id.endsWith('-yes');
      if (id === 'slow-yes') return sleep(300).then(() => yes);
      if (id === 'slow-no') return sleep(100).then(() => yes);
      if (id === 'later-yes') return Promise.resolve(yes);
      return yes;
    };
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    const url = await listening(wss);
    const dropped: string[] = [];
    const gw = new AuthenticatedHubGateway(wss, {
      auth: { identity: clinic.devices.hub!, clinicId: clinic.clinicId, trust: clinic.trust },
      upstreamUrl,
      judgeOutbound,
      onEvent: (e) => {
        if (e.type === 'dropped') dropped.push(e.messageType);
      },
    });
    gw.start();
    cleanups.push(() => {
      gw.stop();
      return new Promise<void>((r) => wss.close(() => r()));
    });

    const lap = clinic.devices.lap!;
    const adapter = new AuthenticatedWebSocketClientAdapter({
      url,
      auth: { identity: lap, clinicId: clinic.clinicId, trust: clinic.trust },
      retryIntervalMs: 0,
    });
    const got: { type: string; documentId: string; byte?: number }[] = [];
    adapter.on('message', (m: Message) =>
      got.push({
        type: m.type,
        documentId: String(m.documentId),
        ...(m.data instanceof Uint8Array ? { byte: m.data[0] } : {}),
      }),
    );
    adapter.connect(peerIdForDevice(lap.deviceId) as PeerId, { isEphemeral: true });
    cleanups.push(() => adapter.disconnect());

    await until(() => got.length === frames.length);
    expect(got).toEqual([
      { type: 'sync', documentId: 'slow-yes', byte: 0 },
      { type: 'sync', documentId: 'fast-yes', byte: 1 },
      { type: 'doc-unavailable', documentId: 'fast-no' },
      { type: 'doc-unavailable', documentId: 'slow-no' },
      { type: 'sync', documentId: 'later-yes', byte: 4 },
      { type: 'sync', documentId: 'last-yes', byte: 5 },
    ]);
    // Every frame was judged as it arrived, while the first decision (300 ms) was pending.
    expect(started.map((s) => s.id)).toEqual(frames);
    expect(started.at(-1)!.at - started[0]!.at).toBeLessThan(250);
    expect(dropped).toEqual(['sync', 'sync']);
    // Nothing more is on its way.
    await sleep(100);
    expect(got).toHaveLength(frames.length);
  });

  it('a judge that throws or rejects counts as no', async () => {
    const clinic = makeClinic(['desk', 'hub', 'lap']);
    const upstreamUrl = await fakeUpstream(['throws', 'rejects', 'fine']);
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    const url = await listening(wss);
    const gw = new AuthenticatedHubGateway(wss, {
      auth: { identity: clinic.devices.hub!, clinicId: clinic.clinicId, trust: clinic.trust },
      upstreamUrl,
      judgeOutbound: (_p, m) => {
        if (m.documentId === 'throws') throw new Error('no facts');
        if (m.documentId === 'rejects') return Promise.reject(new Error('no facts'));
        return true;
      },
    });
    gw.start();
    cleanups.push(() => {
      gw.stop();
      return new Promise<void>((r) => wss.close(() => r()));
    });
    const lap = clinic.devices.lap!;
    const adapter = new AuthenticatedWebSocketClientAdapter({
      url,
      auth: { identity: lap, clinicId: clinic.clinicId, trust: clinic.trust },
      retryIntervalMs: 0,
    });
    const got: string[] = [];
    adapter.on('message', (m: Message) => got.push(`${m.type} ${String(m.documentId)}`));
    adapter.connect(peerIdForDevice(lap.deviceId) as PeerId, { isEphemeral: true });
    cleanups.push(() => adapter.disconnect());
    await until(() => got.length === 3);
    expect(got).toEqual(['doc-unavailable throws', 'doc-unavailable rejects', 'sync fine']);
  });
});

/** A gateway in front of `upstreamUrl` with these options, and the lap device connected to it. */
async function gatewayAndDevice(
  upstreamUrl: string,
  options: Omit<HubGatewayOptions, 'auth' | 'upstreamUrl'>,
  onServerSocket?: (ws: WebSocket) => void,
) {
  const clinic = makeClinic(['desk', 'hub', 'lap']);
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  const url = await listening(wss);
  if (onServerSocket) wss.on('connection', onServerSocket);
  const gw = new AuthenticatedHubGateway(wss, {
    auth: { identity: clinic.devices.hub!, clinicId: clinic.clinicId, trust: clinic.trust },
    upstreamUrl,
    ...options,
  });
  gw.start();
  cleanups.push(() => {
    gw.stop();
    return new Promise<void>((r) => wss.close(() => r()));
  });
  const lap = clinic.devices.lap!;
  const adapter = new AuthenticatedWebSocketClientAdapter({
    url,
    auth: { identity: lap, clinicId: clinic.clinicId, trust: clinic.trust },
    retryIntervalMs: 0,
  });
  const got: { type: string; documentId: string; byte?: number }[] = [];
  adapter.on('message', (m: Message) =>
    got.push({
      type: m.type,
      documentId: String(m.documentId),
      ...(m.data instanceof Uint8Array ? { byte: m.data[0] } : {}),
    }),
  );
  const lapPeerId = peerIdForDevice(lap.deviceId) as PeerId;
  const hubPeerId = peerIdForDevice(clinic.devices.hub!.deviceId) as PeerId;
  const connected = new Promise<void>((r) => adapter.once('peer-candidate', () => r()));
  adapter.connect(lapPeerId, { isEphemeral: true });
  cleanups.push(() => adapter.disconnect());
  await connected;
  /** The device sends a sync frame for `documentId` carrying one data byte. */
  const send = (documentId: string, byte: number) =>
    adapter.send({
      type: 'sync',
      senderId: lapPeerId,
      targetId: hubPeerId,
      documentId: documentId as DocumentId,
      data: new Uint8Array([byte]),
    });
  return { got, send, lapDeviceId: lap.deviceId };
}

describe('hub gateway: an inbound judge that answers later', () => {
  it('relays to the sync server in the device’s order, answers refusals "unavailable", and decides frames side by side', async () => {
    const frames = ['slow-yes', 'fast-yes', 'fast-no', 'slow-no', 'later-yes', 'last-yes'];
    const received: { documentId: string; byte?: number }[] = [];
    const upstreamUrl = await fakeUpstream([], received);
    const started: { id: string; at: number }[] = [];
    const upstream: string[] = [];
    const dropped: { direction: string; messageType: string }[] = [];
    const { got, send } = await gatewayAndDevice(upstreamUrl, {
      judgeInbound: (_peer, m) => {
        const id = String(m.documentId);
        started.push({ id, at: Date.now() });
        const yes = id.endsWith('-yes');
        if (id === 'slow-yes') return sleep(300).then(() => yes);
        if (id === 'slow-no') return sleep(100).then(() => yes);
        if (id === 'later-yes') return Promise.resolve(yes);
        return yes;
      },
      onUpstream: (_peer, m) => upstream.push(String(m.documentId)),
      onEvent: (e) => {
        if (e.type === 'dropped') dropped.push({ direction: e.direction, messageType: e.messageType });
      },
    });
    frames.forEach((id, i) => send(id, i));

    await until(() => received.length === 4 && got.length === 2);
    expect(received).toEqual([
      { documentId: 'slow-yes', byte: 0 },
      { documentId: 'fast-yes', byte: 1 },
      { documentId: 'later-yes', byte: 4 },
      { documentId: 'last-yes', byte: 5 },
    ]);
    expect(upstream).toEqual(['slow-yes', 'fast-yes', 'later-yes', 'last-yes']);
    // The device is told the hub has neither refused document, in its order.
    expect(got).toEqual([
      { type: 'doc-unavailable', documentId: 'fast-no' },
      { type: 'doc-unavailable', documentId: 'slow-no' },
    ]);
    expect(dropped).toEqual([
      { direction: 'in', messageType: 'sync' },
      { direction: 'in', messageType: 'sync' },
    ]);
    // Every frame was judged as it arrived, while the first decision (300 ms) was pending.
    expect(started.map((s) => s.id)).toEqual(frames);
    expect(started.at(-1)!.at - started[0]!.at).toBeLessThan(250);
    await sleep(100);
    expect(received).toHaveLength(4);
    expect(got).toHaveLength(2);
  });

  it('a refusal is answered behind what the sync server already said to the device; a throw or rejection is no', async () => {
    // The sync server's frame about "doc" waits 300 ms for its decision; the device's own
    // frames about it are refused at once, yet their "unavailable" follows the server's frame.
    const received: { documentId: string; byte?: number }[] = [];
    const upstreamUrl = await fakeUpstream(['doc'], received);
    let judging!: () => void;
    const serverFrameJudged = new Promise<void>((r) => (judging = r));
    const { got, send } = await gatewayAndDevice(upstreamUrl, {
      judgeOutbound: () => {
        judging();
        return sleep(300).then(() => true);
      },
      judgeInbound: (_peer, m) => {
        if (m.documentId === 'throws') throw new Error('no facts');
        if (m.documentId === 'rejects') return Promise.reject(new Error('no facts'));
        return m.documentId === 'fine';
      },
    });
    await serverFrameJudged;
    send('doc', 7);
    send('throws', 8);
    send('rejects', 9);
    send('fine', 10);
    await until(() => got.length === 4 && received.length === 1);
    expect(got).toEqual([
      { type: 'sync', documentId: 'doc', byte: 0 },
      { type: 'doc-unavailable', documentId: 'doc' },
      { type: 'doc-unavailable', documentId: 'throws' },
      { type: 'doc-unavailable', documentId: 'rejects' },
    ]);
    expect(received).toEqual([{ documentId: 'fine', byte: 10 }]);
  });

  it('stops reading from a device whose frames wait for decisions, and reads again once they are decided', async () => {
    const received: { documentId: string; byte?: number }[] = [];
    const upstreamUrl = await fakeUpstream([], received);
    let release!: () => void;
    const decided = new Promise<boolean>((r) => (release = () => r(true)));
    let deviceSocket: WebSocket | undefined;
    const { send } = await gatewayAndDevice(
      upstreamUrl,
      // The first frame waits; every later one is allowed at once, but waits behind it.
      { judgeInbound: (_peer, m) => (m.documentId === 'first' ? decided : true) },
      (ws) => (deviceSocket = ws),
    );
    send('first', 0);
    // Well past the gateway's bound (256 waiting frames).
    for (let i = 1; i < 400; i++) send(`doc-${i}`, i % 256);
    await until(() => deviceSocket?.isPaused === true);
    expect(received).toEqual([]);
    release();
    await until(() => received.length === 400);
    expect(deviceSocket!.isPaused).toBe(false);
    expect(received.map((r) => r.documentId)).toEqual([
      'first',
      ...Array.from({ length: 399 }, (_, i) => `doc-${i + 1}`),
    ]);
  });
});
