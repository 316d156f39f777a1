// The regional hub: the official automerge-repo sync server (run as shipped, in its
// own process) behind the authenticating gateway. Two enrolled devices sync a chart
// through it without ever being online together; an unenrolled device is refused at
// the gateway and never causes a connection to the sync server.
import { Repo, type PeerId } from '@automerge/automerge-repo';
import { readdirSync } from 'node:fs';
import { WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticatedHubGateway,
  AuthenticatedWebSocketClientAdapter,
  peerIdForDevice,
  type DeviceIdentity,
  type SyncNetworkEvent,
} from '../../../sync';
import { startSyncServer, type RunningSyncServer } from '../../helpers/sync-server';
import { makeClinic, strangerDevice, type TestClinic } from '../identity/clinic-fixture';

let syncServer: RunningSyncServer | undefined;
let dataDir: string;
let upstreamUrl: string;

beforeAll(async () => {
  syncServer = await startSyncServer('hub');
  ({ url: upstreamUrl, dataDir } = syncServer);
});

afterAll(() => syncServer?.stop());

const until = async (cond: () => boolean, ms = 8000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

async function gateway(clinic: TestClinic, events: SyncNetworkEvent[]) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const gw = new AuthenticatedHubGateway(wss, {
    auth: { identity: clinic.devices.hub!, clinicId: clinic.clinicId, trust: clinic.trust },
    upstreamUrl,
    onEvent: (e) => events.push(e),
  });
  gw.start();
  const { port } = wss.address() as { port: number };
  const close = () => {
    gw.stop();
    return new Promise<void>((r) => wss.close(() => r()));
  };
  return { gw, url: `ws://127.0.0.1:${port}`, close };
}

function device(clinic: TestClinic, identity: DeviceIdentity, url: string, events: SyncNetworkEvent[] = []) {
  const adapter = new AuthenticatedWebSocketClientAdapter({
    url,
    auth: { identity, clinicId: clinic.clinicId, trust: clinic.trust },
    retryIntervalMs: 0,
    onEvent: (e) => events.push(e),
  });
  const repo = new Repo({ network: [adapter], peerId: peerIdForDevice(identity.deviceId) as PeerId });
  return { repo, adapter };
}

describe('regional hub behind the gateway', () => {
  it('store and forward: the desktop leaves a chart, the laptop picks it up later', async () => {
    const clinic = makeClinic(['desk', 'hub', 'lap']);
    const events: SyncNetworkEvent[] = [];
    const g = await gateway(clinic, events);
    const desk = device(clinic, clinic.devices.desk!, g.url);
    await until(() => desk.adapter.remote !== undefined);
    expect(desk.adapter.remote!.deviceId).toBe(clinic.devices.hub!.deviceId);
    const chart = desk.repo.create({ allergies: ['penicillin'] });
    chart.change((d) => void d.allergies.push('latex'));
    // Wait until the sync server has stored it, then the desktop goes away.
    await until(() =>
      readdirSync(dataDir, { recursive: true }).some((p) => String(p).includes(chart.documentId.slice(2))),
    );
    await new Promise((r) => setTimeout(r, 200));
    await desk.repo.shutdown();

    const lap = device(clinic, clinic.devices.lap!, g.url);
    await until(() => lap.adapter.remote !== undefined);
    const got = await lap.repo.find<{ allergies: string[] }>(chart.url);
    expect(got.doc().allergies).toEqual(['penicillin', 'latex']);
    expect(g.gw.upstreamConnections).toBe(2);
    await lap.repo.shutdown();
    await g.close();
  });

  it('an unenrolled device is refused at the gateway and never reaches the sync server', async () => {
    const clinic = makeClinic(['desk', 'hub']);
    const events: SyncNetworkEvent[] = [];
    const g = await gateway(clinic, events);
    const clientEvents: SyncNetworkEvent[] = [];
    const stranger = device({ ...clinic, trust: () => true }, strangerDevice(), g.url, clientEvents);
    await until(() => events.some((e) => e.type === 'auth-failed'));
    expect(stranger.adapter.remote).toBeUndefined();
    expect(g.gw.upstreamConnections).toBe(0);
    await stranger.repo.shutdown();
    await g.close();
  });
});
