// The regional hub: the official automerge-repo sync server, unchanged, behind this
// gateway. Devices connect to the gateway with the same authenticated, encrypted
// channel as on the LAN; only after the handshake does the gateway open a plain
// WebSocket to the sync server (which must listen where nothing else can reach it:
// loopback, a firewalled port, or a private container network) and relay frames.
//
// To the device the hub is one peer (the hub device's peer id); to the sync server
// each device is a client that joined under its authenticated peer id. The gateway
// speaks the stock WebSocket adapter's join/peer exchange upstream, rewrites the hub
// peer id in both directions, and applies the message guard (share policy) to every
// frame. An unauthenticated socket never causes an upstream connection.
//
// A host may also judge each frame the sync server sends a device (`judgeOutbound`),
// synchronously or not (it may have to read the document first). Every frame of a
// device is judged as it arrives, but they are delivered in the order the sync server
// sent them: a frame waits behind the frames before it whose decision is pending. A
// sync message it refuses is answered "unavailable" to the device in its place.
import { cbor, type Message, type PeerId } from '@automerge/automerge-repo';
import WebSocket, { type WebSocketServer } from 'ws';
import type { AuthenticatedPeer } from '../auth/handshake';
import { peerIdForDevice } from '../auth/handshake';
import { decodeRepoMessage, encodeRepoMessage } from './repo-message';
import { CLOSE_REVOKED, secureSocket, type SecureSocket } from './secure-socket';
import { SIDE_MESSAGE_TYPE } from './side-channel';
import type { AuthOptions, MessageGuard, SyncNetworkEvent } from './types';

export interface HubGatewayOptions {
  auth: AuthOptions;
  /** The sync server, e.g. ws://127.0.0.1:3030 — never exposed to the network itself. */
  upstreamUrl: string;
  guard?: MessageGuard;
  /**
   * After `guard.outbound`: may this frame from the sync server go to this device?
   * May answer later (a promise); the device's later frames wait for it, so order is
   * kept. A rejected promise counts as no.
   */
  judgeOutbound?: (peer: AuthenticatedPeer, message: Message) => boolean | Promise<boolean>;
  handshakeTimeoutMs?: number;
  onEvent?: (e: SyncNetworkEvent) => void;
}

interface Relay {
  peer: AuthenticatedPeer;
  secure: SecureSocket;
  upstream: WebSocket;
  upstreamPeerId?: string;
  pending: Message[];
  /** Frames for the device, in the sync server's order, each with its decision. */
  outbound: { message: Message; verdict: boolean | Promise<boolean> }[];
  draining: boolean;
  paused: boolean;
  closed: boolean;
}

/** Past this many frames waiting for a decision, the upstream socket is paused. */
const MAX_QUEUED = 256;

const UPSTREAM_PROTOCOL = '1';

export class AuthenticatedHubGateway {
  readonly #server: WebSocketServer;
  readonly #o: HubGatewayOptions;
  readonly #hubPeerId: string;
  readonly #relays = new Set<Relay>();
  readonly #sockets = new Set<SecureSocket>();
  #upstreamOpened = 0;

  constructor(server: WebSocketServer, options: HubGatewayOptions) {
    this.#server = server;
    this.#o = options;
    this.#hubPeerId = peerIdForDevice(options.auth.identity.deviceId);
  }

  /** How many upstream connections were ever opened (one per authenticated device connection). */
  get upstreamConnections(): number {
    return this.#upstreamOpened;
  }

  start(): void {
    this.#server.on('connection', this.#onConnection);
  }

