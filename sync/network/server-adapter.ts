// automerge-repo NetworkAdapter for the accepting side (clinic desktop on the LAN,
// regional hub). Many clients; each is invisible to the Repo until it authenticated.
// One connection per peer id: a newer authenticated connection replaces the older,
// which is safe because a peer id is bound to its device by the handshake.
import {
  NetworkAdapter,
  type Message,
  type PeerId,
  type PeerMetadata,
  type StorageId,
} from '@automerge/automerge-repo';
import type { WebSocket, WebSocketServer } from 'ws';
import type { AuthenticatedPeer } from '../auth/handshake';
import { decodeRepoMessage, encodeRepoMessage } from './repo-message';
import { CLOSE_REVOKED, secureSocket, type SecureSocket } from './secure-socket';
import { encodeSideMessage, SIDE_MESSAGE_TYPE, type SideChannel, type SideMessageHandler } from './side-channel';
import type { AuthOptions, MessageGuard, PeerDirectory, SyncNetworkEvent } from './types';

export interface AuthenticatedServerOptions {
  auth: AuthOptions;
  handshakeTimeoutMs?: number;
  /** Ping interval; a client silent for two intervals is dropped. Default 15000; 0 disables. */
  keepAliveMs?: number;
  guard?: MessageGuard;
  onEvent?: (e: SyncNetworkEvent) => void;
  /** Side-lane frames (side-channel.ts); without it they are dropped. */
  onSideMessage?: SideMessageHandler;
}

interface Conn {
  socket: SecureSocket;
  ws: WebSocket;
  peer: AuthenticatedPeer;
  alive: boolean;
}

export class AuthenticatedWebSocketServerAdapter extends NetworkAdapter implements PeerDirectory, SideChannel {
  readonly #server: WebSocketServer;
  readonly #o: AuthenticatedServerOptions;
  readonly #conns = new Map<string, Conn>();
  readonly #pending = new Set<SecureSocket>();
  #keepAlive: ReturnType<typeof setInterval> | undefined;
  #ready = false;

  constructor(server: WebSocketServer, options: AuthenticatedServerOptions) {
    super();
    this.#server = server;
    this.#o = options;
  }

  isReady(): boolean {
    return this.#ready;
  }

  whenReady(): Promise<void> {
    return Promise.resolve();
  }

  deviceIdOf(peerId: string): string | undefined {
    return this.#conns.get(peerId)?.peer.deviceId;
  }

  /** Authenticated peers currently connected. */
  get peers(): AuthenticatedPeer[] {
    return [...this.#conns.values()].map((c) => c.peer);
  }

  connect(peerId: PeerId, peerMetadata?: PeerMetadata): void {
    this.peerId = peerId;
    this.peerMetadata = peerMetadata ?? {};
    this.#server.on('connection', this.#onConnection);
    const every = this.#o.keepAliveMs ?? 15_000;
    if (every > 0) {
      this.#keepAlive = setInterval(() => this.#ping(), every);
      this.#keepAlive.unref?.();
    }
    // A listening server has nothing to wait for.
    this.#ready = true;
  }

  #ping(): void {
    for (const c of this.#conns.values()) {
      if (!c.alive) c.ws.terminate();
      else {
        c.alive = false;
        c.ws.ping();
      }
    }
  }

