// The host's sync: it wires the sync library (sync/) to this clinic's store.
//
//  - Membership: a device founds its clinic the first time it needs one (issuing an
//    enrollment code, listening for peers), or joins another device's clinic with a
//    one-time code. The roster lives in SQL (trust decisions work offline and before
//    any sync) and in a roster document (how operations travel).
//  - Network: authenticated adapters are added to the charts Repo; the share policy
//    is the Repo's shareConfig and every adapter's message guard.
//  - What changed: a catalog document maps each chart document to the heads each
//    device holds (`docs[documentId][deviceId]`, written only by that device, so it
//    never conflicts). A peer's entry is its acknowledgement: only documents whose
//    heads differ are loaded and exchanged, in windows, and evicted after, so a
//    clinic of 50,000 charts is never held in memory at once.
//  - After each remote change: re-project (search, lists), store the entries that
//    verify (entry-exchange.ts), detect conflicts into the review queue, audit.
import { setImmediate as nextTurn } from 'node:timers/promises';
import * as A from '@automerge/automerge';
import type { DocHandle, DocumentId, NetworkAdapterInterface, PeerId } from '@automerge/automerge-repo';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  acceptEnrollmentGrant,
  acceptJoinRequest,
  AuthenticatedWebSocketClientAdapter,
  AuthenticatedWebSocketServerAdapter,
  CHART_WATCH,
  createJoinRequest,
  createSharePolicy,
  detectConflicts,
  peerIdForDevice,
  EnrollmentError,
  foundClinic,
  issueEnrollmentCode,
  putRosterOps as putDocRosterOps,
  resolutionsSince,
  revokeDeviceOp,
  RosterError,
  rosterOpsOf,
  type DeviceIdentity,
  type MessageGuard,
  type PeerDirectory,
  type AuthenticatedPeer,
  type ConflictRecord,
  type RosterDoc,
  type SharePolicyParts,
  type SideChannel,
  type SignedRosterOp,
  type SyncNetworkEvent,
} from '../../../sync';
import { ApiError } from '../../api';
import { appendAudit } from '../../access/audit-log';
import type { ChartStore } from '../../store/charts/chart-store';
import type { ChartDoc } from '../../store/charts/chart-doc';
import type { Db } from '../../store/database';
import { stmt } from '../../store/statements';
import {
  clinicSecretKey as clinicSecretKeyOf,
  getMembership,
  putRosterOps,
  saveMembership,
  type Membership,
} from '../../store/sync/clinic-membership';
import { settleConflicts, sqliteConflictQueue } from '../../store/sync/conflicts';
import { sqliteEnrollmentCodeStore } from '../../store/sync/enrollment-codes';
import {
  headsKey,
  storedHeadsKey,
  lastContactAfter,
  listPeers,
  markPeerContact,
  markPeerSynced,
  setPeerDocHeads,
  unsentCount,
  upsertPeer,
  changedSince,
} from '../../store/sync/peers';
import type { DecodedChart } from './bulk-decode';
import { BulkDecoder } from './bulk-decoder';
import { answerPull, BulkPuller, decodeSideFrame, encodeSideFrame, PULL_BATCH, type SideFrame } from './bulk-transfer';
import { loadDeviceIdentity } from './device-identity';
import { storedDocBytes, storeNewDoc } from './doc-loading';
import { encodeAnswer, requestEnrollment, type EnrollAnswer } from './enrollment-transport';
import {
  entriesToPublish,
  markPublished,
  missingWireEntries,
  receiveEntries,
  receiveWireEntries,
  type ReceiveResult,
} from './entry-exchange';
import { wireEntryForDoc, type SignedEntriesDoc } from '../../store/sync/wire-entries';
import { catalogValue, entriesOf, entryOf, type CatalogDoc } from './catalog';
import { RosterState } from './roster-state';
import { hostShareFacts } from './share-facts';

interface TakenIn {
  documentId: string;
  patientId: string;
  refused: { id: string; reason: string }[];
  newConflicts: number;
  /** Conflicts queued here that the change ended (settleConflicts). */
  settled: number;
}

export interface SyncProgress {
  phase: 'sending' | 'receiving' | 'bundle-import';
  done: number;
  total: number;
}

export interface SyncServiceOptions {
  db: Db;
  dataKey: Uint8Array;
  charts: ChartStore;
  clinicName: string;
  log(message: string): void;
  /** Something the status bar shows changed (peers, progress, counts). */
  onStatus?(): void;
  /** The conflict queue changed. */
  onConflicts?(): void;
  /** A chart changed through sync (open screens refresh). */
  onPatient?(patientId: string): void;
}

/** Documents exchanged per window: loaded, synced, then evicted (bounded memory). */
const WINDOW = 64;
/**
 * How long the line must stay quiet before a window, or a one-shot sync with a hub,
 * is taken as settled when no acknowledgement can tell (a hub writes no catalog
 * entries; a peer refused by the share policy never acknowledges).
 */
const QUIET_MS = 1200;
/**
 * With a device that acknowledges in the catalog, convergence is checked exactly
 * (heads against heads); this short quiet only lets messages already on the wire
 * (a catalog change the peer just made) arrive before the check is believed.
 */
const SETTLE_MS = 150;
/** Windows in flight at once: the next is sent while earlier ones await their acknowledgements. */
const PIPELINE = 4;
/** Charts changed per commit when entries signed here are published into them. */
const PUBLISH_BATCH = 64;
/** How long a new connection waits for the peer's hello before treating it as a hub. */
const HELLO_WAIT_MS = 1500;
/** Backstop recheck of a wait: conditions that depend on time (quiet) are not announced by events. */
const RECHECK_MS = 100;
/** Charts to pull at once from which they are decoded on a worker thread (bulk-decoder.ts). */
const BULK_DECODE_THREAD_FROM = 2 * PULL_BATCH;

export class SyncService {
  readonly #o: SyncServiceOptions;
  readonly #db: Db;
  readonly identity: DeviceIdentity;
  #membership: Membership | undefined;
  #roster: RosterState | undefined;
  #rosterHandle: DocHandle<RosterDoc> | undefined;
  #catalogHandle: DocHandle<CatalogDoc> | undefined;
  readonly #adapters = new Set<NetworkAdapterInterface & PeerDirectory & SideChannel & { revalidate(): void }>();
  #policy: SharePolicyParts | undefined;
  /** Connected devices that said hello on the side lane (bulk-transfer.ts); a hub never does. */
  readonly #bulkPeers = new Set<string>();
  /** Charts a bulk pull could not deliver: they go by automerge-repo's protocol. */
  readonly #bulkFailed = new Set<string>();
  /**
   * Charts a device listed but would not give this one (its share policy: another team,
   * no consent; or it no longer holds them), and charts a peer that lists nothing (a hub)
   * answered "unavailable" for (#notGivenByHubs). Not asked of it again, and not waited
   * for, until a catalog entry for the chart changes (a new assignment changes the
   * chart), or, for the second kind, until that peer connects again.
   */
  readonly #refused = new Map<string, Set<string>>();