  stop(): void {
    this.#server.off('connection', this.#onConnection);
    for (const s of this.#sockets) s.close();
  }

  /** Drops devices no longer trusted (call after a roster change). */
  revalidate(): void {
    for (const r of this.#relays)
      if (!this.#o.auth.trust(r.peer.deviceId, r.peer.publicKey)) r.secure.close(CLOSE_REVOKED);
  }

  readonly #onConnection = (ws: WebSocket): void => {
    let relay: Relay | undefined;
    const secure = secureSocket(
      ws,
      'server',
      { ...this.#o.auth, peerId: this.#hubPeerId, peerMetadata: { isEphemeral: false } },
      {
        authenticated: (peer) => {
          this.#o.onEvent?.({ type: 'authenticated', deviceId: peer.deviceId, peerId: peer.peerId });
          relay = this.#openUpstream(peer, secure);
        },
        message: (data) => {
          if (relay) this.#fromDevice(relay, data);
        },
        closed: ({ authFailure }) => {
          this.#sockets.delete(secure);
          if (authFailure)
            this.#o.onEvent?.({ type: 'auth-failed', code: authFailure.code, message: authFailure.message });
          if (relay) {
            relay.closed = true;
            relay.outbound.length = 0;
            this.#relays.delete(relay);
            relay.upstream.close();
            this.#o.onEvent?.({ type: 'disconnected', deviceId: relay.peer.deviceId });
          }
        },
      },
      this.#o.handshakeTimeoutMs,
    );
    this.#sockets.add(secure);
  };

  #openUpstream(peer: AuthenticatedPeer, secure: SecureSocket): Relay {
    const upstream = new WebSocket(this.#o.upstreamUrl);
    this.#upstreamOpened++;
    const relay: Relay = {
      peer,
      secure,
      upstream,
      pending: [],
      outbound: [],
      draining: false,
      paused: false,
      closed: false,
    };
    this.#relays.add(relay);
    upstream.on('open', () => {
      upstream.send(
        cbor.encode({
          type: 'join',
          senderId: peer.peerId,
          peerMetadata: peer.peerMetadata,
          supportedProtocolVersions: [UPSTREAM_PROTOCOL],
        }),
      );
    });
    upstream.on('message', (data: WebSocket.RawData) => this.#fromUpstream(relay, new Uint8Array(data as Buffer)));
    upstream.on('close', () => secure.close());
    upstream.on('error', () => {
      // 'close' follows; the device is disconnected and retries later.
    });
    return relay;
  }

  #fromDevice(relay: Relay, data: Uint8Array): void {
    const m = decodeRepoMessage(data, relay.peer.peerId, this.#hubPeerId);
    // The device-to-device lane is not the sync server's protocol: never relayed.
    if (m?.type === SIDE_MESSAGE_TYPE) return;
    if (!m || (this.#o.guard && !this.#o.guard.inbound(relay.peer, m))) {
      this.#o.onEvent?.({
        type: 'dropped',
        direction: 'in',
        deviceId: relay.peer.deviceId,
        messageType: m?.type ?? 'unknown',
        reason: m ? 'share policy' : 'malformed or misaddressed',
      });
      return;
    }
    if (!relay.upstreamPeerId) relay.pending.push(m);
    else relay.upstream.send(encodeRepoMessage({ ...m, targetId: relay.upstreamPeerId as PeerId }));
  }

  #fromUpstream(relay: Relay, data: Uint8Array): void {
    let m: Record<string, unknown>;
    try {
      m = cbor.decode(data) as Record<string, unknown>;
    } catch {
      return relay.upstream.close();
    }
    if (m.type === 'peer' && typeof m.senderId === 'string' && !relay.upstreamPeerId) {
      relay.upstreamPeerId = m.senderId;
      for (const p of relay.pending.splice(0))
        relay.upstream.send(encodeRepoMessage({ ...p, targetId: m.senderId as PeerId }));
      return;
    }
    if (m.type === 'error' || !relay.upstreamPeerId) return relay.upstream.close();
    if (m.senderId !== relay.upstreamPeerId || m.targetId !== relay.peer.peerId || typeof m.type !== 'string') return;
    const out = { ...m, senderId: this.#hubPeerId } as unknown as Message;
    if (this.#o.guard && !this.#o.guard.outbound(relay.peer, out)) return this.#droppedOut(relay, out);
    const judge = this.#o.judgeOutbound;
    if (!judge) return relay.secure.send(encodeRepoMessage(out));
    let verdict: boolean | Promise<boolean>;
    try {
      verdict = judge(relay.peer, out);
    } catch {
      verdict = false;
    }
    // Nothing waiting and an answer at once: no queue.
    if (relay.outbound.length === 0 && typeof verdict === 'boolean') return this.#deliver(relay, out, verdict);
    if (typeof verdict !== 'boolean') verdict = verdict.catch(() => false);
    relay.outbound.push({ message: out, verdict });
    if (relay.outbound.length >= MAX_QUEUED && !relay.paused) {
      relay.paused = true;
      relay.upstream.pause();
    }
    if (!relay.draining) void this.#drain(relay);
  }

  /** Delivers queued frames in order, each once its decision is known. */
  async #drain(relay: Relay): Promise<void> {
    relay.draining = true;
    try {
      while (relay.outbound.length > 0 && !relay.closed) {
        const head = relay.outbound[0]!;
        const allow = typeof head.verdict === 'boolean' ? head.verdict : await head.verdict;
        if (relay.closed) return;
        relay.outbound.shift();
        this.#deliver(relay, head.message, allow);
        if (relay.paused && relay.outbound.length < MAX_QUEUED / 2) {
          relay.paused = false;
          relay.upstream.resume();
        }
      }
    } finally {
      relay.draining = false;
    }
  }

  #deliver(relay: Relay, out: Message, allow: boolean): void {
    if (allow) return relay.secure.send(encodeRepoMessage(out));
    this.#droppedOut(relay, out);
    // A refused document looks to the device like one the hub does not have: a device
    // that asked for it stops waiting (automerge-repo answers a peer it denies access
    // the same way).
    if ((out.type === 'sync' || out.type === 'request') && typeof out.documentId === 'string')
      relay.secure.send(
        encodeRepoMessage({
          type: 'doc-unavailable',
          documentId: out.documentId,
          senderId: this.#hubPeerId as PeerId,
          targetId: relay.peer.peerId as PeerId,
        }),
      );
  }

  #droppedOut(relay: Relay, out: Message): void {
    this.#o.onEvent?.({
      type: 'dropped',
      direction: 'out',
      deviceId: relay.peer.deviceId,
      messageType: out.type,
      reason: 'share policy',
    });
  }
}
