// The share policy at the regional hub. The hub relays the official sync server, which
// gives any client every document it asks for and stores whatever a client sends; the
// gateway asks this module about each frame in both directions, and drops the frame
// when the device may not hold the document. The rule is the LAN's, `mayHold`
// (sync/policy/share-policy.ts):
//
//   - Device facts: the roster the hub follows (role and field teams, `set-device-role`);
//     a clinic device and a hub serve the clinic's one facility (its clinic id), as in
//     share-facts.ts. A revoked or unknown device gets nothing and sends nothing.
//   - The roster and catalog documents go to and come from every active device.
//   - A chart's facts come from the chart itself (`sharing`, read by readSharing: field
//     teams, field copies, regional consent; defaults for charts without it). The hub
//     holds no charts: it reads the chart from the sync server (hub-upstream-reader.ts),
//     keeps only these facts per document, and forgets them when a change of that
//     document goes to the server through the gateway (every change reaches the server
//     that way), so a new assignment counts from the next frame.
//
// Only frames that carry document content are judged by the chart's facts: a request,
// an "unavailable", or a sync message without changes (heads and a Bloom filter of
// change hashes) carry none, and pass for any active device, as the LAN guard lets
// requests and "unavailable" through for a document it cannot judge. Going out, the
// server's answer to such a frame is judged in turn; coming in, such a frame gives the
// server nothing to store. A clinic device may hold every chart of its facility
// (mayHold reads nothing else for it), so frames going to it are not judged (only the
// heads the server tells it are noted, for the rule below). For a
// field or hub device, a chart that cannot be read (not on the server, a timeout) or a
// document that is not a chart gets no content, and takes none from it.
//
// Coming in, chart content is judged twice: the device may hold the chart, and the hub
// may keep it. The sync server is the hub's storage, so a chart's content goes in only
// if its patient consented to regional storage (the rule of the hub role, which the
// hub's device must have: hub.ts), as the server's copy shows it or, when that copy
// lacks the consent, as the copy would with the frame's changes (a change recording the
// consent). Devices already keep unconsented charts from a peer with the hub role; this
// check is for a device whose roster is behind, or that ignores it. A copy already on
// the server (stored before consent counted here, or before a withdrawal) stays there:
// the sync server deletes nothing.
//
// One exception, coming in: a document the sync server does not hold yet. A device
// registering a patient creates the chart, and nobody can have assigned it to a team
// yet (a field device's new patient has no teams until a clinic assigns it), so the
// chart's facts cannot speak for the device; as on the LAN (share-policy.ts: an
// unknown document may be handed over), its first content is let through, if the frame
// holds the whole chart and the chart records the patient's consent to regional
// storage (chartFactsOfFrame: the hub keeps nothing else). Why this cannot be
// used to write into a chart the hub holds and the device may not:
//   - Document ids are random (a UUID: 122 random bits). A device cannot hit an
//     existing chart by guessing, only by using an id it was told (the catalog names
//     every chart to every device).
//   - "Not held" is a positive answer from the sync server, never the absence of one.
//     Either the server told this very device, in its last sync message about the
//     document, that it has nothing of it (empty heads: that is how a device pushing a
//     new chart hears it, before it sends the changes) and since then no content of
//     the document has gone to the server through the gateway or come out of it (the
//     gateway is the only way in: the server listens where nothing else reaches it,
//     and one gateway fronts it); or the hub asked the server and was told
//     "unavailable". A read that fails or times out refuses.
//   - Once content of the document has gone to the server, every later frame is
//     judged by the chart's own facts, the creator's too (a field device's new patient
//     that no clinic has assigned to its team travels once: as on the LAN, where the
//     desk then drops the field device's edits of it).
// What remains is what the LAN allows as well: a device that knows the id of a chart
// the hub has never held (told by the catalog on the LAN, before the chart's holder
// came to the hub) can be the first to put content under that id, and the holder's
// chart then merges with it at the server, as it would at a LAN peer that had not yet
// seen the chart. Closing that takes the chart's creator named and signed in the
// chart, checked by every peer; a rule at the hub alone cannot.
import * as A from '@automerge/automerge';
import type { Message } from '@automerge/automerge-repo';
import {
  mayHold,
  type AuthenticatedPeer,
  type DeviceFacts,
  type DocumentFacts,
  type MessageGuard,
  type Roster,
} from '../../../sync';
import { readSharing, type ChartDoc } from '../../store/charts/chart-doc';

