// The regional hub as this project runs it: the official automerge-repo sync server
// (which must listen only where nothing else reaches it: loopback or a private
// network) behind the authenticated gateway from sync/. The hub is a device of the
// clinic like any other: its identity is the device key of its own data directory,
// enrolled with `sijill peers join`, and it trusts exactly the roster it holds.
//
// Share policy at the hub (hub-share-facts.ts): only active devices of the clinic
// reach the sync server, and every frame the server sends a device, and every frame a
// device sends the server, is judged by the LAN's rule (`mayHold`). The roster and
// catalog go to and come from every active device; a clinic device receives every
// chart the server holds; a field device only the charts of its teams whose patients
// allow field copies, plus (coming in) a chart the server does not hold yet: a patient
// it registered. The sync server is the hub's storage, so content goes in only for
// charts whose patients consented to regional storage: the hub's device must have the
// role "hub" (checked at start), which makes every device keep the others back, and the
// gateway refuses them from a device that sends them anyway. The chart's facts are read from
// the chart on the sync server (the hub keeps only the facts, and reads them again
// after a change of the chart goes to the server), so a reassignment counts from the
// next sync.
//
// What it does not do: frames without document content (requests, "unavailable",
// sync messages without changes: heads and hashes) pass for any active device, so a
// field device learns that a chart exists and its heads (the catalog tells it as
// much); and a device that knows the id of a chart the server has never held can be
// the first to put content under it (as at a LAN peer that has not seen the chart; see
// hub-share-facts.ts).
import { Repo, type DocumentId, type PeerId } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { createServer, type Server } from 'node:http';
import { WebSocketServer } from 'ws';
import { AuthenticatedHubGateway, rosterOpsOf, type RosterDoc } from '../../../sync';
import { chartFactsOf, chartFactsOfFrame, createHubSharePolicy } from './hub-share-facts';
import { UpstreamDocReader } from './hub-upstream-reader';
import type { SyncService } from './sync-service';

export interface RunningHub {
  port: number;
  close(): Promise<void>;
}

