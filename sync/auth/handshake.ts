// Mutual authentication of two enrolled devices over any ordered message channel,
// before a single automerge-repo message moves. Four frames:
//
//   hs1  client → server  nonce_c, ephemeral X25519 e_c
//   hs2  server → client  nonce_s, e_s, AEAD_hs_s(server identity)
//   hs3  client → server  AEAD_hs_c(client identity, sig_c)
//   hs4  server → client  AEAD_hs_s(sig_s)
//
// Both signatures cover the transcript hash: protocol label, clinic id, the
// transport's channel binding (e.g. a TLS exporter; empty on plain LAN ws), both
// nonces, both ephemeral keys, and both identities (device id, public key, automerge
// peer id, peer metadata). The ephemeral X25519 exchange binds the signatures to this
// very connection: the session keys derive from it, so a relay that forwards the
// handshake cannot read or inject a frame. A recorded hs3 replayed into a new
// connection fails, because the new nonces and ephemeral keys change the transcript
// and the handshake key. Identities travel encrypted, so a passive listener on the
// LAN learns neither device. The client checks the server against the roster before
// revealing itself; the server answers an unknown or revoked client with nothing.
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { cbor } from '@automerge/automerge-repo';
import { x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { z } from 'zod';
import { framed, plain, randomBytes, utf8 } from '../identity/bytes';
import { verifySignature, type DeviceIdentity } from '../identity/device';
import { FrameCipher } from './frame-cipher';

export const AUTH_LABEL = 'sijill/sync-auth/v1';

export interface PeerMetadataLite {
  storageId?: string;
  isEphemeral?: boolean;
}

export interface AuthenticatedPeer {
  deviceId: string;
  publicKey: Uint8Array;
  /** The automerge-repo peer id the device announced, bound by its signature. */
  peerId: string;
  peerMetadata: PeerMetadataLite;
}

/** Is this device enrolled and not revoked, with this key? Asked at every handshake. */
export type PeerTrust = (deviceId: string, publicKey: Uint8Array) => boolean;

export interface HandshakeOptions {
  identity: DeviceIdentity;
  clinicId: string;
  peerId: string;
  peerMetadata?: PeerMetadataLite;
  trust: PeerTrust;
  /** Bytes both ends derive from the transport (e.g. TLS exporter); omit on plain ws. */
  channelBinding?: Uint8Array;
  /** Which peer id a device may announce; default: exactly peerIdForDevice(deviceId). */
  peerIdAllowed?: (deviceId: string, peerId: string) => boolean;
  /** Tests only: deterministic randomness. */
  random?: (n: number) => Uint8Array;
}

export interface Session {
  peer: AuthenticatedPeer;
  transcriptHash: Uint8Array;
  /** Seals frames we send. */
  outbound: FrameCipher;
  /** Opens frames we receive. */
  inbound: FrameCipher;
}

export type HandshakeFailure =
  'malformed' | 'unexpected' | 'decrypt' | 'untrusted' | 'signature' | 'peer-id' | 'timeout' | 'closed';

export class HandshakeError extends Error {
  override name = 'HandshakeError';
  constructor(
    readonly code: HandshakeFailure,
    message: string,
  ) {
    super(message);
  }
}

/** The host's automerge peer id convention ('device-<id>'), enforced by default. */
export const peerIdForDevice = (deviceId: string): string => `device-${deviceId}`;

export interface HandshakeStep {
  /** Frame to send to the other side, if any. */
  reply?: Uint8Array;
  /** Present once this side is done: the peer is authenticated. */
  session?: Session;
}

const bytes = (len: number) =>
  z.custom<Uint8Array>((v) => v instanceof Uint8Array && v.length === len).transform(plain);
const anyBytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array && v.length < 4096).transform(plain);
const Hs1 = z.strictObject({ t: z.literal('hs1'), v: z.literal(1), n: bytes(32), e: bytes(32) });
const Hs2 = z.strictObject({ t: z.literal('hs2'), n: bytes(32), e: bytes(32), box: anyBytes });
const Box = z.strictObject({ t: z.enum(['hs3', 'hs4']), box: anyBytes });
const Identity = z.strictObject({
  d: z.string().min(1).max(64),
  k: bytes(32),
  p: z.string().min(1).max(200),
  m: z.strictObject({ storageId: z.string().max(200).optional(), isEphemeral: z.boolean().optional() }),
});
const Hs3Body = z.strictObject({ id: anyBytes, sig: bytes(64) });
const Hs4Body = z.strictObject({ sig: bytes(64) });