/** What the hub keeps about a chart: its share facts, or null for a document that is not a chart. */
export type ChartFacts = Extract<DocumentFacts, { kind: 'patient' }>;

/** The share facts of a chart document (read from the sync server), or null when it is not a chart. */
export function chartFactsOf(doc: unknown, facilityId: string): ChartFacts | null {
  if (typeof doc !== 'object' || doc === null) return null;
  const d = doc as Partial<ChartDoc>;
  const pid = d.patientId as unknown;
  const patientId = A.isImmutableString(pid) ? pid.val : typeof pid === 'string' ? pid : undefined;
  if (!patientId) return null;
  const s = readSharing(d as Pick<ChartDoc, 'sharing'>);
  return {
    kind: 'patient',
    patientId,
    facilityId,
    fieldTeamIds: s.fieldTeamIds,
    consent: { fieldCopies: s.fieldCopies, regionalHub: s.regionalHub },
  };
}

/**
 * The share facts of the chart a sync frame carries whole (a device pushing a chart the
 * server has nothing of sends all of it, as a document chunk or as changes), or, with
 * `base`, of that document with the frame's changes added; null when the result is not
 * a chart (not a sync frame, a document that is not a chart, changes whose dependencies
 * are in neither).
 */
export function chartFactsOfFrame(m: Message, facilityId: string, base?: A.Doc<unknown>): ChartFacts | null {
  if ((m.type !== 'sync' && m.type !== 'request') || !(m.data instanceof Uint8Array)) return null;
  try {
    let doc = base ? A.clone(base) : A.init<unknown>();
    for (const chunk of A.decodeSyncMessage(m.data).changes) doc = A.loadIncremental(doc, chunk);
    return chartFactsOf(doc, facilityId);
  } catch {
    return null;
  }
}

/**
 * Whether a frame carries document content, and the heads it was sent at. A sync
 * message (or a request, which is one) carries content only in its changes; anything
 * else naming a document (an ephemeral message, a type this code does not know) is
 * taken to carry some.
 */
export function frameContent(m: Message): { content: boolean; heads?: string[] } {
  if (m.type === 'doc-unavailable' || m.type === 'remote-heads-changed') return { content: false };
  if ((m.type === 'sync' || m.type === 'request') && m.data instanceof Uint8Array) {
    try {
      const decoded = A.decodeSyncMessage(m.data);
      return { content: decoded.changes.length > 0, heads: decoded.heads };
    } catch {
      return { content: true };
    }
  }
  return { content: true };
}

export interface HubSharePolicyOptions {
  /** The clinic's facility: what a clinic device and the hub serve. */
  clinicId: string;
  /** Roster and catalog: every active device holds them. */
  clinicDocs: ReadonlySet<string>;
  isActive(deviceId: string): boolean;
  roster(): Roster | undefined;
  /**
   * Reads a chart's facts from the sync server, holding at least `heads`: null for a
   * document that is not a chart, 'absent' when the server says it does not have the
   * document, undefined when it cannot be read (not reachable, a timeout).
   */
  readFacts(documentId: string, heads: readonly string[] | undefined): Promise<ReadFacts>;
  /**
   * The chart's facts once a frame's changes are added to the server's copy (never
   * kept: they hold only if the server takes the frame): undefined when it cannot be read.
   */
  readFactsAfter(documentId: string, frame: Message): Promise<ReadFacts>;
  /** Documents whose facts are kept at most (the oldest are forgotten first); default 100 000. */
  maxCached?: number;
}

export type ReadFacts = ChartFacts | null | 'absent' | undefined;

