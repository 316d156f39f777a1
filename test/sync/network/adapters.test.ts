// Two automerge-repo Repos on 127.0.0.1 through the authenticated adapters: a
// document syncs between enrolled devices; an unenrolled or revoked client is
// refused during the handshake and no message — and no document id — reaches it.
import { Repo, type AutomergeUrl, type DocumentId, type Message, type PeerId } from '@automerge/automerge-repo';
import { WebSocketServer } from 'ws';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AuthenticatedWebSocketClientAdapter,
  AuthenticatedWebSocketServerAdapter,
  clientHandshake,
  createSharePolicy,
  peerIdForDevice,
  type DeviceFacts,
  type DeviceIdentity,
  type DocumentFacts,
  type MessageGuard,
  type SyncNetworkEvent,
} from '../../../sync';
import { makeClinic, strangerDevice, type TestClinic } from '../identity/clinic-fixture';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function listen(): Promise<{ wss: WebSocketServer; url: string }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const { port } = wss.address() as { port: number };
  cleanups.push(() => new Promise<void>((r) => wss.close(() => r())));
  return { wss, url: `ws://127.0.0.1:${port}` };
}

interface PolicySetup {
  devices: Record<string, DeviceFacts>;
  docs: Map<string, DocumentFacts>;
}

function withPolicy(
  clinic: TestClinic,
  setup: PolicySetup | undefined,
  directory: { deviceIdOf(p: string): string | undefined },
) {
  if (!setup) return {};
  const policy = createSharePolicy({
    peers: directory,
    facts: { device: (id) => setup.devices[id], document: (id) => setup.docs.get(id) },
    isActive: (id) => clinic.roster().devices.get(id)?.revokedAt === null,
  });
  return { policy };
}

function serverRepo(
  clinic: TestClinic,
  device: DeviceIdentity,
  wss: WebSocketServer,
  events: SyncNetworkEvent[] = [],
  share?: PolicySetup,
) {
  const late: { guard?: MessageGuard } = {};
  const adapter = new AuthenticatedWebSocketServerAdapter(wss, {
    auth: { identity: device, clinicId: clinic.clinicId, trust: clinic.trust },
    keepAliveMs: 0,
    onEvent: (e) => events.push(e),
    // The policy needs the adapter (its peer directory): wire the guard in once both exist.
    guard: {
      inbound: (p, m) => late.guard?.inbound(p, m) ?? true,
      outbound: (p, m) => late.guard?.outbound(p, m) ?? true,
    },
  });
  const { policy } = withPolicy(clinic, share, adapter);
  if (policy) late.guard = policy.guard;
  const repo = new Repo({
    network: [adapter],
    peerId: peerIdForDevice(device.deviceId) as PeerId,
    ...(policy ? { shareConfig: policy.shareConfig } : {}),
  });
  cleanups.push(() => repo.shutdown());
  return { repo, adapter };
}

function clientRepo(
  clinic: TestClinic,
  device: DeviceIdentity,
  url: string,
  events: SyncNetworkEvent[] = [],
  share?: PolicySetup,
) {
  const late: { guard?: MessageGuard } = {};
  const adapter = new AuthenticatedWebSocketClientAdapter({
    url,
    auth: { identity: device, clinicId: clinic.clinicId, trust: clinic.trust },
    retryIntervalMs: 0,
    onEvent: (e) => events.push(e),
    // The policy needs the adapter (its peer directory): wire the guard in once both exist.
    guard: {
      inbound: (p, m) => late.guard?.inbound(p, m) ?? true,
      outbound: (p, m) => late.guard?.outbound(p, m) ?? true,
    },
  });
  const { policy } = withPolicy(clinic, share, adapter);
  if (policy) late.guard = policy.guard;
  const received: Message[] = [];
  adapter.on('message', (m) => received.push(m));
  const candidates: string[] = [];
  adapter.on('peer-candidate', (p) => candidates.push(p.peerId));
  const repo = new Repo({
    network: [adapter],
    peerId: peerIdForDevice(device.deviceId) as PeerId,
    ...(policy ? { shareConfig: policy.shareConfig } : {}),
  });
  cleanups.push(() => repo.shutdown());
  return { repo, adapter, received, candidates };
}