export async function startHubGateway(args: {
  sync: SyncService;
  upstreamUrl: string;
  port: number;
  host: string;
  log(message: string): void;
}): Promise<RunningHub> {
  const m = args.sync.membership;
  const roster = args.sync.rosterState;
  if (!m || !roster)
    throw new Error('This data directory is not enrolled in a clinic: run "sijill peers join" for the hub first.');
  // Devices judge what they send a peer by its role: only with the hub role does a
  // clinic device keep back the charts of patients who did not consent to regional
  // storage. The gateway refuses those too, but a device that sends them is not told
  // why (it sees "unavailable"), and may think the hub holds them.
  const id = args.sync.deviceId;
  const role = roster.roster.devices.get(id)?.role;
  if (role !== 'hub')
    throw new Error(
      `This device (${id}) has the role "${role ?? 'none'}" in the clinic's roster; a regional hub needs the role "hub", ` +
        'so that devices send it only the charts of patients who consented to regional storage. On an administrator ' +
        `device run "sijill peers role ${id} --role hub", then "sijill sync --data-dir <this directory> --peer ` +
        'ws://<that device>" here so this device learns it.',
    );
  const http: Server = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 * 1024 });
  http.on('upgrade', (req, socket, head) => {
    if ((req.url ?? '').split('?')[0] !== '/sync') return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  const clinicId = m.anchor.clinicId;
  const reader = new UpstreamDocReader({ url: args.upstreamUrl, peerIdPrefix: `hub-facts-${args.sync.deviceId}` });
  const share = createHubSharePolicy({
    clinicId,
    clinicDocs: new Set([m.rosterDocId, m.catalogDocId]),
    isActive: roster.isActive,
    roster: () => roster.roster,
    readFacts: (documentId, heads) =>
      reader.read(documentId, (doc) => chartFactsOf(doc, clinicId), heads, 'absent' as const),
    readFactsAfter: (documentId, frame) =>
      reader.read(documentId, (doc) => chartFactsOfFrame(frame, clinicId, doc), undefined, 'absent' as const),
  });
  const gw = new AuthenticatedHubGateway(wss, {
    auth: { identity: args.sync.identity, clinicId: m.anchor.clinicId, trust: roster.trust },
    upstreamUrl: args.upstreamUrl,
    guard: share.guard,
    judgeOutbound: share.judgeOutbound,
    judgeInbound: share.judgeInbound,
    onUpstream: share.upstream,
    onEvent: (e) => {
      const why = e.type === 'dropped' ? ` (${e.reason}, ${e.direction})` : '';
      args.log(`hub: ${e.type}${'deviceId' in e ? ` ${e.deviceId}` : ''}${why}`);
      // A device that just synced has left the roster on the server: look for it now.
      if (e.type === 'disconnected' && !found) void follow();
    },
  });
  gw.start();
  const port = await new Promise<number>((resolve, reject) => {
    http.once('error', reject);
    http.listen(args.port, args.host, () => resolve((http.address() as { port: number }).port));
  });
  // The hub learns enrollments and revocations from the clinic's roster document,
  // which devices push to the sync server like any other document. Reading it from
  // upstream is safe: every operation is signed and buildRoster checks it against
  // the founding operation this device pinned when it joined.
  let watcher: Repo | undefined;
  let closed = false;
  let lastFailure = '';
  let found = false;
  let attempt: Promise<void> | undefined;
  const stopWatcher = async () => {
    const w = watcher;
    watcher = undefined;
    try {
      await w?.shutdown();
    } catch {
      // The stock client adapter asserts when it never connected; nothing is left to stop.
    }
  };
  // One attempt at a time. A fresh Repo per attempt, and no watcher left connected
  // between attempts: the sync server (automerge-repo 1.2) keeps answering
  // "unavailable" to everyone while a peer that was once told so stays connected.
  const follow = (): Promise<void> => (attempt ??= tryFollow().finally(() => (attempt = undefined)));
  const tryFollow = async () => {
    await stopWatcher();
    if (closed || found) return;
    const adapter = new WebSocketClientAdapter(args.upstreamUrl);
    // find() with no peer yet answers "unavailable" at once: wait for the server first.
    const joined = new Promise<boolean>((resolve) => {
      adapter.once('peer-candidate', () => resolve(true));
      setTimeout(() => resolve(false), 5000).unref();
    });
    const repo = new Repo({
      network: [adapter],
      peerId: `hub-roster-${args.sync.deviceId}-${Date.now()}` as PeerId,
      isEphemeral: true,
      // automerge-repo 2.5 asks for a document only peers it would "announce" it to:
      // without this, find() never asks the sync server and answers "unavailable".
      shareConfig: {
        announce: async (_peer, documentId) => documentId === m.rosterDocId,
        access: async (_peer, documentId) => documentId === m.rosterDocId,
      },
    });
    watcher = repo;
    try {
      if (!(await joined)) throw new Error('sync server not reachable');
      const handle = await repo.find<RosterDoc>(m.rosterDocId as DocumentId, { signal: AbortSignal.timeout(10_000) });
      const take = () => {
        const doc = handle.doc();
        if (doc && roster.add(rosterOpsOf(doc)) > 0) {
          args.log('hub: roster updated');
          gw.revalidate();
        }
      };
      handle.on('change', take);
      found = true;
      take();
    } catch (e) {
      // Not on the sync server yet: the first device to sync puts it there.
      const why = e instanceof Error ? e.message : String(e);
      if (why !== lastFailure) args.log(`hub: roster not available from the sync server yet (${why})`);
      lastFailure = why;
      await stopWatcher();
      if (!closed) setTimeout(() => void follow(), 10_000).unref();
    }
  };
  void follow();
  // Revocations written to this data directory by another process take effect at once.
  const revalidate = setInterval(() => gw.revalidate(), 5000);
  revalidate.unref();
  return {
    port,
    async close() {
      closed = true;
      clearInterval(revalidate);
      await stopWatcher();
      await reader.close();
      gw.stop();
      wss.close();
      await new Promise<void>((r) => http.close(() => r()));
      http.closeAllConnections();
    },
  };
}
