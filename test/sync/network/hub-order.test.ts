// The hub gateway's outbound judge may answer later (the hub reads a chart before it
// can decide). Frames still reach the device in the order the sync server sent them,
// refused ones are answered "unavailable", and decisions run side by side rather than
// one after another. The sync server here is a stand-in speaking the stock join/peer
// exchange, so the frames and their timing are the test's own.
import { cbor, type Message, type PeerId } from '@automerge/automerge-repo';
import { WebSocketServer, type WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AuthenticatedHubGateway,
  AuthenticatedWebSocketClientAdapter,
  peerIdForDevice,
  type AuthenticatedPeer,
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

/** A stand-in sync server: answers the join, then sends `frames` (document ids) to the device. */
async function fakeUpstream(frames: string[]) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  const url = await listening(wss);
  wss.on('connection', (ws: WebSocket) => {
    ws.on('message', (raw) => {
      const m = cbor.decode(new Uint8Array(raw as Buffer)) as { type: string; senderId: string };
      if (m.type !== 'join') return;
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
