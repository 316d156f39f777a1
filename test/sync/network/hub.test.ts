// The regional hub: the official automerge-repo sync server (run as shipped, in its
// own process) behind the authenticating gateway. Two enrolled devices sync a chart
// through it without ever being online together; an unenrolled device is refused at
// the gateway and never causes a connection to the sync server.
import { Repo, type PeerId } from '@automerge/automerge-repo';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticatedHubGateway,
  AuthenticatedWebSocketClientAdapter,
  peerIdForDevice,
  type DeviceIdentity,
  type SyncNetworkEvent,
} from '../../../sync';
import { makeClinic, strangerDevice, type TestClinic } from '../identity/clinic-fixture';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

let hub: ChildProcess;
let dataDir: string;
let upstreamUrl: string;

beforeAll(async () => {
  const port = await freePort();
  dataDir = mkdtempSync(join(tmpdir(), 'sijill-hub-'));
  hub = spawn(process.execPath, ['node_modules/@automerge/automerge-repo-sync-server/src/index.js'], {
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    hub.stdout!.on('data', (b: Buffer) => {
      if (b.toString().includes('Listening')) resolve();
    });
    hub.once('exit', (code) => reject(new Error(`sync server exited (${code})`)));
  });
  upstreamUrl = `ws://127.0.0.1:${port}`;
});

afterAll(() => {
  hub?.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

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
