// automerge-repo NetworkAdapter for the connecting side (field laptop → clinic
// desktop on the LAN, or any device → regional hub). It is the stock WebSocket
// client adapter's job with one difference that matters: the Repo hears of the peer
// ('peer-candidate') only after mutual authentication, and every frame after that is
// encrypted and bound to the authenticated peer.
import {
  NetworkAdapter,
  type Message,
  type PeerId,
  type PeerMetadata,
  type StorageId,
} from '@automerge/automerge-repo';
import WebSocket from 'ws';
import type { AuthenticatedPeer } from '../auth/handshake';
import { decodeRepoMessage, encodeRepoMessage } from './repo-message';
import { CLOSE_REVOKED, secureSocket, type SecureSocket } from './secure-socket';
import { encodeSideMessage, SIDE_MESSAGE_TYPE, type SideChannel, type SideMessageHandler } from './side-channel';
import type { AuthOptions, MessageGuard, PeerDirectory, SyncNetworkEvent } from './types';

export interface AuthenticatedClientOptions {
  url: string;
  auth: AuthOptions;
  /** Reconnect after this long when the connection drops or fails; 0 = never. Default 5000. */
  retryIntervalMs?: number;
  handshakeTimeoutMs?: number;
  /** Passed to `ws` (TLS options, CA pinning, maxPayload). */
  ws?: WebSocket.ClientOptions;
  guard?: MessageGuard;
  onEvent?: (e: SyncNetworkEvent) => void;
  /** Side-lane frames (side-channel.ts); without it they are dropped. */
  onSideMessage?: SideMessageHandler;
}

export class AuthenticatedWebSocketClientAdapter extends NetworkAdapter implements PeerDirectory, SideChannel {
  readonly #o: AuthenticatedClientOptions;
  #socket: SecureSocket | undefined;
  #remote: AuthenticatedPeer | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  #ready = false;
  #resolveReady!: () => void;
  readonly #readyPromise = new Promise<void>((r) => (this.#resolveReady = r));

  constructor(options: AuthenticatedClientOptions) {
    super();
    this.#o = options;
  }

  isReady(): boolean {
    return this.#ready;
  }

  whenReady(): Promise<void> {
    return this.#readyPromise;
  }

  #markReady(): void {
    if (this.#ready) return;
    this.#ready = true;
    this.#resolveReady();
  }

  /** The authenticated peer on the other end, if connected. */
  get remote(): AuthenticatedPeer | undefined {
    return this.#remote;
  }

  deviceIdOf(peerId: string): string | undefined {
    return this.#remote?.peerId === peerId ? this.#remote.deviceId : undefined;
  }

  connect(peerId: PeerId, peerMetadata?: PeerMetadata): void {
    this.peerId = peerId;
    this.peerMetadata = peerMetadata ?? {};
    this.#stopped = false;
    this.#open();
    // Like the stock adapter: do not hold up the Repo forever if nobody answers.
    setTimeout(() => this.#markReady(), this.#o.handshakeTimeoutMs ?? 10_000).unref?.();
  }

  #open(): void {
    const ws = new WebSocket(this.#o.url, this.#o.ws);
    const meta = this.peerMetadata ?? {};
    const peerMetadata = {
      ...(meta.storageId !== undefined ? { storageId: meta.storageId as string } : {}),
      ...(meta.isEphemeral !== undefined ? { isEphemeral: meta.isEphemeral } : {}),
    };
    const socket = secureSocket(
      ws,
      'client',
      { ...this.#o.auth, peerId: this.peerId!, peerMetadata },
      {
        authenticated: (peer) => {
          this.#remote = peer;
          this.#o.onEvent?.({ type: 'authenticated', deviceId: peer.deviceId, peerId: peer.peerId });
          this.emit('peer-candidate', {
            peerId: peer.peerId as PeerId,
            peerMetadata: { ...peer.peerMetadata, storageId: peer.peerMetadata.storageId as StorageId | undefined },
          });
          this.#markReady();
        },
        message: (data) => this.#receive(data),
        closed: ({ authFailure }) => {
          if (this.#socket === socket) this.#socket = undefined;
          if (authFailure)
            this.#o.onEvent?.({ type: 'auth-failed', code: authFailure.code, message: authFailure.message });
          const remote = this.#remote;
          this.#remote = undefined;
          if (remote) {
            this.#o.onEvent?.({ type: 'disconnected', deviceId: remote.deviceId });
            this.emit('peer-disconnected', { peerId: remote.peerId as PeerId });
          }
          this.#markReady();
          this.#scheduleRetry();
        },
      },
      this.#o.handshakeTimeoutMs,
    );
    this.#socket = socket;
  }

  #scheduleRetry(): void {
    const every = this.#o.retryIntervalMs ?? 5000;
    if (this.#stopped || every <= 0 || this.#retry) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      if (!this.#stopped && !this.#socket) this.#open();
    }, every);
    this.#retry.unref?.();
  }

  #receive(data: Uint8Array): void {
    const remote = this.#remote;
    if (!remote) return;
    const m = decodeRepoMessage(data, remote.peerId, this.peerId);
    if (!m) {
      this.#o.onEvent?.({
        type: 'dropped',
        direction: 'in',
        deviceId: remote.deviceId,
        messageType: 'unknown',
        reason: 'malformed or misaddressed',
      });
      return;
    }
    if (m.type === SIDE_MESSAGE_TYPE) {
      const data = (m as { data?: unknown }).data;
      if (data instanceof Uint8Array) this.#o.onSideMessage?.(remote, data);
      return;
    }
    if (this.#o.guard && !this.#o.guard.inbound(remote, m)) {
      this.#o.onEvent?.({
        type: 'dropped',
        direction: 'in',
        deviceId: remote.deviceId,
        messageType: m.type,
        reason: 'share policy',
      });
      return;
    }
    this.emit('message', m);
  }

  send(message: Message): void {
    const remote = this.#remote;
    if (!remote || !this.#socket || message.targetId !== remote.peerId) return;
    if (this.#o.guard && !this.#o.guard.outbound(remote, message)) {
      this.#o.onEvent?.({
        type: 'dropped',
        direction: 'out',
        deviceId: remote.deviceId,
        messageType: message.type,
        reason: 'share policy',
      });
      return;
    }
    this.#socket.send(encodeRepoMessage(message));
  }

  sendSide(deviceId: string, data: Uint8Array): boolean {
    const remote = this.#remote;
    if (!remote || !this.#socket || remote.deviceId !== deviceId || !this.peerId) return false;
    this.#socket.send(encodeSideMessage(this.peerId, remote.peerId, data));
    return true;
  }

  /** Re-checks the connected peer against the (possibly updated) roster; closes it if no longer trusted. */
  revalidate(): void {
    const r = this.#remote;
    if (r && !this.#o.auth.trust(r.deviceId, r.publicKey)) this.#socket?.close(CLOSE_REVOKED);
  }

  disconnect(): void {
    this.#stopped = true;
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = undefined;
    this.#socket?.close();
  }
}
