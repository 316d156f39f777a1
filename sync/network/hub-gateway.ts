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
// A host may also judge frames in both directions, synchronously or not (it may have
// to read the document first): each frame the sync server sends a device
// (`judgeOutbound`, after `guard.outbound`), and each frame a device sends the sync
// server (`judgeInbound`, after `guard.inbound`) — the sync server stores and relays
// whatever it is given, so what a device may write is decided here. Each direction of
// each device is one ordered queue (ordered-verdicts.ts): every frame is judged as it
// arrives, but frames go on in the order they came, a frame waiting behind earlier
// ones whose decision is pending; past a bound the side that sends too fast (the sync
// server's socket, or the device's) is no longer read until the queue drains. A
// refused sync or request is answered "unavailable" to the device for that document,
// in the device's order, so it stops waiting for an answer: in place of the server's
// frame going out, or for the device's own frame going in. `onUpstream` hears of each
// device frame as it goes to the sync server (a host keeping facts about documents
// forgets them there).
import { cbor, type Message, type PeerId } from '@automerge/automerge-repo';
import WebSocket, { type WebSocketServer } from 'ws';
import type { AuthenticatedPeer } from '../auth/handshake';
import { peerIdForDevice } from '../auth/handshake';
import { OrderedVerdicts } from './ordered-verdicts';
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
   * kept. A throw or a rejected promise counts as no.
   */
  judgeOutbound?: (peer: AuthenticatedPeer, message: Message) => boolean | Promise<boolean>;
  /**
   * After `guard.inbound`: may this frame from this device go to the sync server? The
   * same rules as `judgeOutbound`, for the device's frames in its own order.
   */
  judgeInbound?: (peer: AuthenticatedPeer, message: Message) => boolean | Promise<boolean>;
  /** A device's frame is going to the sync server now (allowed, in the device's order). */
  onUpstream?: (peer: AuthenticatedPeer, message: Message) => void;
  handshakeTimeoutMs?: number;
  onEvent?: (e: SyncNetworkEvent) => void;
}

interface Relay {
  peer: AuthenticatedPeer;
  secure: SecureSocket;
  upstream: WebSocket;
  upstreamPeerId?: string;
  /** Allowed device frames that came before the sync server answered the join. */
  pending: Message[];
  /** Frames from the device, in its order, each with its decision. */
  inbound: OrderedVerdicts<Message>;
  /** Frames for the device, in the sync server's order, each with its decision. */
  outbound: OrderedVerdicts<Message>;
}

/** Past this many frames waiting for a decision, the sending side is no longer read. */
const MAX_QUEUED = 256;

const UPSTREAM_PROTOCOL = '1';

const allowed = () => true;

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
            relay.inbound.close();
            relay.outbound.close();
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
      inbound: new OrderedVerdicts<Message>({
        deliver: (m, allow) => this.#deliverIn(relay, m, allow),
        pause: () => secure.pause(),
        resume: () => secure.resume(),
        max: MAX_QUEUED,
      }),
      outbound: new OrderedVerdicts<Message>({
        deliver: (m, allow) => this.#deliverOut(relay, m, allow),
        pause: () => upstream.pause(),
        resume: () => upstream.resume(),
        max: MAX_QUEUED,
      }),
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
    const judge = this.#o.judgeInbound;
    relay.inbound.push(m, judge ? () => judge(relay.peer, m) : allowed);
  }

  #deliverIn(relay: Relay, m: Message, allow: boolean): void {
    if (!allow) {
      this.#dropped(relay, 'in', m);
      // Answered in the device's outbound order, behind what the sync server already
      // said about the document: to the device the hub simply does not have it.
      const answer = this.#unavailable(relay, m);
      if (answer) relay.outbound.push(answer, allowed);
      return;
    }
    if (!relay.upstreamPeerId) return void relay.pending.push(m);
    this.#toUpstream(relay, m, relay.upstreamPeerId);
  }

  #toUpstream(relay: Relay, m: Message, upstreamPeerId: string): void {
    this.#o.onUpstream?.(relay.peer, m);
    relay.upstream.send(encodeRepoMessage({ ...m, targetId: upstreamPeerId as PeerId }));
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
      for (const p of relay.pending.splice(0)) this.#toUpstream(relay, p, m.senderId);
      return;
    }
    if (m.type === 'error' || !relay.upstreamPeerId) return relay.upstream.close();
    if (m.senderId !== relay.upstreamPeerId || m.targetId !== relay.peer.peerId || typeof m.type !== 'string') return;
    const out = { ...m, senderId: this.#hubPeerId } as unknown as Message;
    if (this.#o.guard && !this.#o.guard.outbound(relay.peer, out)) return this.#dropped(relay, 'out', out);
    const judge = this.#o.judgeOutbound;
    relay.outbound.push(out, judge ? () => judge(relay.peer, out) : allowed);
  }

  #deliverOut(relay: Relay, out: Message, allow: boolean): void {
    if (allow) return relay.secure.send(encodeRepoMessage(out));
    this.#dropped(relay, 'out', out);
    // A refused document looks to the device like one the hub does not have: a device
    // that asked for it stops waiting (automerge-repo answers a peer it denies access
    // the same way).
    const answer = this.#unavailable(relay, out);
    if (answer) relay.secure.send(encodeRepoMessage(answer));
  }

  /** "Unavailable" for the document of a refused sync or request, or nothing for other frames. */
  #unavailable(relay: Relay, m: Message): Message | undefined {
    if ((m.type !== 'sync' && m.type !== 'request') || typeof m.documentId !== 'string') return undefined;
    return {
      type: 'doc-unavailable',
      documentId: m.documentId,
      senderId: this.#hubPeerId as PeerId,
      targetId: relay.peer.peerId as PeerId,
    };
  }

  #dropped(relay: Relay, direction: 'in' | 'out', m: Message): void {
    this.#o.onEvent?.({
      type: 'dropped',
      direction,
      deviceId: relay.peer.deviceId,
      messageType: m.type,
      reason: 'share policy',
    });
  }
}
