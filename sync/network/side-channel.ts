// A second lane on the authenticated connection between two Sijill devices, beside
// automerge-repo's own messages. The host uses it for what automerge-repo's
// per-document protocol does slowly: handing a peer, in batches, whole documents it
// does not hold at all (main/host/sync/bulk-transfer.ts). Frames of this type are
// never given to the Repo; the receiving host applies its own share policy to what
// they name. The hub gateway never relays them: the official sync server behind it
// does not speak this lane, so a device there simply gets no answer and uses
// automerge-repo's protocol alone.
import { cbor } from '@automerge/automerge-repo';
import type { AuthenticatedPeer } from '../auth/handshake';

export const SIDE_MESSAGE_TYPE = 'sijill-side';

/** Receives the payload of a side-lane frame from an authenticated peer. */
export type SideMessageHandler = (peer: AuthenticatedPeer, data: Uint8Array) => void;

/** Something that can send side-lane frames to a connected device. */
export interface SideChannel {
  /** False when that device is not connected through this adapter. */
  sendSide(deviceId: string, data: Uint8Array): boolean;
}

export const encodeSideMessage = (senderId: string, targetId: string, data: Uint8Array): Uint8Array =>
  new Uint8Array(cbor.encode({ type: SIDE_MESSAGE_TYPE, senderId, targetId, data }));