  readonly #onConnection = (ws: WebSocket): void => {
    const meta = this.peerMetadata ?? {};
    const peerMetadata = {
      ...(meta.storageId !== undefined ? { storageId: meta.storageId as string } : {}),
      ...(meta.isEphemeral !== undefined ? { isEphemeral: meta.isEphemeral } : {}),
    };
    let conn: Conn | undefined;
    const socket: SecureSocket = secureSocket(
      ws,
      'server',
      { ...this.#o.auth, peerId: this.peerId!, peerMetadata },
      {
        authenticated: (peer) => {
          this.#pending.delete(socket);
          const previous = this.#conns.get(peer.peerId);
          if (previous) {
            this.#conns.delete(peer.peerId);
            previous.socket.close();
            this.emit('peer-disconnected', { peerId: peer.peerId as PeerId });
          }
          conn = { socket, ws, peer, alive: true };
          ws.on('pong', () => {
            if (conn) conn.alive = true;
          });
          this.#conns.set(peer.peerId, conn);
          this.#o.onEvent?.({ type: 'authenticated', deviceId: peer.deviceId, peerId: peer.peerId });
          this.emit('peer-candidate', {
            peerId: peer.peerId as PeerId,
            peerMetadata: { ...peer.peerMetadata, storageId: peer.peerMetadata.storageId as StorageId | undefined },
          });
        },
        message: (data) => {
          if (conn) this.#receive(conn, data);
        },
        closed: ({ authFailure }) => {
          this.#pending.delete(socket);
          if (authFailure)
            this.#o.onEvent?.({ type: 'auth-failed', code: authFailure.code, message: authFailure.message });
          if (conn && this.#conns.get(conn.peer.peerId) === conn) {
            this.#conns.delete(conn.peer.peerId);
            this.#o.onEvent?.({ type: 'disconnected', deviceId: conn.peer.deviceId });
            this.emit('peer-disconnected', { peerId: conn.peer.peerId as PeerId });
          }
        },
      },
      this.#o.handshakeTimeoutMs,
    );
    this.#pending.add(socket);
  };

  #receive(conn: Conn, data: Uint8Array): void {
    if (this.#conns.get(conn.peer.peerId) !== conn) return;
    conn.alive = true;
    const m = decodeRepoMessage(data, conn.peer.peerId, this.peerId);
    if (!m) {
      this.#o.onEvent?.({
        type: 'dropped',
        direction: 'in',
        deviceId: conn.peer.deviceId,
        messageType: 'unknown',
        reason: 'malformed or misaddressed',
      });
      return;
    }
    if (m.type === SIDE_MESSAGE_TYPE) {
      const data = (m as { data?: unknown }).data;
      if (data instanceof Uint8Array) this.#o.onSideMessage?.(conn.peer, data);
      return;
    }
    if (this.#o.guard && !this.#o.guard.inbound(conn.peer, m)) {
      this.#o.onEvent?.({
        type: 'dropped',
        direction: 'in',
        deviceId: conn.peer.deviceId,
        messageType: m.type,
        reason: 'share policy',
      });
      return;
    }
    this.emit('message', m);
  }

  send(message: Message): void {
    const conn = this.#conns.get(message.targetId);
    if (!conn) return;
    if (this.#o.guard && !this.#o.guard.outbound(conn.peer, message)) {
      this.#o.onEvent?.({
        type: 'dropped',
        direction: 'out',
        deviceId: conn.peer.deviceId,
        messageType: message.type,
        reason: 'share policy',
      });
      return;
    }
    conn.socket.send(encodeRepoMessage(message));
  }

  sendSide(deviceId: string, data: Uint8Array): boolean {
    for (const c of this.#conns.values()) {
      if (c.peer.deviceId !== deviceId || !this.peerId) continue;
      c.socket.send(encodeSideMessage(this.peerId, c.peer.peerId, data));
      return true;
    }
    return false;
  }

  /** Closes every connection whose device is no longer trusted (call after a roster change). */
  revalidate(): void {
    for (const c of [...this.#conns.values()]) {
      if (!this.#o.auth.trust(c.peer.deviceId, c.peer.publicKey)) c.socket.close(CLOSE_REVOKED);
    }
  }

  disconnect(): void {
    this.#server.off('connection', this.#onConnection);
    if (this.#keepAlive) clearInterval(this.#keepAlive);
    for (const s of this.#pending) s.close();
    for (const c of [...this.#conns.values()]) c.socket.close();
    this.#ready = false;
  }
}
