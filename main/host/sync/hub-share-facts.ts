// The share policy at the regional hub. The hub relays the official sync server, which
// gives any client every document it asks for; the gateway asks this module about each
// frame the server sends a device, and drops the frame when the device may not hold
// the document. The rule is the LAN's, `mayHold` (sync/policy/share-policy.ts):
//
//   - Device facts: the roster the hub follows (role and field teams, `set-device-role`);
//     a clinic device and a hub serve the clinic's one facility (its clinic id), as in
//     share-facts.ts. A revoked or unknown device gets nothing.
//   - The roster and catalog documents go to every active device.
//   - A chart's facts come from the chart itself (`sharing`, read by readSharing: field
//     teams, field copies, regional consent; defaults for charts without it). The hub
//     holds no charts: it reads the chart from the sync server (hub-upstream-reader.ts),
//     keeps only these facts per document, and forgets them when a device sends the
//     server a change of that document through the gateway (every change reaches the
//     server that way), so a new assignment counts from the next frame.
//
// Only frames that carry document content are judged by the chart's facts: a request,
// an "unavailable", or a sync message without changes (heads and a Bloom filter of
// change hashes) carry none, and pass for any active device, as the LAN guard lets
// requests and "unavailable" through for a document it cannot judge. A clinic device
// may hold every chart of its facility (mayHold reads nothing else for it), so its
// frames are never inspected. For a field or hub device, a chart that cannot be read
// (not on the server, a timeout) or a document that is not a chart gets no content.
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
  /** Reads a chart's facts from the sync server, holding at least `heads`; undefined when it cannot. */
  readFacts(documentId: string, heads: readonly string[] | undefined): Promise<ChartFacts | null | undefined>;
  /** Documents whose facts are kept at most (the oldest are forgotten first); default 100 000. */
  maxCached?: number;
}

export interface HubSharePolicy {
  /** For the gateway's `guard`: active devices only; a change a device sends forgets its document's facts. */
  guard: MessageGuard;
  /** For the gateway's `judgeOutbound`. */
  judgeOutbound(peer: AuthenticatedPeer, m: Message): boolean | Promise<boolean>;
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
  const reading = new Map<string, Promise<ChartFacts | null | undefined>>();

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
          if (facts !== undefined) {
            cache.set(documentId, facts);
            if (cache.size > max) cache.delete(cache.keys().next().value as string);
          }
        }
        return facts;
      },
      () => {
        if (reading.get(documentId) === p) reading.delete(documentId);
        return undefined;
      },
    );
    reading.set(documentId, p);
    return p;
  };

  const allows = (device: DeviceFacts, facts: ChartFacts | null | undefined) =>
    facts ? mayHold(device, facts).allow : false;

  const judgeOutbound = (peer: AuthenticatedPeer, m: Message): boolean | Promise<boolean> => {
    const documentId = typeof m.documentId === 'string' ? m.documentId : undefined;
    if (documentId === undefined) return true;
    const device = deviceFacts(peer.deviceId);
    if (!device) return false;
    if (o.clinicDocs.has(documentId)) return mayHold(device, { kind: 'roster' }).allow;
    // Every chart here is of the clinic's facility; for a clinic device mayHold reads
    // only that, so its frames need no chart facts.
    if (device.role === 'clinic') return device.facilityIds.includes(o.clinicId);
    const { content, heads } = frameContent(m);
    if (!content) return true;
    if (cache.has(documentId)) return allows(device, cache.get(documentId));
    return factsOf(documentId, heads).then((facts) => allows(device, facts));
  };

  const guard: MessageGuard = {
    inbound(peer, m) {
      if (!o.isActive(peer.deviceId)) return false;
      // A change on its way to the sync server: the chart's facts may change with it.
      if ((m.type === 'sync' || m.type === 'request') && typeof m.documentId === 'string' && frameContent(m).content)
        invalidate(m.documentId);
      return true;
    },
    outbound: (peer) => o.isActive(peer.deviceId),
  };

  return {
    guard,
    judgeOutbound,
    invalidate,
    get cached() {
      return cache.size;
    },
  };
}