export interface HubSharePolicy {
  /** For the gateway's `guard`: active devices only. */
  guard: MessageGuard;
  /** For the gateway's `judgeOutbound`. */
  judgeOutbound(peer: AuthenticatedPeer, m: Message): boolean | Promise<boolean>;
  /** For the gateway's `judgeInbound`. */
  judgeInbound(peer: AuthenticatedPeer, m: Message): boolean | Promise<boolean>;
  /** For the gateway's `onUpstream`: a change going to the server forgets its document's facts. */
  upstream(peer: AuthenticatedPeer, m: Message): void;
  /** Forget a document's facts (the next frame that needs them reads the chart again). */
  invalidate(documentId: string): void;
  /** How many documents' facts are kept (for tests and the log). */
  readonly cached: number;
}

export function createHubSharePolicy(o: HubSharePolicyOptions): HubSharePolicy {
  // As share-facts.ts does on the LAN: the role and teams from the roster.
  const deviceFacts = (deviceId: string): DeviceFacts | undefined => {
    if (!o.isActive(deviceId)) return undefined;
    const d = o.roster()?.devices.get(deviceId);
    if (!d) return undefined;
    return d.role === 'field'
      ? { deviceId, role: 'field', facilityIds: [], teamIds: [...d.teamIds] }
      : { deviceId, role: d.role, facilityIds: [o.clinicId], teamIds: [] };
  };
  const max = o.maxCached ?? 100_000;
  const cache = new Map<string, ChartFacts | null>();
  const reading = new Map<string, Promise<ReadFacts>>();
  /**
   * Documents the sync server is known to hold content of: seen in a frame it sent,
   * sent to it through the gateway, or read from it. Only for the "not held yet" rule;
   * forgetting one (past `max`) makes that rule ask the server again, nothing more.
   */
  const held = new Set<string>();
  /** Devices the server last told, per document, that it holds nothing of it (empty heads). */
  const toldEmpty = new Map<string, Set<string>>();

  const bounded = <K>(m: { size: number; keys(): IterableIterator<K>; delete(k: K): boolean }) => {
    if (m.size > max) m.delete(m.keys().next().value as K);
  };
  const markHeld = (documentId: string) => {
    toldEmpty.delete(documentId);
    if (held.has(documentId)) return;
    held.add(documentId);
    bounded(held);
  };
  const known = (documentId: string) => held.has(documentId) || cache.has(documentId);

  /** The server's heads in a sync message it sent a device: is there anything of the document there? */
  const noteServerHeads = (deviceId: string, documentId: string, heads: string[] | undefined) => {
    if (heads === undefined) return;
    if (heads.length > 0) return markHeld(documentId);
    if (held.has(documentId)) return;
    let devices = toldEmpty.get(documentId);
    if (!devices) {
      toldEmpty.set(documentId, (devices = new Set()));
      bounded(toldEmpty);
    }
    devices.add(deviceId);
  };

  const invalidate = (documentId: string) => {
    cache.delete(documentId);
    reading.delete(documentId);
  };

  const factsOf = (documentId: string, heads: readonly string[] | undefined) => {
    const running = reading.get(documentId);
    if (running) return running;
    const p = o.readFacts(documentId, heads).then(
      (facts) => {
        // Kept only if no change of the document came in meanwhile.
        if (reading.get(documentId) === p) {
          reading.delete(documentId);
          if (facts !== undefined && facts !== 'absent') {
            markHeld(documentId);
            cache.set(documentId, facts);
            bounded(cache);
          }
        }
        return facts;
      },
      (): ReadFacts => {
        if (reading.get(documentId) === p) reading.delete(documentId);
        return undefined;
      },
    );
    reading.set(documentId, p);
    return p;
  };

  const allows = (device: DeviceFacts, facts: ReadFacts) =>
    facts && facts !== 'absent' ? mayHold(device, facts).allow : false;

  const docOf = (m: Message) => (typeof m.documentId === 'string' ? m.documentId : undefined);
  const isSync = (m: Message) => m.type === 'sync' || m.type === 'request';
  /**
   * A frame about a chart (not the roster or catalog). What the server tells a clinic
   * device of it counts too: the device's next frame may be the chart's first content.
   */
  const isChartFrame = (m: Message) => {
    const documentId = docOf(m);
    return documentId !== undefined && !o.clinicDocs.has(documentId);
  };

  /**
   * For a frame going out: the answer when it needs no chart's facts (no document,
   * roster or catalog, a clinic device, an unknown or revoked device), or the device and
   * document to judge.
   */
  const outboundSubject = (
    peer: AuthenticatedPeer,
    m: Message,
  ): boolean | { device: DeviceFacts; documentId: string } => {
    const documentId = docOf(m);
    if (documentId === undefined) return true;
    const device = deviceFacts(peer.deviceId);
    if (!device) return false;
    if (o.clinicDocs.has(documentId)) return mayHold(device, { kind: 'roster' }).allow;
    // Every chart here is of the clinic's facility; for a clinic device mayHold reads
    // only that, so its frames need no chart facts.
    if (device.role === 'clinic') return device.facilityIds.includes(o.clinicId);
    return { device, documentId };
  };

  const judgeOutbound = (peer: AuthenticatedPeer, m: Message): boolean | Promise<boolean> => {
    const s = outboundSubject(peer, m);
    if (s === true && isSync(m) && isChartFrame(m)) noteServerHeads(peer.deviceId, docOf(m)!, frameContent(m).heads);
    if (typeof s === 'boolean') return s;
    const { device, documentId } = s;
    const { content, heads } = frameContent(m);
    if (isSync(m)) noteServerHeads(peer.deviceId, documentId, heads);
    if (!content) return true;
    if (cache.has(documentId)) return allows(device, cache.get(documentId));
    return factsOf(documentId, heads).then((facts) => allows(device, facts));
  };

  /** What the sync server may store: it is the hub's storage, so only charts with regional consent. */
  const hub: DeviceFacts = { deviceId: 'hub', role: 'hub', facilityIds: [o.clinicId], teamIds: [] };
  /** The device may send it, and the hub may keep it. */
  const stores = (device: DeviceFacts, facts: ReadFacts) => allows(device, facts) && allows(hub, facts);
  /** A chart the server holds nothing of: the frame itself must be the whole chart, consented (see the header). */
  const firstContent = (m: Message) => allows(hub, chartFactsOfFrame(m, o.clinicId));

  const judgeInbound = (peer: AuthenticatedPeer, m: Message): boolean | Promise<boolean> => {
    const documentId = docOf(m);
    if (documentId === undefined) return true;
    const device = deviceFacts(peer.deviceId);
    if (!device) return false;
    if (o.clinicDocs.has(documentId)) return mayHold(device, { kind: 'roster' }).allow;
    if (!frameContent(m).content) return true;
    if (cache.has(documentId)) return storesWith(device, cache.get(documentId), documentId, m);
    // Not held yet, by the server's own word to this device (see the header).
    if (!known(documentId) && toldEmpty.get(documentId)?.has(peer.deviceId)) return firstContent(m);
    // At no particular heads: the frame's changes are not on the server (that is the
    // point), so the facts are those of what the server holds now.
    return factsOf(documentId, undefined).then((facts) =>
      // "Unavailable" counts only if no content of the document went in meanwhile.
      facts === 'absent' ? !known(documentId) && firstContent(m) : storesWith(device, facts, documentId, m),
    );
  };

  /**
   * stores() by the server copy's facts; if they refuse only for want of consent, by
   * the facts the frame leaves: a change that records the patient's consent (after a
   * withdrawal that reached the server, or on a chart stored before consent counted)
   * must be let in, or the hub would never take the chart again.
   */
  const storesWith = (device: DeviceFacts, facts: ReadFacts, documentId: string, m: Message) => {
    if (stores(device, facts)) return true;
    if (!allows(device, facts)) return false;
    return o.readFactsAfter(documentId, m).then((after) => stores(device, after));
  };

  const upstream = (_peer: AuthenticatedPeer, m: Message) => {
    const documentId = docOf(m);
    // A change on its way to the sync server: the chart's facts may change with it,
    // and the server holds (some of) the document from now on.
    if (documentId !== undefined && isSync(m) && frameContent(m).content) {
      invalidate(documentId);
      markHeld(documentId);
    }
  };

  const guard: MessageGuard = {
    inbound: (peer) => o.isActive(peer.deviceId),
    outbound: (peer) => o.isActive(peer.deviceId),
  };

  return {
    guard,
    judgeOutbound,
    judgeInbound,
    upstream,
    invalidate,
    get cached() {
      return cache.size;
    },
  };
}