function parse<T>(schema: z.ZodType<T>, data: Uint8Array): T {
  let raw: unknown;
  try {
    raw = cbor.decode(data);
  } catch {
    throw new HandshakeError('malformed', 'handshake frame is not readable');
  }
  const r = schema.safeParse(raw);
  if (!r.success) throw new HandshakeError('malformed', 'handshake frame is not well-formed');
  return r.data;
}

const enc = (v: unknown) => new Uint8Array(cbor.encode(v));

function aeadNonce(n: number): Uint8Array {
  const out = new Uint8Array(12);
  out[11] = n;
  return out;
}

interface Keys {
  hsClient: Uint8Array;
  hsServer: Uint8Array;
  prefix: Uint8Array;
  dh: Uint8Array;
}

function deriveKeys(
  o: HandshakeOptions,
  ephSecret: Uint8Array,
  peerEph: Uint8Array,
  nC: Uint8Array,
  eC: Uint8Array,
  nS: Uint8Array,
  eS: Uint8Array,
): Keys {
  let dh: Uint8Array;
  try {
    dh = x25519.getSharedSecret(ephSecret, peerEph);
  } catch {
    throw new HandshakeError('malformed', 'invalid ephemeral key');
  }
  if (dh.every((b) => b === 0)) throw new HandshakeError('malformed', 'invalid ephemeral key');
  const prefix = framed(AUTH_LABEL, o.clinicId, o.channelBinding ?? new Uint8Array(0), nC, eC, nS, eS);
  const salt = sha256(prefix);
  return {
    dh,
    prefix,
    hsClient: hkdf(sha256, dh, salt, utf8(`${AUTH_LABEL} hs c2s`), 32),
    hsServer: hkdf(sha256, dh, salt, utf8(`${AUTH_LABEL} hs s2c`), 32),
  };
}

function identityBytes(o: HandshakeOptions): Uint8Array {
  const m: PeerMetadataLite = {};
  if (o.peerMetadata?.storageId !== undefined) m.storageId = o.peerMetadata.storageId;
  if (o.peerMetadata?.isEphemeral !== undefined) m.isEphemeral = o.peerMetadata.isEphemeral;
  return enc({ d: o.identity.deviceId, k: o.identity.publicKey, p: o.peerId, m });
}

function checkPeer(o: HandshakeOptions, idBytes: Uint8Array): AuthenticatedPeer {
  const id = parse(Identity, idBytes);
  const allowed = o.peerIdAllowed ?? ((d, p) => p === peerIdForDevice(d));
  if (!allowed(id.d, id.p)) throw new HandshakeError('peer-id', 'peer announced a peer id its device may not use');
  if (!o.trust(id.d, id.k))
    throw new HandshakeError('untrusted', 'peer is not an enrolled, unrevoked device of this clinic');
  const peerMetadata: PeerMetadataLite = {};
  if (id.m.storageId !== undefined) peerMetadata.storageId = id.m.storageId;
  if (id.m.isEphemeral !== undefined) peerMetadata.isEphemeral = id.m.isEphemeral;
  return { deviceId: id.d, publicKey: id.k, peerId: id.p, peerMetadata };
}

const transcriptHash = (k: Keys, serverId: Uint8Array, clientId: Uint8Array) =>
  sha256(framed(k.prefix, serverId, clientId));
const signed = (role: 'client' | 'server', th: Uint8Array) => framed(AUTH_LABEL, `${role}-auth`, th);

function open(key: Uint8Array, n: number, aad: Uint8Array, box: Uint8Array): Uint8Array {
  try {
    return chacha20poly1305(key, aeadNonce(n), aad).decrypt(box);
  } catch {
    throw new HandshakeError('decrypt', 'handshake frame does not decrypt: not part of this connection');
  }
}
const seal = (key: Uint8Array, n: number, aad: Uint8Array, data: Uint8Array) =>
  chacha20poly1305(key, aeadNonce(n), aad).encrypt(data);

function session(k: Keys, th: Uint8Array, peer: AuthenticatedPeer, role: 'client' | 'server'): Session {
  const c2s = hkdf(sha256, k.dh, th, utf8(`${AUTH_LABEL} app c2s`), 32);
  const s2c = hkdf(sha256, k.dh, th, utf8(`${AUTH_LABEL} app s2c`), 32);
  return role === 'client'
    ? { peer, transcriptHash: th, outbound: new FrameCipher(c2s), inbound: new FrameCipher(s2c) }
    : { peer, transcriptHash: th, outbound: new FrameCipher(s2c), inbound: new FrameCipher(c2s) };
}

