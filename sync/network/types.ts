// Shared shapes of the authenticated network adapters.
import type { Message } from '@automerge/automerge-repo';
import type { AuthenticatedPeer, HandshakeOptions } from '../auth/handshake';

/** Who an automerge peer id belongs to — only peers that authenticated are known. */
export interface PeerDirectory {
  deviceIdOf(peerId: string): string | undefined;
}

/**
 * A last check on every automerge-repo message crossing the wire, per authenticated
 * peer. The share policy provides one (sync/policy): the Repo's own share config
 * decides what to announce, this makes sure nothing outside the policy leaves.
 */
export interface MessageGuard {
  inbound(peer: AuthenticatedPeer, message: Message): boolean;
  outbound(peer: AuthenticatedPeer, message: Message): boolean;
}

/** What the adapters report to the host (for its log and status bar); never patient data. */
export type SyncNetworkEvent =
  | { type: 'authenticated'; deviceId: string; peerId: string }
  | { type: 'auth-failed'; code: string; message: string }
  | { type: 'disconnected'; deviceId: string }
  | { type: 'dropped'; direction: 'in' | 'out'; deviceId: string; messageType: string; reason: string };

/** Handshake options minus what the Repo supplies at connect(). */
export type AuthOptions = Omit<HandshakeOptions, 'peerId' | 'peerMetadata'>;
