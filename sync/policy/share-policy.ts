// Which documents a peer may receive. The rules, in one place:
//   - Only peers that authenticated through our adapters exist for the policy; an
//     unknown peer id gets nothing. A revoked device gets nothing.
//   - The roster document goes to every active device of the clinic (a device must
//     learn of revocations even if it holds no patients).
//   - A patient chart goes to
//       · a clinic device (desktop) of the patient's facility;
//       · a field device whose team the patient is assigned to, if the patient has
//         not refused copies on field devices;
//       · a regional hub serving the patient's facility, if the patient consented to
//         regional storage.
//   - Anything else: no (default deny).
//
// automerge-repo asks twice: `announce` (offer a document unasked) and `access` (answer
// a peer that asks for, or pushes, a document). A document this device does not know
// yet (no facts: it is not projected) cannot be judged; access is then allowed so a
// peer can hand us a chart it just created, and the message guard below makes sure
// we send changes for such a document only to a peer that showed it already holds it.
import type { DocumentId, Message, PeerId, RepoConfig, SharePolicy } from '@automerge/automerge-repo';
import type { AuthenticatedPeer } from '../auth/handshake';
import type { MessageGuard, PeerDirectory } from '../network/types';
import type { DeviceRoleName } from '../identity/roster-ops';

/** Set per device by an administrator in the signed roster (`set-device-role`); default 'clinic'. */
export type DeviceRole = DeviceRoleName;

export interface DeviceFacts {
  deviceId: string;
  role: DeviceRole;
  /** Clinic device: its facility. Hub: the facilities it serves. Field device: may be empty. */
  facilityIds: string[];
  /** Field teams the device belongs to. */
  teamIds: string[];
}

export type DocumentFacts =
  | {
      kind: 'patient';
      patientId: string;
      facilityId: string;
      /** Field teams the patient is currently assigned to. */
      fieldTeamIds: string[];
      consent: { fieldCopies: boolean; regionalHub: boolean };
    }
  | { kind: 'roster' };

/**
 * Host contract (synchronous, from SQLite): device roles/facilities/teams as the
 * administrator configured them, and per document what the projection knows.
 * `document` returns undefined for a document this device does not know.
 */
export interface ShareFacts {
  device(deviceId: string): DeviceFacts | undefined;
  document(documentId: string): DocumentFacts | undefined;
}

export interface ShareDecision {
  allow: boolean;
  reason: string;
}

/** The rule itself, pure: may this device hold this document? */
export function mayHold(device: DeviceFacts, doc: DocumentFacts): ShareDecision {
  if (doc.kind === 'roster') return { allow: true, reason: 'every enrolled device holds the roster' };
  switch (device.role) {
    case 'clinic':
      return device.facilityIds.includes(doc.facilityId)
        ? { allow: true, reason: 'clinic device of the patient’s facility' }
        : { allow: false, reason: 'clinic device of another facility' };
    case 'field':
      if (!doc.fieldTeamIds.some((t) => device.teamIds.includes(t)))
        return { allow: false, reason: 'patient not assigned to this field team' };
      return doc.consent.fieldCopies
        ? { allow: true, reason: 'patient assigned to this field team' }
        : { allow: false, reason: 'patient refused copies on field devices' };
    case 'hub':
      if (!device.facilityIds.includes(doc.facilityId))
        return { allow: false, reason: 'hub does not serve the patient’s facility' };
      return doc.consent.regionalHub
        ? { allow: true, reason: 'hub of the patient’s facility, regional consent given' }
        : { allow: false, reason: 'no consent to regional storage' };
  }
}

export type Verdict = 'allow' | 'deny' | 'unknown';

/** automerge-repo's ShareConfig (not exported by name from the package). */
export type ShareConfig = NonNullable<RepoConfig['shareConfig']>;

export interface SharePolicyParts {
  /** allow / deny, or unknown when this device has no facts about the document. */
  decide(peerId: string, documentId: string): Verdict;
  /** The same, for a device by its id (connected or not: a bundle's receiver). */
  decideForDevice(deviceId: string, documentId: string): Verdict;
  /** For `new Repo({ shareConfig })` — use this, not `sharePolicy`: in automerge-repo 2.5
   * `sharePolicy` alone only governs announcing, and leaves `access` open to any peer. */
  shareConfig: ShareConfig;
  /** The announce half alone, where a bare SharePolicy is wanted. */
  sharePolicy: SharePolicy;
  /** For the adapters' `guard` option. */
  guard: MessageGuard;
}

export function createSharePolicy(args: {
  peers: PeerDirectory;
  facts: ShareFacts;
  /** Roster check at decision time: enrolled and not revoked. */
  isActive: (deviceId: string) => boolean;
}): SharePolicyParts {
  const judge = (deviceId: string | undefined, documentId: string): Verdict => {
    if (!deviceId || !args.isActive(deviceId)) return 'deny';
    const device = args.facts.device(deviceId);
    if (!device) return 'deny';
    const doc = args.facts.document(documentId);
    if (!doc) return 'unknown';
    return mayHold(device, doc).allow ? 'allow' : 'deny';
  };
  const decide = (peerId: string, documentId: string) => judge(args.peers.deviceIdOf(peerId), documentId);

  // Documents a peer showed it already holds (it sent us sync data for them).
  const holds = new Set<string>();
  const key = (deviceId: string, documentId: string) => `${deviceId}\u0000${documentId}`;

  const announce: SharePolicy = async (peerId: PeerId, documentId?: DocumentId) =>
    documentId !== undefined && decide(peerId, documentId) === 'allow';
  const access = async (peerId: PeerId, documentId: DocumentId) => decide(peerId, documentId) !== 'deny';

  const docOf = (m: Message) => (typeof m.documentId === 'string' ? m.documentId : undefined);
  const guard: MessageGuard = {
    inbound(peer: AuthenticatedPeer, m: Message) {
      const documentId = docOf(m);
      if (documentId === undefined) return true;
      const v = judge(peer.deviceId, documentId);
      if (v === 'deny') return false;
      if (m.type === 'sync') holds.add(key(peer.deviceId, documentId));
      return true;
    },
    outbound(peer: AuthenticatedPeer, m: Message) {
      const documentId = docOf(m);
      if (documentId === undefined) return true;
      const v = judge(peer.deviceId, documentId);
      if (v === 'allow') return true;
      if (v === 'deny') return false;
      // Unknown document: asking for it or saying we lack it carries no content.
      if (m.type === 'request' || m.type === 'doc-unavailable') return true;
      return holds.has(key(peer.deviceId, documentId));
    },
  };
  return { decide, decideForDevice: judge, shareConfig: { announce, access }, sharePolicy: announce, guard };
}