  #refusedBy(deviceId: string): Set<string> {
    let s = this.#refused.get(deviceId);
    if (!s) this.#refused.set(deviceId, (s = new Set()));
    return s;
  }
  readonly #decoder = new BulkDecoder((m) => this.#o.log(m));
  readonly #puller = new BulkPuller({
    send: (deviceId, frame) => this.#sendSide(deviceId, frame),
    apply: (deviceId, docs) => this.#takeInNewDocs(deviceId, docs),
    settled: (ids, failed, refused) => {
      for (const id of ids) this.#requested.delete(id);
      if (refused) for (const id of refused.documentIds) this.#refusedBy(refused.deviceId).add(id);
      for (const id of failed) this.#bulkFailed.add(id);
      if (failed.length > 0) {
        this.#markEntriesDirty(failed);
        this.#scheduleScan();
      }
      this.#poke();
    },
    progress: (done, total) => {
      this.#progress = total > 0 ? { phase: 'receiving', done, total } : null;
      this.#o.onStatus?.();
    },
    log: (m) => this.#o.log(m),
  });
  readonly #clients = new Map<string, AuthenticatedWebSocketClientAdapter>();
  #guard: MessageGuard | undefined;
  readonly #connected = new Map<string, { address: string | null }>();
  #server: { http: Server; port: number; adapter: AuthenticatedWebSocketServerAdapter } | undefined;
  #progress: SyncProgress | null = null;
  #lastActivity = 0;
  readonly #ingestTimers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #watched = new WeakSet<object>();
  readonly #catalogPending = new Map<string, string>();
  #catalogTimer: ReturnType<typeof setTimeout> | undefined;
  #scanTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #mirror = new Map<string, string>();
  readonly #knownPeers = new Set<string>();
  readonly #exchanges = new Map<string, Promise<void>>();
  #catalogRefreshed = false;
  #stopped = false;
  /** Wait conditions, rechecked when something that could make them true happens (see #poke). */
  readonly #waiters = new Set<() => void>();
  /**
   * The catalog heads each connected device last reported on this connection (from
   * the Automerge sync state; cleared when it connects or leaves): convergence needs
   * the peer's catalog to be the one read here, not a copy from an earlier session.
   */
  readonly #peerCatalogHeads = new Map<string, string>();
  #pokeScheduled = false;
  readonly #unsubscribe: (() => void)[] = [];

  constructor(options: SyncServiceOptions) {
    this.#o = options;
    this.#db = options.db;
    this.identity = loadDeviceIdentity(options.db, options.dataKey);
    this.#membership = getMembership(options.db);
    // Charts being exchanged or waiting to be taken in stay loaded (the window's wait
    // reads their heads; an ingest takes in what reached the handle).
    this.#unsubscribe.push(
      options.charts.loaded.keepLoadedWhile(
        (id) => this.#inWindow.has(id) || this.#requested.has(id) || this.#ingestTimers.has(id),
      ),
    );
  }

  /** Charts in a window of #inWindows now (a chart may be in two windows at once). */
  readonly #inWindow = new Map<string, number>();

  get deviceId(): string {
    return this.identity.deviceId;
  }

  get membership(): Membership | undefined {
    return this.#membership;
  }

  get roster() {
    return this.#roster?.roster;
  }

  get rosterState(): RosterState | undefined {
    return this.#roster;
  }

  get #repo() {
    return this.#o.charts.repo;
  }

  /** Activates sync if this device already belongs to a clinic (nothing listens or connects yet). */
  async start(): Promise<void> {
    if (this.#membership) await this.#activate(this.#membership);
  }

  // ---- membership ---------------------------------------------------------------

  /** Founds this device's clinic if it has none: it becomes the first administrator device. */
  async ensureClinic(actorId: string | null): Promise<Membership> {
    if (this.#membership) return this.#membership;
    const at = new Date().toISOString();
    const { op, anchor, clinicSecretKey } = foundClinic({
      founder: this.identity,
      clinicId: randomUUID(),
      clinicName: this.#o.clinicName,
      deviceName: hostname().slice(0, 120) || 'device',
      at,
    });
    const rosterHandle = this.#repo.create<RosterDoc>({ rosterOps: {} });
    rosterHandle.change((d) => putDocRosterOps(d, [op]));
    const catalogHandle = this.#repo.create<CatalogDoc>({ kind: 'sijill-catalog', docs: {} });
    await this.#repo.flush([rosterHandle.documentId, catalogHandle.documentId]);
    const m: Membership = {
      anchor,
      rosterDocId: rosterHandle.documentId,
      catalogDocId: catalogHandle.documentId,
      joinedAt: at,
    };
    this.#db.transaction(() => {
      saveMembership(this.#db, this.#o.dataKey, { ...m, clinicSecretKey });
      putRosterOps(this.#db, [op], at);
      appendAudit(this.#db, { actorId, action: 'sync.clinic.found', entityId: anchor.clinicId });
    })();
    this.#membership = m;
    this.#rosterHandle = rosterHandle;
    this.#catalogHandle = catalogHandle;
    await this.#activate(m);
    return m;
  }

  /** Joins the clinic of the device at `peerUrl` with a one-time code from its administrator. */
  async join(args: { code: string; peerUrl: string; deviceName?: string; actorId: string | null }): Promise<{
    clinicId: string;
    clinicName: string;
    enrolledBy: string;
  }> {
    if (this.#membership)
      throw new ApiError(
        'CONFLICT',
        `This device already belongs to a clinic (${this.#membership.anchor.clinicId}). Nothing was changed.`,
      );
    let join: ReturnType<typeof createJoinRequest>;
    try {
      join = createJoinRequest({
        code: args.code,
        identity: this.identity,
        deviceName: (args.deviceName ?? hostname()).slice(0, 120) || 'device',
        now: new Date(),
      });
    } catch (e) {
      throw new ApiError('VALIDATION', e instanceof Error ? e.message : String(e));
    }
    let answer: EnrollAnswer;
    try {
      answer = await requestEnrollment(args.peerUrl, join.request);
    } catch (e) {
      throw new ApiError('UNAVAILABLE', `Enrollment failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!answer.ok) throw new ApiError('VALIDATION', answer.error);
    let accepted: ReturnType<typeof acceptEnrollmentGrant>;
    try {
      accepted = acceptEnrollmentGrant({
        grant: answer.grant,
        request: join.request,
        codeKey: join.codeKey,
        identity: this.identity,
      });
    } catch (e) {
      throw new ApiError('VALIDATION', e instanceof Error ? e.message : String(e));
    }
    const enroller = accepted.roster.devices.get(answer.enrollerDeviceId);
    if (!enroller?.admin)
      throw new ApiError('VALIDATION', 'The enrolling device is not an administrator device of its clinic.');
    const m: Membership = {
      anchor: accepted.anchor,
      rosterDocId: answer.rosterDocId,
      catalogDocId: answer.catalogDocId,
      joinedAt: new Date().toISOString(),
    };
    this.#db.transaction(() => {
      saveMembership(this.#db, this.#o.dataKey, { ...m, clinicSecretKey: accepted.clinicSecretKey });
      putRosterOps(this.#db, accepted.ops, m.joinedAt);
      upsertPeer(this.#db, answer.enrollerDeviceId, args.peerUrl, m.joinedAt);
      appendAudit(this.#db, {
        actorId: args.actorId,
        action: 'sync.device.join',
        entityId: accepted.anchor.clinicId,
        detail: { enrolledBy: answer.enrollerDeviceId },
      });
    })();
    this.#membership = m;
    await this.#activate(m);
    return { clinicId: m.anchor.clinicId, clinicName: accepted.roster.clinicName, enrolledBy: answer.enrollerDeviceId };
  }

  /** A one-time enrollment code for another device (administrators only; checked by the caller). */
  async enrollmentCode(actorId: string | null, opts: { ttlMs?: number; address?: string } = {}) {
    await this.ensureClinic(actorId);
    const roster = this.#requireRoster();
    return this.#db.transaction(() => {
      const issued = issueEnrollmentCode({
        store: sqliteEnrollmentCodeStore(this.#db),
        roster: roster.roster,
        enroller: this.identity,
        now: new Date(),
        approvedBy: actorId,
        ...(opts.ttlMs ? { ttlMs: opts.ttlMs } : {}),
        ...(opts.address ? { address: opts.address } : {}),
      });
      // The code itself is a secret: the audit names only its id.
      appendAudit(this.#db, { actorId, action: 'sync.enrollment_code', entityId: issued.pending.id });
      return { code: issued.code, qr: issued.qr, expiresAt: issued.pending.expiresAt };
    })();
  }

  /** Revokes a device: it is refused at the next handshake, dropped now, and receives nothing more. */
  revoke(actorId: string | null, deviceId: string, reason: string): void {
    const roster = this.#requireRoster();
    let op: SignedRosterOp;
    try {
      op = revokeDeviceOp(roster.roster, this.identity, deviceId, { at: new Date().toISOString(), reason });
    } catch (e) {
      if (e instanceof RosterError) throw new ApiError('VALIDATION', e.message);
      throw e;
    }
    this.#db.transaction(() => {
      roster.add([op]);
      appendAudit(this.#db, { actorId, action: 'sync.device.revoke', entityId: deviceId, detail: { reason } });
    })();
    this.#rosterHandle?.change((d) => putDocRosterOps(d, [op]));
  }

  #requireRoster(): RosterState {
    if (!this.#roster)
      throw new ApiError(
        'CONFLICT',
        'This device is not enrolled in a clinic yet: issue a code here, or join another device.',
      );
    return this.#roster;
  }

  async #activate(m: Membership): Promise<void> {
    const roster = new RosterState(this.#db, m.anchor);
    this.#roster = roster;
    const clinicDocs = new Set([m.rosterDocId, m.catalogDocId]);
    const directory: PeerDirectory = {
      deviceIdOf: (peerId) => {
        for (const a of this.#adapters) {
          const d = a.deviceIdOf(peerId);
          if (d) return d;
        }
        return undefined;
      },
    };
    const policy = createSharePolicy({
      peers: directory,
      facts: hostShareFacts({
        db: this.#db,
        clinicId: m.anchor.clinicId,
        isActive: roster.isActive,
        clinicDocs: () => clinicDocs,
      }),
      isActive: roster.isActive,
    });
    this.#guard = policy.guard;
    this.#policy = policy;
    // automerge-repo 2.5 sends even a *request* only to peers it "announces" to. A
    // chart this device does not hold has no facts here, so the policy cannot say
    // allow; asking for it carries no content (the guard lets only requests and
    // "unavailable" through for such documents), and a hub, which never offers
    // anything, must be asked. So: announce what the policy allows, and ask for
    // what is not stored here.
    //
    // A chart is announced (offered unasked, e.g. to every peer that connects while it
    // is loaded) only to a peer that holds it at other heads than this device: the
    // exchange (#exchange) and the peer's catalog scan move everything else, and a
    // long-running host with thousands of charts loaded must not start a sync round
    // for each of them on every reconnection.
    const shareConfig = {
      // Asked for every loaded document when a peer connects: the cheap questions first.
      announce: async (peerId: PeerId, documentId?: DocumentId) => {
        if (documentId === undefined) return false;
        if (clinicDocs.has(documentId) || this.#peerHoldsOtherHeads(peerId, documentId))
          return policy.decide(peerId, documentId) === 'allow';
        // A chart projected here that the peer does not hold at other heads: not offered.
        if (this.#projectedRow(documentId)) return false;
        // Not a chart of this device (no facts): asked for, if it is not stored either.
        return policy.decide(peerId, documentId) === 'unknown' && !this.#hasStored(documentId);
      },
      access: policy.shareConfig.access,
    };
    this.#o.charts.setShareConfig(shareConfig);
    this.#unsubscribe.push(
      roster.onChange((r) => {
        // A device connected until now that another device revoked exchanged data with
        // this one after its revocation, up to now (status: contactAfterRevocation).
        const now = new Date().toISOString();
        for (const dev of this.#connected.keys()) {
          const d = r.devices.get(dev);
          if (d?.revokedAt && d.revokedBy !== this.deviceId) markPeerContact(this.#db, dev, now);
        }
        // Operations learnt from SQL (another process) travel on in the roster document too.
        this.#rosterHandle?.change((d) => putDocRosterOps(d, r.ops));
        for (const a of this.#adapters) a.revalidate();
        this.#o.charts.setShareConfig(shareConfig);
        // A device's role or teams may have changed: what a holder refused may be given now.
        this.#refused.clear();
        this.#catalogDirty = 'all';
        this.#scheduleScan();
        this.#o.onStatus?.();
      }),
    );
    const onSyncState = (e: { peerId: PeerId; documentId: DocumentId; syncState: A.SyncState }) => {
      if (e.documentId !== m.catalogDocId || !e.syncState.theirHeads) return;
      const dev = directory.deviceIdOf(e.peerId);
      if (!dev || !this.#connected.has(dev)) return;
      this.#peerCatalogHeads.set(dev, headsKey(e.syncState.theirHeads));
      this.#poke();
    };
    this.#repo.synchronizer.on('sync-state', onSyncState);
    this.#unsubscribe.push(() => this.#repo.synchronizer.off('sync-state', onSyncState));
    this.#unsubscribe.push(
      this.#o.charts.onProjected((documentId, heads) => {
        this.#catalogPending.set(documentId, headsKey(heads));
        this.#scheduleCatalogWrite();
      }),
    );
    // The roster and catalog stay loaded; a device that just joined gets them from its first peer.
    if (this.#hasStored(m.rosterDocId))
      this.#rosterHandle ??= await this.#repo.find<RosterDoc>(m.rosterDocId as DocumentId);
    if (this.#hasStored(m.catalogDocId))
      this.#catalogHandle ??= await this.#repo.find<CatalogDoc>(m.catalogDocId as DocumentId);
    if (this.#rosterHandle) this.#watch(this.#rosterHandle);
    if (this.#catalogHandle) this.#watch(this.#catalogHandle);
    // Entries signed here are copied into their charts in the background, within a few
    // seconds (a sync then has nothing left to publish), and so reach connected peers.
    const publisher = setInterval(() => {
      if (!this.#publishing) void this.#publish();
    }, 2000);
    publisher.unref?.();
    this.#unsubscribe.push(() => clearInterval(publisher));
  }

  #publishing: Promise<void> | undefined;

  /**
   * Publishes now, one publish at a time: a call while one runs waits for it and then
   * publishes again (entries may have been signed since it read its list).
   */
  #publish(): Promise<void> {
    const run = (this.#publishing ?? Promise.resolve())
      .then(() => this.#publishEntries())
      .catch((e) => this.#o.log(`sync: publishing entries failed: ${e instanceof Error ? e.message : String(e)}`));
    const mine = run.finally(() => {
      if (this.#publishing === mine) this.#publishing = undefined;
    });
    this.#publishing = mine;
    return mine;
  }

  /**
   * The chart is loaded here and already contains the heads a peer listed (the peer is
   * behind: it asks for the rest itself). False when not loaded: finding out would
   * cost a load, about what asking costs.
   */
  #containsLoaded(documentId: string, heads: string): boolean {
    const handle = this.#repo.handles[documentId as DocumentId];
    if (!handle?.isReady()) return false;
    try {
      const doc = handle.doc() as A.Doc<unknown>;
      // Only a document fully taken in counts: changes that reached the handle but not
      // the projection yet must still be taken in (a window does that).
      if (headsKey(A.getHeads(doc)) !== this.#projectedHeads(documentId)) return false;
      return A.hasHeads(doc, JSON.parse(heads) as string[]);
    } catch {
      return false;
    }
  }

  /** The peer acknowledged this chart in the catalog at heads other than this device's. */
  #peerHoldsOtherHeads(peerId: string, documentId: string): boolean {
    const deviceId = peerId.startsWith('device-') ? peerId.slice('device-'.length) : undefined;
    if (!deviceId) return false;
    const row = stmt(
      this.#db,
      `SELECT s.heads <> p.heads AS differs FROM sync_peer_docs s JOIN patients p ON p.document_id = s.document_id
       WHERE s.device_id = ? AND s.document_id = ?`,
    ).get(deviceId, documentId) as { differs: number } | undefined;
    return row?.differs === 1;
  }

  /**
   * Starts automerge-repo's sync of a loaded document with these devices (charts are
   * not announced on connection, see #activate; a handle already loaded is not
   * offered again when it is looked up).
   */
  #beginSync(documentId: string, deviceIds: Iterable<string>): void {
    const ds = this.#repo.synchronizer.docSynchronizers[documentId as DocumentId];
    if (!ds) return;
    const peers = [...deviceIds].map((d) => peerIdForDevice(d) as PeerId).filter((p) => !ds.hasPeer(p));
    if (peers.length > 0) void ds.beginSync(peers);
  }

  /** Whether the share policy lets this device give `deviceId` the document (bundles ask this). */
  mayShareWith(deviceId: string, documentId: string): boolean {
    return this.#policy?.decideForDevice(deviceId, documentId) === 'allow';
  }

  /** Whether this device holds some content of the document (a sync state for it is not content). */
  #hasStored(documentId: string): boolean {
    const range = (kind: string) => [`${documentId}\u001f${kind}\u001f`, `${documentId}\u001f${kind}\u0020`];
    return (
      stmt(
        this.#db,
        'SELECT 1 FROM automerge_chunks WHERE (key >= ? AND key < ?) OR (key >= ? AND key < ?) LIMIT 1',
      ).get(...range('snapshot'), ...range('incremental')) !== undefined
    );
  }

  // ---- network ----------------------------------------------------------------------

  #auth() {
    const m = this.#membership!;
    return { identity: this.identity, clinicId: m.anchor.clinicId, trust: this.#requireRoster().trust };
  }

  /** The guard is installed late (the policy needs the adapters' directory). */
  #lateGuard(): MessageGuard {
    return {
      inbound: (p, msg) => this.#guard?.inbound(p, msg) ?? false,
      outbound: (p, msg) => this.#guard?.outbound(p, msg) ?? false,
    };
  }

  #onNetworkEvent(address: string | null) {
    return (e: SyncNetworkEvent) => {
      switch (e.type) {
        case 'authenticated': {
          this.#peerCatalogHeads.delete(e.deviceId);
          // What a peer that lists nothing (a hub) did not have may be there now.
          const listed = this.#catalogHandle?.doc()?.docs ?? {};
          const refused = this.#refused.get(e.deviceId);
          if (refused) for (const id of refused) if (entryOf(listed[id], e.deviceId) === undefined) refused.delete(id);
          this.#connected.set(e.deviceId, { address });
          this.#db.transaction(() => {
            const at = new Date().toISOString();
            upsertPeer(this.#db, e.deviceId, address, at);
            markPeerContact(this.#db, e.deviceId, at);
            appendAudit(this.#db, { actorId: null, action: 'sync.peer.connected', entityId: e.deviceId });
          })();
          this.#o.log(`sync: ${e.deviceId} authenticated${address ? ` (${address})` : ''}`);
          this.#bulkPeers.delete(e.deviceId);
          // Charts listed by this device may be wanted now that it is here, and charts not
          // held here may be given by it (a hub lists nothing).
          this.#markEntriesDirty(this.#listedOtherwise.get(e.deviceId) ?? []);
          this.#markEntriesDirty(this.#notHeld);
          this.#sendSide(e.deviceId, { kind: 'hello', version: 1 });
          this.#startExchange(e.deviceId, address === null);
          break;
        }
        case 'disconnected':
          // Its last reported catalog heads are kept: the listening side checks
          // convergence once more after a one-shot peer leaves (#recordWhenConverged).
          this.#connected.delete(e.deviceId);
          // A long connection exchanges data until it ends: its end is a contact too. (One
          // ended by a revocation was recorded when the revocation arrived: #activate.)
          if (this.#roster?.isActive(e.deviceId)) markPeerContact(this.#db, e.deviceId, new Date().toISOString());
          this.#bulkPeers.delete(e.deviceId);
          this.#puller.peerLeft(e.deviceId);
          this.#o.log(`sync: ${e.deviceId} disconnected`);
          break;
        case 'auth-failed':
          this.#o.log(`sync: a peer failed authentication (${e.code}): ${e.message}`);
          break;
        case 'dropped':
          this.#o.log(
            `sync: dropped a ${e.messageType} message ${e.direction === 'in' ? 'from' : 'to'} ${e.deviceId}: ${e.reason}`,
          );
          break;
      }
      this.#poke();
      this.#o.onStatus?.();
    };
  }

  #sendSide(deviceId: string, frame: SideFrame): boolean {
    const bytes = encodeSideFrame(frame);
    for (const a of this.#adapters) if (a.sendSide(deviceId, bytes)) return true;
    return false;
  }

  /** A side-lane frame from an authenticated device (bulk-transfer.ts). */
  #onSide(peer: AuthenticatedPeer, data: Uint8Array): void {
    this.#lastActivity = Date.now();
    const frame = decodeSideFrame(data);
    if (!frame || !this.#connected.has(peer.deviceId)) {
      this.#o.log(`sync: dropped a malformed side-lane frame from ${peer.deviceId}`);
      return;
    }
    switch (frame.kind) {
      case 'hello':
        this.#bulkPeers.add(peer.deviceId);
        this.#poke();
        return;
      case 'pull': {
        const policy = this.#policy;
        const answer = answerPull(frame, {
          // Only patient charts, and only those the policy lets this device hold.
          share: (id) =>
            policy?.decide(peer.peerId, id) === 'allow' &&
            stmt(this.#db, 'SELECT 1 FROM patients WHERE document_id = ?').get(id) !== undefined,
          bytes: (id) => storedDocBytes(this.#db, id),
        });
        this.#sendSide(peer.deviceId, answer);
        return;
      }
      case 'docs':
        void this.#puller.receive(peer.deviceId, frame);
        return;
    }
  }

  #addAdapter(a: NetworkAdapterInterface & PeerDirectory & SideChannel & { revalidate(): void }): void {
    this.#adapters.add(a);
    a.on('message', () => (this.#lastActivity = Date.now()));
    this.#repo.networkSubsystem.addNetworkAdapter(a);
  }

  /** Accepts peer connections on ws://HOST:PORT/sync (and enrollment on /enroll). */
  async listen(opts: { port: number; host?: string; actorId?: string | null }): Promise<number> {
    if (this.#server) return this.#server.port;
    await this.ensureClinic(opts.actorId ?? null);
    const http = createServer((_req, res) => res.writeHead(404).end());
    const syncWss = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 * 1024 });
    const enrollWss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
    http.on('upgrade', (req, socket, head) => {
      const path = (req.url ?? '').split('?')[0];
      const wss = path === '/sync' ? syncWss : path === '/enroll' ? enrollWss : undefined;
      if (!wss) return socket.destroy();
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    });
    enrollWss.on('connection', (ws: WebSocket) => {
      const timer = setTimeout(() => ws.terminate(), 30_000);
      ws.once('message', (data: Buffer) => {
        clearTimeout(timer);
        ws.send(encodeAnswer(this.#answerJoin(new Uint8Array(data))), () => ws.close());
      });
    });
    const adapter = new AuthenticatedWebSocketServerAdapter(syncWss, {
      auth: this.#auth(),
      guard: this.#lateGuard(),
      onEvent: this.#onNetworkEvent(null),
      onSideMessage: (peer, data) => this.#onSide(peer, data),
    });
    this.#addAdapter(adapter);
    const port = await new Promise<number>((resolve, reject) => {
      http.once('error', reject);
      http.listen(opts.port, opts.host ?? '0.0.0.0', () => resolve((http.address() as { port: number }).port));
    });
    this.#server = { http, port, adapter };
    this.#o.log(`sync: listening for peers on port ${port}`);
    this.#o.onStatus?.();
    return port;
  }

  async stopListening(): Promise<void> {
    const s = this.#server;
    if (!s) return;
    this.#server = undefined;
    this.#repo.networkSubsystem.removeNetworkAdapter(s.adapter);
    this.#adapters.delete(s.adapter);
    s.adapter.disconnect();
    await new Promise<void>((r) => s.http.close(() => r()));
    s.http.closeAllConnections?.();
    this.#o.onStatus?.();
  }

  get listeningPort(): number | null {
    return this.#server?.port ?? null;
  }

  #answerJoin(request: Uint8Array): EnrollAnswer {
    const roster = this.#requireRoster();
    const m = this.#membership!;
    try {
      // Not in a transaction: a failed attempt must still count against the codes.
      const accepted = acceptJoinRequest({
        request,
        store: sqliteEnrollmentCodeStore(this.#db),
        roster: roster.roster,
        anchor: roster.anchor,
        enroller: this.identity,
        clinicSecretKey: this.#clinicSecret(),
        now: new Date(),
      });
      this.#db.transaction(() => {
        roster.add([accepted.op]);
        upsertPeer(this.#db, accepted.deviceId, null, new Date().toISOString());
        appendAudit(this.#db, { actorId: null, action: 'sync.device.enroll', entityId: accepted.deviceId });
      })();
      this.#rosterHandle?.change((d) => putDocRosterOps(d, [accepted.op]));
      this.#o.log(`sync: enrolled device ${accepted.deviceId}`);
      return {
        ok: true,
        grant: accepted.grant,
        rosterDocId: m.rosterDocId,
        catalogDocId: m.catalogDocId,
        enrollerDeviceId: this.deviceId,
      };
    } catch (e) {
      if (e instanceof EnrollmentError) return { ok: false, error: e.message };
      this.#o.log(`sync: enrollment failed: ${e instanceof Error ? e.message : String(e)}`);
      return { ok: false, error: 'The enrolling device could not complete the enrollment.' };
    }
  }

  #clinicSecret(): Uint8Array {
    // Imported lazily: only enrollment and bundles need the clinic secret.
    return clinicSecretKeyOf(this.#db, this.#o.dataKey);
  }

  /** Keeps a connection to a peer (reconnecting every few seconds while it is unreachable). */
  connect(url: string, opts: { retryIntervalMs?: number } = {}): AuthenticatedWebSocketClientAdapter {
    this.#requireRoster();
    const existing = this.#clients.get(url);
    if (existing) return existing;
    const syncUrl = /\/sync\/?$/.test(url) ? url : `${url.replace(/\/+$/, '')}/sync`;
    const adapter = new AuthenticatedWebSocketClientAdapter({
      url: syncUrl,
      auth: this.#auth(),
      retryIntervalMs: opts.retryIntervalMs ?? 5000,
      guard: this.#lateGuard(),
      ws: { maxPayload: 256 * 1024 * 1024 },
      onEvent: this.#onNetworkEvent(url),
      onSideMessage: (peer, data) => this.#onSide(peer, data),
    });
    this.#clients.set(url, adapter);
    this.#addAdapter(adapter);
    return adapter;
  }

  disconnect(url: string): void {
    const a = this.#clients.get(url);
    if (!a) return;
    this.#clients.delete(url);
    this.#repo.networkSubsystem.removeNetworkAdapter(a);
    this.#adapters.delete(a);
    a.disconnect();
  }

  /**
   * Connects, exchanges what changed, and waits until both sides hold the same data
   * (every chart at the same heads, acknowledged in the catalog by the peer). Returns
   * false when that was not reached within the time limit.
   */
  async syncOnce(
    url: string,
    opts: { timeoutMs?: number; connectTimeoutMs?: number; onProgress?: (p: SyncProgress) => void } = {},
  ): Promise<{ converged: boolean; peer: string | null; documents: number }> {
    const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
    let peer: string | null = null;
    // Retried for a while: a hub learns of a newly enrolled device only once the
    // roster reaches it, and a peer may be restarting.
    const adapter = this.connect(url, { retryIntervalMs: 1000 });
    const stopProgress = opts.onProgress ? this.#watchProgress(opts.onProgress) : () => undefined;
    const authDeadline = Math.min(deadline, Date.now() + (opts.connectTimeoutMs ?? 15_000));
    try {
      while (!peer && Date.now() < authDeadline) {
        peer = adapter.remote?.deviceId ?? null;
        if (!peer) await sleep(10);
      }
      if (!peer)
        throw new ApiError(
          'UNAVAILABLE',
          `Could not sync with ${url}: it did not accept this device (not reachable, not a device of this clinic, or this device was revoked). Check the address and that this device is enrolled.`,
        );
      await this.#exchanges.get(peer);
      const p = peer;
      // Resolves as soon as the catalog shows both sides at the same heads (rechecked on
      // every change and ingest); ends early if the peer went away.
      let converged = false;
      await this.#waitUntil(
        () => !adapter.remote || (converged = this.#converged(p)),
        Math.max(0, deadline - Date.now()),
      );
      if (adapter.remote && converged) {
        this.#recordSynced(p);
        return { converged: true, peer, documents: this.#patientDocCount() };
      }
      return { converged: false, peer, documents: this.#patientDocCount() };
    } finally {
      stopProgress();
      this.disconnect(url);
    }
  }

  #recordSynced(peer: string): void {
    this.#db.transaction(() => {
      markPeerSynced(this.#db, peer, new Date().toISOString());
      appendAudit(this.#db, { actorId: null, action: 'sync.completed', entityId: peer });
    })();
    this.#o.onStatus?.();
  }

  #watchProgress(cb: (p: SyncProgress) => void): () => void {
    let last = '';
    const t = setInterval(() => {
      const p = this.#progress;
      const key = p ? `${p.phase}:${p.done}/${p.total}` : '';
      if (p && key !== last) cb(p);
      last = key;
    }, 250);
    return () => clearInterval(t);
  }

  #patientDocCount(): number {
    return (stmt(this.#db, 'SELECT count(*) AS n FROM patients').get() as { n: number }).n;
  }

  /** Both sides hold the same data: for every chart, my heads = my catalog entry = the peer's. */
  /**
   * The last full convergence check per peer: it reads every chart's heads, so it is
   * repeated no more often than three times its own cost (waits recheck on every change).
   */
  readonly #lastCheck = new Map<string, { at: number; ms: number }>();

  #converged(peer: string): boolean {
    const last = this.#lastCheck.get(peer);
    const now = Date.now();
    if (last && now - last.at < Math.max(20, last.ms * 3)) return false;
    const started = performance.now();
    const result = this.#convergedNow(peer);
    if (!result) this.#lastCheck.set(peer, { at: now, ms: performance.now() - started });
    else this.#lastCheck.delete(peer);
    return result;
  }

  #convergedNow(peer: string): boolean {
    if (Date.now() - this.#lastActivity < SETTLE_MS) return false;
    if (
      this.#catalogPending.size > 0 ||
      this.#ingestTimers.size > 0 ||
      this.#ingesting > 0 ||
      this.#scanTimer !== undefined ||
      this.#requested.size > 0
    )
      return false;
    const cat = this.#catalogHandle?.doc();
    if (!cat) return false;
    const docs = cat.docs ?? {};
    const peerWrites = Object.values(docs).some((byDev) => peer in byDev);
    // A hub (the official sync server) writes no catalog entries: only a quiet line tells.
    if (!peerWrites && Date.now() - this.#lastActivity < QUIET_MS) return false;
    // A device: its catalog, as it reported it on this connection, is this one (so no
    // change of its is still on the way).
    if (peerWrites && this.#peerCatalogHeads.get(peer) !== headsKey(A.getHeads(cat))) return false;
    const rows = stmt(this.#db, 'SELECT document_id, heads FROM patients').iterate() as Iterable<{
      document_id: string;
      heads: string;
    }>;
    const mine = new Set<string>();
    const peerId = peerIdForDevice(peer);
    const refused = this.#refused.get(peer);
    for (const r of rows) {
      mine.add(r.document_id);
      const key = storedHeadsKey(r.heads);
      const byDev = docs[r.document_id];
      if (entryOf(byDev, this.deviceId) !== key) return false;
      // A hub (the official sync server) writes no catalog entries: quiet is all it can tell.
      // A chart the policy keeps from this peer (another field team...) is not its to hold.
      if (peerWrites && entryOf(byDev, peer) !== key && this.#policy?.decide(peerId, r.document_id) === 'allow')
        return false;
    }
    // Every chart the peer holds is here too (except those it would not give this device);
    // with a hub (which writes no entries), every chart any device listed.
    for (const [docId, byDev] of Object.entries(docs))
      if ((peer in byDev || !peerWrites) && !mine.has(docId) && !refused?.has(docId)) return false;
    return true;
  }

  // ---- exchange -------------------------------------------------------------------

  #startExchange(peer: string, listening: boolean): void {
    const running = this.#exchanges.get(peer);
    // Entries signed here are published at once, not after the previous exchange with
    // this peer has finished waiting (up to seconds): a peer that connects, sees the
    // charts agree and leaves must not leave without them.
    const published = this.#publish();
    const next = (running ?? Promise.resolve())
      .then(() => this.#exchange(peer, published))
      .then(() => (listening ? this.#recordWhenConverged(peer) : undefined))
      .catch((e) => this.#o.log(`sync: exchange with ${peer} failed: ${e instanceof Error ? e.message : String(e)}`));
    this.#exchanges.set(peer, next);
  }

  /**
   * The listening side's last sync with a peer: recorded when the exchange with it
   * converges (the connecting side records its own in syncOnce). Not recorded if the
   * peer leaves first.
   */
  async #recordWhenConverged(peer: string): Promise<void> {
    const connected = () => this.#connected.has(peer);
    // A peer that stays connected (serve --peer) may never go quiet for long; the wait
    // ends when it leaves, and its next connection starts a new exchange.
    // Rechecked each second besides events: #converged reads every chart's heads.
    let converged = await this.#waitUntil(() => !connected() || this.#converged(peer), 24 * 3600_000, 1000);
    if (converged && !connected() && !this.#stopped) {
      // `sijill sync` disconnects the moment it sees convergence, often just before
      // this side has taken in its last acknowledgement: check once more when settled.
      converged = await this.#waitUntil(() => this.#converged(peer), 2000);
    }
    if (converged && !this.#stopped) this.#recordSynced(peer);
  }

  async #exchange(peer: string, published: Promise<void>): Promise<void> {
    const m = this.#membership!;
    // The shared bookkeeping documents first (a device that just joined fetches them now).
    this.#rosterHandle ??= await this.#findOrUndefined<RosterDoc>(m.rosterDocId);
    if (this.#rosterHandle) {
      this.#watch(this.#rosterHandle);
      this.#ingestRoster();
    }
    this.#catalogHandle ??= await this.#findOrUndefined<CatalogDoc>(m.catalogDocId);
    if (!this.#catalogHandle) {
      this.#catalogHandle = this.#repo.create<CatalogDoc>({ kind: 'sijill-catalog', docs: {} });
      this.#o.log('sync: the peer has no catalog document; started an empty one');
    }
    this.#watch(this.#catalogHandle);
    await published;
    this.#refreshCatalog();
    this.#flushCatalog();
    // A device answers hello at once; a hub never does (it gets everything by automerge-repo).
    await this.#waitUntil(() => this.#bulkPeers.has(peer) || !this.#connected.has(peer), HELLO_WAIT_MS);
    // Send: charts whose heads this peer has not acknowledged — to a hub only. A device
    // reads the catalog and asks for what it lacks itself (#scanCatalog): charts it does
    // not hold in bulk, the others by automerge-repo; pushing them too would run every
    // document's sync twice.
    const toSend = this.#bulkPeers.has(peer) ? [] : changedSince(this.#db, peer);
    await this.#inWindows(toSend, 'sending', peer);
    this.#scanCatalog();
  }

  async #findOrUndefined<T>(documentId: string): Promise<DocHandle<T> | undefined> {
    try {
      return await this.#o.charts.loaded.find<T>(documentId, { signal: AbortSignal.timeout(15_000) });
    } catch (e) {
      // Not found: every peer asked said it does not have it, or none gave it within the
      // time limit (the sync server behind a hub may not answer at all). See #notGivenByHubs.
      if (this.#requested.has(documentId)) this.#notFound.add(documentId);
      this.#o.log(`sync: could not get document ${documentId}: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }

  /**
   * Loads documents a window at a time and lets them sync, ingesting each before and
   * after. Up to PIPELINE windows are in flight: a window is done when the peer has
   * acknowledged it (sending) or when every chart is here at the heads connected
   * peers listed (receiving), or, failing that, when the line went quiet.
   */
  async #inWindows(docIds: string[], phase: SyncProgress['phase'], peer: string | null): Promise<void> {
    if (docIds.length === 0) return;
    let done = 0;
    this.#progress = { phase, done, total: docIds.length };
    this.#o.onStatus?.();
    const inFlight: Promise<void>[] = [];
    const runWindow = async (window: string[]) => {
      for (const id of window) this.#inWindow.set(id, (this.#inWindow.get(id) ?? 0) + 1);
      try {
        await exchange(window);
      } finally {
        for (const id of window) {
          const n = this.#inWindow.get(id)! - 1;
          if (n > 0) this.#inWindow.set(id, n);
          else this.#inWindow.delete(id);
        }
      }
    };
    const exchange = async (window: string[]) => {
      const started = Date.now();
      const handles = await Promise.all(window.map((id) => this.#findOrUndefined<ChartDoc>(id)));
      for (const h of handles) {
        if (!h) continue;
        // Changes that reach it later (a peer's live edits) are taken in as they come.
        this.#watch(h);
        this.#beginSync(h.documentId, peer === null ? this.#connected.keys() : [peer]);
      }
      for (const h of handles) if (h) await this.#ingest(h.documentId);
      await this.#waitUntil(() => {
        const settled =
          peer === null ? window.every((id) => this.#received(id)) : window.every((id) => this.#ackedBy(peer, id));
        if (settled) return true;
        const now = Date.now();
        return now - this.#lastActivity > QUIET_MS && now - started > QUIET_MS;
      }, 30_000);
      for (const h of handles) {
        if (!h) continue;
        // Once taken in and out of every window, the chart may be evicted when idle
        // (charts.loaded): memory stays bounded however many charts a sync exchanges.
        await this.#ingest(h.documentId);
      }
      done += window.length;
      this.#progress = { phase, done, total: docIds.length };
      this.#o.onStatus?.();
    };
    for (let i = 0; i < docIds.length && !this.#stopped; i += WINDOW) {
      if (inFlight.length >= PIPELINE) await inFlight.shift();
      inFlight.push(runWindow(docIds.slice(i, i + WINDOW)));
    }
    await Promise.all(inFlight);
    this.#progress = null;
    this.#o.onStatus?.();
  }

  /**
   * A chart asked for is here and projected, holding at least the heads every
   * connected peer listed for it in the catalog (so its changes have arrived).
   */
  #received(documentId: string): boolean {
    const row = stmt(this.#db, 'SELECT heads FROM patients WHERE document_id = ?').get(documentId) as
      { heads: string } | undefined;
    if (!row) return false;
    const byDev = this.#catalogHandle?.doc()?.docs?.[documentId] ?? {};
    const mine = storedHeadsKey(row.heads);
    let doc: A.Doc<unknown> | undefined;
    for (const [dev, h] of entriesOf(byDev)) {
      if (dev === this.deviceId || h === mine || !this.#connected.has(dev)) continue;
      const handle = this.#repo.handles[documentId as DocumentId];
      doc ??= handle?.isReady() ? (handle.doc() as A.Doc<unknown>) : undefined;
      if (!doc || !A.hasHeads(doc, JSON.parse(h) as string[])) return false;
      // Received, but the projection may lag the document: ingest first.
      if (headsKey(A.getHeads(doc)) !== mine) return false;
    }
    return true;
  }

  #ackedBy(peer: string, documentId: string): boolean {
    const row = stmt(this.#db, 'SELECT heads FROM patients WHERE document_id = ?').get(documentId) as
      { heads: string } | undefined;
    const byDev = this.#catalogHandle?.doc()?.docs?.[documentId];
    return row !== undefined && entryOf(byDev, peer) === storedHeadsKey(row.heads);
  }

  #watch(handle: DocHandle<unknown>): void {
    if (this.#watched.has(handle)) return;
    this.#watched.add(handle);
    handle.on('change', ({ patches }) => {
      if (handle.documentId === this.#membership?.catalogDocId) this.#markCatalogDirty(patches);
      this.#lastActivity = Date.now();
      this.#scheduleIngest(handle.documentId);
      this.#poke();
    });
  }

  /**
   * Something a wait may be waiting for happened (a document or the catalog changed,
   * an ingest finished). Coalesced to one recheck per turn of the event loop, since a
   * condition may read every chart's heads.
   */
  #poke(): void {
    if (this.#pokeScheduled) return;
    this.#pokeScheduled = true;
    setImmediate(() => {
      this.#pokeScheduled = false;
      for (const w of [...this.#waiters]) w();
    });
  }

  /**
   * Resolves true as soon as `cond` holds (rechecked on each #poke, and every
   * RECHECK_MS for its time-based parts), false at the timeout or when the service stops.
   */
  #waitUntil(cond: () => boolean, timeoutMs: number, recheckMs = RECHECK_MS): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const deadline = Date.now() + timeoutMs;
      const check = () => {
        let ok = false;
        try {
          ok = cond();
        } catch (e) {
          this.#o.log(`sync: a wait condition failed: ${e instanceof Error ? e.message : String(e)}`);
        }
        if (!ok && !this.#stopped && Date.now() < deadline) return;
        this.#waiters.delete(check);
        clearInterval(timer);
        resolve(ok);
      };
      const timer = setInterval(check, recheckMs);
      timer.unref?.();
      this.#waiters.add(check);
      check();
    });
  }

  #scheduleIngest(documentId: string, delay = 50): void {
    if (this.#ingestTimers.has(documentId) || this.#stopped) return;
    const t = setTimeout(() => {
      this.#ingestTimers.delete(documentId);
      this.#ingest(documentId).catch((e) =>
        this.#o.log(`sync: could not take in a change of ${documentId}: ${e instanceof Error ? e.message : String(e)}`),
      );
    }, delay);
    this.#ingestTimers.set(documentId, t);
  }

  #ingesting = 0;

  /** Takes in a document that may have changed remotely: projection, entries, conflicts, audit. */
  async #ingest(documentId: string): Promise<void> {
    this.#ingesting++;
    try {
      await this.#ingestNow(documentId);
    } finally {
      this.#ingesting--;
      this.#poke();
    }
  }

  async #ingestNow(documentId: string): Promise<void> {
    const m = this.#membership;
    if (!m || this.#stopped) return;
    if (documentId === m.rosterDocId) {
      this.#rosterHandle ??= await this.#findOrUndefined<RosterDoc>(documentId);
      if (this.#rosterHandle) this.#watch(this.#rosterHandle);
      return this.#ingestRoster();
    }
    if (documentId === m.catalogDocId) {
      this.#catalogHandle ??= await this.#findOrUndefined<CatalogDoc>(documentId);
      if (this.#catalogHandle) this.#watch(this.#catalogHandle);
      return this.#scheduleScan();
    }
    if (this.#o.charts.isPending(documentId)) return this.#scheduleIngest(documentId, 200);
    let taken: TakenIn | null;
    try {
      // Held loaded (not evicted) until taken in.
      taken = await this.#o.charts.loaded.use<ChartDoc, TakenIn | null>(
        documentId,
        async (handle) => {
          if (!handle.isReady()) return null;
          const doc = handle.doc();
          if (!doc?.patientId) return null;
          const row = this.#projectedRow(documentId);
          if (row && storedHeadsKey(row.heads) === headsKey(A.getHeads(doc))) return null;
          // Stored before projected: the projection must never claim what a crash could lose.
          await this.#repo.flush([documentId as DocumentId]);
          return this.#db.transaction(() => this.#takeInChart(documentId, doc, row))();
        },
        { signal: AbortSignal.timeout(15_000) },
      );
    } catch (e) {
      return this.#o.log(`sync: could not get document ${documentId}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (taken) this.#afterTakeIn([taken]);
  }

  #projectedHeads(documentId: string): string | undefined {
    const row = this.#projectedRow(documentId);
    return row ? storedHeadsKey(row.heads) : undefined;
  }

  #projectedRow(documentId: string): { id: string; heads: string } | undefined {
    return stmt(this.#db, 'SELECT id, heads FROM patients WHERE document_id = ?').get(documentId) as
      { id: string; heads: string } | undefined;
  }

  /**
   * Takes in a chart whose new state is stored (in the caller's transaction):
   * projection, the signed entries that verify, conflicts against the previously
   * projected heads, one audit record.
   */
  #takeInChart(documentId: string, doc: ChartDoc, row: { heads: string } | undefined): TakenIn | null {
    const before = row ? (JSON.parse(row.heads) as string[]) : [];
    const conflicts = detectConflicts(documentId, doc as unknown as A.Doc<unknown>, before, CHART_WATCH);
    const patientId = this.#o.charts.projectDocument(documentId, doc);
    if (!patientId) return null;
    const received = receiveEntries(this.#db, documentId, patientId, doc as unknown as SignedEntriesDoc);
    // Conflicts queued here that what arrived ended (resolved or replaced elsewhere).
    const settled = row
      ? settleConflicts(
          this.#db,
          documentId,
          new Set(conflicts.map((c) => c.id)),
          resolutionsSince(doc as unknown as A.Doc<unknown>, before),
          new Date().toISOString(),
        )
      : 0;
    return this.#recordTakenIn(
      documentId,
      patientId,
      received,
      conflicts,
      row ? 'sync.chart.received' : 'sync.chart.new',
      settled,
    );
  }

  /** The end of a take-in (caller's transaction): queue new conflicts, one audit record. */
  #recordTakenIn(
    documentId: string,
    patientId: string,
    received: ReceiveResult,
    conflicts: ConflictRecord[],
    action: 'sync.chart.received' | 'sync.chart.new',
    settled = 0,
  ): TakenIn {
    const at = new Date().toISOString();
    const q = sqliteConflictQueue(this.#db, () => patientId);
    let newConflicts = 0;
    for (const c of conflicts) if (q.put(c, at)) newConflicts++;
    appendAudit(this.#db, {
      actorId: null,
      action,
      patientId,
      entityId: patientId,
      detail: {
        entries: received.stored,
        refused: received.refused.length,
        conflicts: newConflicts,
        ...(settled > 0 ? { settled } : {}),
      },
    });
    return { documentId, patientId, refused: received.refused, newConflicts, settled };
  }

  /** After the transaction: tell open screens, log refused entries, signal conflicts and status. */
  #afterTakeIn(taken: (TakenIn | null)[]): void {
    let conflicts = 0;
    for (const t of taken) {
      if (!t) continue;
      this.#o.onPatient?.(t.patientId);
      for (const r of t.refused) this.#o.log(`sync: REFUSED entry ${r.id} of document ${t.documentId}: ${r.reason}`);
      conflicts += t.newConflicts + t.settled;
    }
    if (conflicts > 0) this.#o.onConflicts?.();
    this.#o.onStatus?.();
  }

  /**
   * Charts pulled in bulk from `deviceId` (bulk-transfer.ts): each is decoded — loaded
   * (which checks its integrity), read, its entries' signatures checked — on the
   * decoding thread (bulk-decoder.ts), then stored and taken in, the whole batch in one
   * transaction. A chart that meanwhile arrived another way, or is open in the Repo, is
   * left to automerge-repo.
   */
  async #takeInNewDocs(deviceId: string, docs: { documentId: string; bytes: Uint8Array }[]): Promise<string[]> {
    const notTaken: string[] = [];
    const arrivedOtherwise = (documentId: string) =>
      this.#repo.handles[documentId as DocumentId] !== undefined || this.#hasStored(documentId);
    if (this.#stopped) return docs.map((d) => d.documentId);
    const todo = docs.filter((d) => !(arrivedOtherwise(d.documentId) && notTaken.push(d.documentId)));
    if (todo.length === 0) return notTaken;
    const decoded = await this.#decoder.decode(todo);
    if (this.#stopped) return docs.map((d) => d.documentId);
    const ready: { bytes: Uint8Array; chart: Extract<DecodedChart, { ok: true }> }[] = [];
    decoded.forEach((r, i) => {
      if (!r.ok) {
        const what = r.reason === 'not a patient chart' ? 'document' : 'chart';
        this.#o.log(`sync: REFUSED ${what} ${r.documentId} from ${deviceId}: ${r.reason}`);
        notTaken.push(r.documentId);
      } else if (arrivedOtherwise(r.documentId)) notTaken.push(r.documentId);
      else ready.push({ bytes: todo[i]!.bytes, chart: r });
    });
    if (ready.length === 0) return notTaken;
    const taken = this.#db.transaction(() =>
      ready.map(({ bytes, chart: c }) => {
        storeNewDoc(this.#db, c.documentId, bytes, c.heads);
        const patientId = this.#o.charts.projectRead(c.documentId, c.chart, c.heads, c.createdAt);
        const received = receiveWireEntries(this.#db, c.documentId, patientId, c.entries, new Map(c.verdicts));
        return this.#recordTakenIn(c.documentId, patientId, received, c.conflicts, 'sync.chart.new');
      }),
    )();
    this.#afterTakeIn(taken);
    return notTaken;
  }

  /** Takes in a document changed by a bundle import (same steps as a change from a peer). */
  takeIn(documentId: string): Promise<void> {
    return this.#ingest(documentId);
  }

  #ingestRoster(): void {
    const doc = this.#rosterHandle?.doc();
    if (!doc || !this.#roster) return;
    const roster = this.#roster;
    const added = this.#db.transaction(() => {
      const n = roster.add(rosterOpsOf(doc));
      if (n > 0) appendAudit(this.#db, { actorId: null, action: 'sync.roster.received', detail: { operations: n } });
      return n;
    })();
    if (added > 0) this.#o.log(`sync: ${added} roster operation(s) received`);
  }

  #scheduleScan(): void {
    if (this.#scanTimer || this.#stopped) return;
    // Coalesces a burst of catalog changes (one per incoming sync message) into one scan.
    this.#scanTimer = setTimeout(() => {
      this.#scanTimer = undefined;
      this.#scanCatalog();
      this.#poke();
    }, 20);
  }

  /**
   * Reads the catalog: records what each peer acknowledged (per-peer heads, for
   * bundles and the unsent count) and requests the charts a connected peer holds at
   * other heads than this device.
   */
  /**
   * Catalog entries changed since the last scan (from the catalog's change patches,
   * and on a new connection those that peer may now give: #listedOtherwise), or 'all'
   * (start, a roster change): a scan reads only those, so a clinic of 50,000 charts is
   * not re-read on every acknowledgement or connection.
   */
  #catalogDirty: Set<string> | 'all' = 'all';

  /**
   * Per device, the charts it lists at heads other than this device's, as of each
   * entry's last scan; and the charts listed that this device does not hold. Only
   * these can become wanted when a device connects, so only they are scanned again
   * then (not the whole catalog on every connection). They stay true between scans
   * because a change to either side of the comparison is a catalog change: another
   * device's entry, or this device's own, rewritten whenever its projection changes
   * (charts.onProjected).
   */
  readonly #listedOtherwise = new Map<string, Set<string>>();
  readonly #notHeld = new Set<string>();

  #markEntriesDirty(documentIds: Iterable<string>): void {
    if (this.#catalogDirty === 'all') return;
    for (const id of documentIds) this.#catalogDirty.add(id);
  }

  #markCatalogDirty(patches: readonly A.Patch[]): void {
    if (this.#catalogDirty === 'all') return;
    for (const p of patches) {
      if (p.path[0] !== 'docs' || p.path.length < 2) {
        this.#catalogDirty = 'all';
        return;
      }
      this.#catalogDirty.add(String(p.path[1]));
    }
  }

  #scanCatalog(): void {
    const cat = this.#catalogHandle?.doc();
    if (!cat) return;
    const want: { docId: string; source: string | undefined }[] = [];
    let source: string | undefined;
    const now = new Date().toISOString();
    const docs = cat.docs ?? {};
    const dirty = this.#catalogDirty;
    this.#catalogDirty = new Set();
    const entries =
      dirty === 'all' ? Object.entries(docs) : [...dirty].flatMap((id) => (docs[id] ? [[id, docs[id]] as const] : []));
    // Every chart's heads at once for a full scan (one query, not one per chart).
    const held = dirty === 'all' ? this.#headsByDocument() : undefined;
    const headsOf = (docId: string) => {
      if (held) return held.get(docId);
      const row = stmt(this.#db, 'SELECT heads FROM patients WHERE document_id = ?').get(docId) as
        { heads: string } | undefined;
      return row ? storedHeadsKey(row.heads) : undefined;
    };
    this.#db.transaction(() => {
      for (const [docId, byDev] of entries) {
        const mine = headsOf(docId);
        let wanted = false;
        if (mine === undefined) this.#notHeld.add(docId);
        else this.#notHeld.delete(docId);
        for (const [dev, h] of entriesOf(byDev)) {
          if (dev === this.deviceId) continue;
          let otherwise = this.#listedOtherwise.get(dev);
          if (!otherwise) this.#listedOtherwise.set(dev, (otherwise = new Set()));
          if (h !== mine) otherwise.add(docId);
          else otherwise.delete(docId);
          const k = `${dev}\u0000${docId}`;
          if (this.#mirror.get(k) !== h) {
            // A changed chart (e.g. newly assigned to this device's team) may be given now,
            // by that device or by a hub (which lists nothing: it may hold the chart now).
            this.#refused.get(dev)?.delete(docId);
            for (const [peer, ids] of this.#refused) if (entryOf(byDev, peer) === undefined) ids.delete(docId);
            if (!this.#knownPeers.has(dev)) {
              upsertPeer(this.#db, dev, null, now);
              this.#knownPeers.add(dev);
            }
            setPeerDocHeads(this.#db, dev, docId, JSON.parse(h) as string[], now);
            this.#mirror.set(k, h);
          }
          if (
            !wanted &&
            h !== mine &&
            !this.#refused.get(dev)?.has(docId) &&
            (mine === undefined || (this.#connected.has(dev) && !this.#containsLoaded(docId, h)))
          )
            wanted = true;
          // A chart not held here at all is pulled in bulk from a connected device that lists it.
          if (mine === undefined && !source && this.#bulkPeers.has(dev) && !this.#refused.get(dev)?.has(docId))
            source = dev;
        }
        if (wanted) want.push({ docId, source: mine === undefined ? source : undefined });
        source = undefined;
        // Two devices that both created docs[docId] (offline, or a bundle made before this
        // device's entry was written) leave one map visible: an acknowledgement in the
        // other is hidden. Each device writes its own again.
        if (mine !== undefined && entryOf(byDev, this.deviceId) !== mine) {
          this.#catalogPending.set(docId, mine);
          this.#scheduleCatalogWrite();
        }
      }
    })();
    const fresh = want.filter(({ docId }) => !this.#requested.has(docId));
    if (fresh.length === 0 || this.#connected.size === 0) return;
    const bulk = new Map<string, string[]>();
    const bySync: string[] = [];
    for (const { docId, source: from } of fresh) {
      this.#requested.add(docId);
      if (from && !this.#bulkFailed.has(docId) && !this.#repo.handles[docId as DocumentId]) {
        const list = bulk.get(from) ?? [];
        list.push(docId);
        bulk.set(from, list);
      } else bySync.push(docId);
    }
    // Many charts to take in: decode them on the second core.
    if ([...bulk.values()].reduce((n, ids) => n + ids.length, 0) >= BULK_DECODE_THREAD_FROM) this.#decoder.warmUp();
    for (const [from, ids] of bulk) this.#puller.enqueue(from, ids);
    if (bySync.length > 0)
      void this.#inWindows(bySync, 'receiving', null).finally(() => {
        for (const id of bySync) this.#requested.delete(id);
        this.#notGivenByHubs(bySync);
      });
  }

  readonly #requested = new Set<string>();

  /** Every projected chart's heads key, by document id. */
  #headsByDocument(): Map<string, string> {
    const out = new Map<string, string>();
    const rows = stmt(this.#db, 'SELECT document_id, heads FROM patients').iterate() as Iterable<{
      document_id: string;
      heads: string;
    }>;
    for (const r of rows) out.set(r.document_id, storedHeadsKey(r.heads));
    return out;
  }

  /** Charts asked for that no peer gave (#findOrUndefined failed). */
  readonly #notFound = new Set<string>();

  /**
   * Charts asked for that no peer gave (all said "unavailable", or none answered within
   * #findOrUndefined's limit): a connected peer that does not list them in the catalog
   * (a hub: the sync server lists nothing) does not hold them for this device, e.g. a
   * chart whose patient did not consent to regional storage, which no device leaves at
   * a hub. Not waited for from it (#convergedNow) until the chart's catalog entry
   * changes or the peer connects again. A chart that was found but did not arrive
   * whole before its window ended is still waited for.
   */
  #notGivenByHubs(documentIds: string[]): void {
    const docs = this.#catalogHandle?.doc()?.docs ?? {};
    for (const id of documentIds) {
      if (!this.#notFound.delete(id) || this.#projectedRow(id)) continue;
      for (const dev of this.#connected.keys()) if (entryOf(docs[id], dev) === undefined) this.#refusedBy(dev).add(id);
    }
  }

  /** Writes this device's own heads of every chart into the catalog (once per process). */
  #refreshCatalog(): void {
    if (this.#catalogRefreshed) return;
    this.#catalogRefreshed = true;
    const docs = this.#catalogHandle?.doc()?.docs ?? {};
    const rows = stmt(this.#db, 'SELECT document_id, heads FROM patients').iterate() as Iterable<{
      document_id: string;
      heads: string;
    }>;
    for (const r of rows) {
      const key = storedHeadsKey(r.heads);
      if (entryOf(docs[r.document_id], this.deviceId) !== key) this.#catalogPending.set(r.document_id, key);
    }
  }

  #scheduleCatalogWrite(): void {
    if (this.#catalogTimer || this.#stopped) return;
    // Coalesces the acknowledgements of a burst of ingests into one catalog change
    // (fewer, larger changes: less on the wire), without holding them back for long.
    this.#catalogTimer = setTimeout(() => {
      this.#catalogTimer = undefined;
      this.#flushCatalog();
      this.#poke();
    }, 20);
  }

  #flushCatalog(): void {
    const h = this.#catalogHandle;
    if (!h || this.#catalogPending.size === 0) return;
    const pending = [...this.#catalogPending];
    this.#catalogPending.clear();
    const me = this.deviceId;
    const doc = h.doc();
    const changed = pending.filter(([id, key]) => entryOf(doc?.docs?.[id], me) !== key);
    if (changed.length === 0) return;
    h.change((d) => {
      d.docs ??= {};
      // One proxy of the map for the whole batch (each d.docs access makes a new one).
      const docs = d.docs;
      for (const [id, key] of changed) {
        const byDev = docs[id];
        if (byDev) byDev[me] = catalogValue(key);
        else docs[id] = { [me]: catalogValue(key) };
      }
    });
  }

  /**
   * Copies entries signed here since the last publish into their charts, a batch of
   * charts at a time (one flush and one commit per batch).
   */
  async #publishEntries(): Promise<void> {
    const { patientIds, maxRowid } = entriesToPublish(this.#db);
    for (let i = 0; i < patientIds.length && !this.#stopped; i += PUBLISH_BATCH) {
      const batch: { patientId: string; fn: (d: ChartDoc) => void }[] = [];
      for (const patientId of patientIds.slice(i, i + PUBLISH_BATCH)) {
        const missing = await this.#o.charts.withChart(patientId, (handle) =>
          missingWireEntries(this.#db, patientId, handle.doc() as unknown as SignedEntriesDoc),
        );
        if (missing.length === 0) continue;
        batch.push({
          patientId,
          fn: (d) => {
            const doc = d as unknown as Required<SignedEntriesDoc>;
            // Charts made since signedEntries is created with them never take this branch;
            // for older ones two devices may create competing maps, and readers take the
            // union (signedEntriesOf).
            doc.signedEntries ??= {};
            for (const [id, w] of missing) if (!(id in doc.signedEntries)) doc.signedEntries[id] = wireEntryForDoc(w);
          },
        });
      }
      await this.#o.charts.changeMany(batch, null, 'sync.entries.publish');
      // A turn of the event loop between batches: every await above settles in
      // microtasks, and a pass over thousands of entries (the first listen of a device
      // that worked alone for months) held the loop for tens of seconds, long enough for
      // a peer's handshake to time out.
      await nextTurn();
    }
    if (!this.#stopped) markPublished(this.#db, maxRowid);
  }

  /** Publishes new entries now (called after local writes while peers are connected, and before bundles). */
  async publish(): Promise<void> {
    if (this.#membership) await this.#publish();
  }

  // ---- status ---------------------------------------------------------------------

  status() {
    const peers = listPeers(this.#db).filter((p) => p.device_id !== this.deviceId);
    const roster = this.#roster?.roster;
    const last =
      peers
        .map((p) => p.last_sync_at)
        .filter((x): x is string => !!x)
        .sort()
        .pop() ?? null;
    return {
      enrolled: this.#membership !== undefined,
      clinicId: this.#membership?.anchor.clinicId ?? null,
      deviceId: this.deviceId,
      online: this.#connected.size > 0,
      listeningPort: this.listeningPort,
      peers: peers.map((p) => {
        const d = roster?.devices.get(p.device_id);
        return {
          deviceId: p.device_id,
          name: d?.name ?? null,
          address: p.address,
          connected: this.#connected.has(p.device_id),
          lastSyncAt: p.last_sync_at,
          unsent: unsentCount(this.#db, p.device_id),
          revoked: d ? d.revokedAt !== null : false,
          contactAfterRevocation: d?.revokedAt ? lastContactAfter(this.#db, p.device_id, d.revokedAt) : null,
        };
      }),
      lastSyncAt: last,
      unsentChanges: unsentCount(this.#db),
      progress: this.#progress,
    };
  }

  setProgress(p: SyncProgress | null): void {
    this.#progress = p;
    this.#o.onStatus?.();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#ingestTimers.values()) clearTimeout(t);
    this.#ingestTimers.clear();
    this.#puller.stop();
    await this.#decoder.close();
    if (this.#catalogTimer) clearTimeout(this.#catalogTimer);
    if (this.#scanTimer) clearTimeout(this.#scanTimer);
    this.#flushCatalog();
    for (const url of [...this.#clients.keys()]) this.disconnect(url);
    await this.stopListening();
    for (const u of this.#unsubscribe.splice(0)) u();
    // An exchange waits on peers; after a few seconds it is abandoned (nothing it
    // stored is lost: every document is flushed before it is projected).
    await Promise.race([Promise.allSettled([...this.#exchanges.values(), this.#publishing]), sleep(5000)]);
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