/** The connecting side. Send `first`, then feed every received frame to receive(). */
export function clientHandshake(o: HandshakeOptions): { first: Uint8Array; receive(frame: Uint8Array): HandshakeStep } {
  const rnd = o.random ?? randomBytes;
  const nC = rnd(32);
  const ephSecret = rnd(32);
  const eC = x25519.getPublicKey(ephSecret);
  let state: 'await-hs2' | 'await-hs4' | 'done' | 'failed' = 'await-hs2';
  let keys: Keys | undefined;
  let th: Uint8Array | undefined;
  let server: AuthenticatedPeer | undefined;

  const step = (frame: Uint8Array): HandshakeStep => {
    if (state === 'await-hs2') {
      const m = parse(Hs2, frame);
      keys = deriveKeys(o, ephSecret, m.e, nC, eC, m.n, m.e);
      const aad = sha256(keys.prefix);
      const serverId = open(keys.hsServer, 0, aad, m.box);
      server = checkPeer(o, serverId);
      const clientId = identityBytes(o);
      th = transcriptHash(keys, serverId, clientId);
      state = 'await-hs4';
      return {
        reply: enc({
          t: 'hs3',
          box: seal(keys.hsClient, 0, aad, enc({ id: clientId, sig: o.identity.sign(signed('client', th)) })),
        }),
      };
    }
    if (state === 'await-hs4') {
      const m = parse(Box, frame);
      if (m.t !== 'hs4') throw new HandshakeError('unexpected', 'unexpected handshake frame');
      const body = parse(Hs4Body, open(keys!.hsServer, 1, sha256(keys!.prefix), m.box));
      if (!verifySignature(server!.publicKey, signed('server', th!), body.sig)) {
        throw new HandshakeError('signature', 'server signature does not verify');
      }
      state = 'done';
      return { session: session(keys!, th!, server!, 'client') };
    }
    throw new HandshakeError('unexpected', 'handshake already finished');
  };

  return {
    first: enc({ t: 'hs1', v: 1, n: nC, e: eC }),
    receive(frame) {
      if (state === 'failed') throw new HandshakeError('unexpected', 'handshake already failed');
      try {
        return step(frame);
      } catch (e) {
        state = 'failed';
        throw e;
      }
    },
  };
}

/** The accepting side: feed every received frame to receive(); send each reply. */
export function serverHandshake(o: HandshakeOptions): { receive(frame: Uint8Array): HandshakeStep } {
  const rnd = o.random ?? randomBytes;
  let state: 'await-hs1' | 'await-hs3' | 'done' | 'failed' = 'await-hs1';
  let keys: Keys | undefined;
  let serverId: Uint8Array | undefined;

  const step = (frame: Uint8Array): HandshakeStep => {
    if (state === 'await-hs1') {
      const m = parse(Hs1, frame);
      const nS = rnd(32);
      const ephSecret = rnd(32);
      const eS = x25519.getPublicKey(ephSecret);
      keys = deriveKeys(o, ephSecret, m.e, m.n, m.e, nS, eS);
      serverId = identityBytes(o);
      state = 'await-hs3';
      return { reply: enc({ t: 'hs2', n: nS, e: eS, box: seal(keys.hsServer, 0, sha256(keys.prefix), serverId) }) };
    }
    if (state === 'await-hs3') {
      const m = parse(Box, frame);
      if (m.t !== 'hs3') throw new HandshakeError('unexpected', 'unexpected handshake frame');
      const aad = sha256(keys!.prefix);
      const body = parse(Hs3Body, open(keys!.hsClient, 0, aad, m.box));
      const client = checkPeer(o, body.id);
      const th = transcriptHash(keys!, serverId!, body.id);
      if (!verifySignature(client.publicKey, signed('client', th), body.sig)) {
        throw new HandshakeError('signature', 'client signature does not verify');
      }
      state = 'done';
      return {
        reply: enc({
          t: 'hs4',
          box: seal(keys!.hsServer, 1, aad, enc({ sig: o.identity.sign(signed('server', th)) })),
        }),
        session: session(keys!, th, client, 'server'),
      };
    }
    throw new HandshakeError('unexpected', 'handshake already finished');
  };

  return {
    receive(frame) {
      if (state === 'failed') throw new HandshakeError('unexpected', 'handshake already failed');
      try {
        return step(frame);
      } catch (e) {
        state = 'failed';
        throw e;
      }
    },
  };
}