const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('authenticated WebSocket adapters', () => {
  it('syncs a document both ways between two enrolled devices', async () => {
    const clinic = makeClinic(['desktop', 'laptop']);
    const { wss, url } = await listen();
    const desk = serverRepo(clinic, clinic.devices.desktop!, wss);
    const lap = clientRepo(clinic, clinic.devices.laptop!, url);
    const handle = desk.repo.create<{ allergies: string[] }>({ allergies: ['penicillin'] });
    await until(() => lap.adapter.remote !== undefined);
    const remote = await lap.repo.find<{ allergies: string[] }>(handle.url as AutomergeUrl);
    expect(remote.doc().allergies).toEqual(['penicillin']);
    remote.change((d) => {
      d.allergies.push('latex');
    });
    await until(() => handle.doc().allergies.length === 2);
    expect(handle.doc().allergies).toEqual(['penicillin', 'latex']);
    expect(lap.adapter.remote?.deviceId).toBe(clinic.devices.desktop!.deviceId);
    expect(desk.adapter.deviceIdOf(peerIdForDevice(clinic.devices.laptop!.deviceId))).toBe(
      clinic.devices.laptop!.deviceId,
    );
  });

  it('an unenrolled client gets nothing: no peer, no message, no document id', async () => {
    const clinic = makeClinic(['desk']);
    const { wss, url } = await listen();
    const serverEvents: SyncNetworkEvent[] = [];
    const desk = serverRepo(clinic, clinic.devices.desk!, wss, serverEvents);
    const secret = desk.repo.create({ patient: 'Layla' });
    const stranger = strangerDevice();
    // A stranger who trusts anyone, running the stock adapter logic of ours.
    const clientEvents: SyncNetworkEvent[] = [];
    const lap = clientRepo({ ...clinic, trust: () => true }, stranger, url, clientEvents);
    await until(() => clientEvents.some((e) => e.type === 'auth-failed'));
    await new Promise((r) => setTimeout(r, 100));
    expect(lap.candidates).toEqual([]);
    expect(lap.received).toEqual([]);
    expect(lap.adapter.remote).toBeUndefined();
    expect(Object.keys(lap.repo.handles)).not.toContain(secret.documentId);
    expect(serverEvents).toContainEqual(expect.objectContaining({ type: 'auth-failed', code: 'untrusted' }));
    expect(desk.adapter.peers).toEqual([]);
  });

  it('on the wire, a refused client sees only the server hello, then a close with no reason', async () => {
    const clinic = makeClinic(['desk', 'lap']);
    clinic.revoke('lap');
    const { wss, url } = await listen();
    const desk = serverRepo(clinic, clinic.devices.desk!, wss);
    const doc = desk.repo.create({ patient: 'Omar' });
    const ws = new WebSocket(url);
    const frames: Buffer[] = [];
    const hs = clientHandshake({
      identity: clinic.devices.lap!, // genuine key, but revoked
      clinicId: clinic.clinicId,
      peerId: peerIdForDevice(clinic.devices.lap!.deviceId),
      trust: () => true,
    });
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    ws.on('open', () => ws.send(hs.first));
    ws.on('message', (data) => {
      frames.push(data as Buffer);
      const step = hs.receive(new Uint8Array(data as Buffer));
      if (step.reply) ws.send(step.reply);
    });
    const { code, reason } = await closed;
    expect(code).toBe(4401);
    expect(reason).toBe('');
    expect(frames).toHaveLength(1); // hs2 only
    const all = Buffer.concat(frames);
    expect(all.includes(Buffer.from(doc.documentId))).toBe(false);
  });

  it('a revoked device cannot connect, and revalidate() drops one already connected', async () => {
    const clinic = makeClinic(['desk', 'lap', 'tab']);
    const { wss, url } = await listen();
    const desk = serverRepo(clinic, clinic.devices.desk!, wss);
    const handle = desk.repo.create({ n: 1 });
    const lap = clientRepo(clinic, clinic.devices.lap!, url);
    await until(() => lap.adapter.remote !== undefined);
    const mine = await lap.repo.find<{ n: number }>(handle.url);
    expect(mine.doc().n).toBe(1);

    clinic.revoke('lap');
    desk.adapter.revalidate();
    await until(() => lap.adapter.remote === undefined);
    const before = lap.received.length;
    handle.change((d) => {
      d.n = 2;
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(lap.received.length).toBe(before);
    expect(mine.doc().n).toBe(1);

    const events: SyncNetworkEvent[] = [];
    const again = clientRepo(clinic, clinic.devices.lap!, url, events);
    await until(() => events.some((e) => e.type === 'auth-failed'));
    expect(again.received).toEqual([]);
  });

  it('share policy: a field laptop receives only its assigned patients, and can hand over a chart it created', async () => {
    const clinic = makeClinic(['desk', 'lap']);
    const deskId = clinic.devices.desk!.deviceId;
    const lapId = clinic.devices.lap!.deviceId;
    const devices: Record<string, DeviceFacts> = {
      [deskId]: { deviceId: deskId, role: 'clinic', facilityIds: ['F1'], teamIds: [] },
      [lapId]: { deviceId: lapId, role: 'field', facilityIds: [], teamIds: ['T1'] },
    };
    const patient = (facilityId: string, teams: string[]): DocumentFacts => ({
      kind: 'patient',
      patientId: 'p',
      facilityId,
      fieldTeamIds: teams,
      consent: { fieldCopies: true, regionalHub: false },
    });
    const deskDocs = new Map<string, DocumentFacts>();
    const lapDocs = new Map<string, DocumentFacts>();
    const { wss, url } = await listen();
    const desk = serverRepo(clinic, clinic.devices.desk!, wss, [], { devices, docs: deskDocs });
    const assigned = desk.repo.create({ name: 'assigned' });
    const other = desk.repo.create({ name: 'not assigned' });
    deskDocs.set(assigned.documentId, patient('F1', ['T1']));
    deskDocs.set(other.documentId, patient('F1', []));
    const lap = clientRepo(clinic, clinic.devices.lap!, url, [], { devices, docs: lapDocs });
    await until(() => lap.adapter.remote !== undefined);

    const got = await lap.repo.find<{ name: string }>(assigned.url);
    expect(got.doc().name).toBe('assigned');
    await expect(lap.repo.find(other.url)).rejects.toThrow(/unavailable/);
    const leaked = lap.received.filter((m) => m.documentId === other.documentId && m.type !== 'doc-unavailable');
    expect(leaked).toEqual([]);

    // A chart created on the laptop: the desktop has no facts yet, and still accepts it.
    const created = lap.repo.create({ name: 'new in the field' });
    lapDocs.set(created.documentId, patient('F1', ['T1']));
    lap.repo.shareConfigChanged();
    await until(() => desk.repo.handles[created.documentId as DocumentId]?.isReady() === true);
    expect(desk.repo.handles[created.documentId as DocumentId]!.doc()).toEqual({ name: 'new in the field' });
  });
});
