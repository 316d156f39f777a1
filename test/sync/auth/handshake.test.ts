// The mutual handshake, driven frame by frame in memory: success, and every way a
// peer that is not an enrolled, unrevoked device of this clinic is refused.
import { cbor } from '@automerge/automerge-repo';
import { describe, expect, it } from 'vitest';
import {
  clientHandshake,
  FrameCipher,
  HandshakeError,
  peerIdForDevice,
  serverHandshake,
  type DeviceIdentity,
  type HandshakeOptions,
  type Session,
} from '../../../sync';
import { makeClinic, strangerDevice, type TestClinic } from '../identity/clinic-fixture';

const opts = (
  clinic: TestClinic,
  identity: DeviceIdentity,
  extra: Partial<HandshakeOptions> = {},
): HandshakeOptions => ({
  identity,
  clinicId: clinic.clinicId,
  peerId: peerIdForDevice(identity.deviceId),
  trust: clinic.trust,
  ...extra,
});

interface Run {
  client?: Session;
  server?: Session;
  clientError?: HandshakeError;
  serverError?: HandshakeError;
  frames: { from: 'client' | 'server'; data: Uint8Array }[];
}

/** Runs a handshake; `tamper` may rewrite any frame in flight (a man in the middle). */
function run(c: HandshakeOptions, s: HandshakeOptions, tamper?: (i: number, f: Uint8Array) => Uint8Array): Run {
  const out: Run = { frames: [] };
  const client = clientHandshake(c);
  const server = serverHandshake(s);
  let frame: Uint8Array | undefined = client.first;
  let to: 'server' | 'client' = 'server';
  for (let i = 0; frame && i < 8; i++) {
    const data: Uint8Array = tamper ? tamper(i, frame) : frame;
    out.frames.push({ from: to === 'server' ? 'client' : 'server', data });
    frame = undefined;
    try {
      const step = to === 'server' ? server.receive(data) : client.receive(data);
      if (step.session) out[to] = step.session;
      frame = step.reply;
    } catch (e) {
      if (to === 'server') out.serverError = e as HandshakeError;
      else out.clientError = e as HandshakeError;
    }
    to = to === 'server' ? 'client' : 'server';
  }
  return out;
}

const flip = (f: Uint8Array, at: number) => {
  const g = new Uint8Array(f);
  g[at]! ^= 0x01;
  return g;
};

describe('successful handshake', () => {
  it('both sides learn the other device, bound to its peer id, and share frame keys', () => {
    const k = makeClinic(['desk', 'lap']);
    const r = run(
      opts(k, k.devices.lap!, { peerMetadata: { storageId: 'st-1', isEphemeral: false } }),
      opts(k, k.devices.desk!),
    );
    expect(r.clientError ?? r.serverError).toBeUndefined();
    expect(r.frames).toHaveLength(4);
    expect(r.client!.peer).toMatchObject({
      deviceId: k.devices.desk!.deviceId,
      peerId: peerIdForDevice(k.devices.desk!.deviceId),
    });
    expect(r.server!.peer).toMatchObject({
      deviceId: k.devices.lap!.deviceId,
      peerMetadata: { storageId: 'st-1', isEphemeral: false },
    });
    expect(Array.from(r.client!.transcriptHash)).toEqual(Array.from(r.server!.transcriptHash));
    const msg = new TextEncoder().encode('sync message');
    expect(r.server!.inbound.open(r.client!.outbound.seal(msg))).toEqual(msg);
    expect(r.client!.inbound.open(r.server!.outbound.seal(msg))).toEqual(msg);
  });

  it('identities travel encrypted: no frame contains a device id or public key in clear', () => {
    const k = makeClinic(['desk', 'lap']);
    const r = run(opts(k, k.devices.lap!), opts(k, k.devices.desk!));
    const hay = Buffer.concat(r.frames.map((f) => Buffer.from(f.data)));
    for (const d of [k.devices.desk!, k.devices.lap!]) {
      expect(hay.includes(Buffer.from(d.deviceId))).toBe(false);
      expect(hay.includes(Buffer.from(d.publicKey))).toBe(false);
    }
  });

  it('a matching transport channel binding is accepted', () => {
    const k = makeClinic(['desk', 'lap']);
    const binding = new Uint8Array(32).fill(7);
    const r = run(
      opts(k, k.devices.lap!, { channelBinding: binding }),
      opts(k, k.devices.desk!, { channelBinding: binding }),
    );
    expect(r.client && r.server).toBeTruthy();
  });
});

describe('refusals', () => {
  it('an unenrolled client: the server refuses it and sends nothing after its hello', () => {
    const k = makeClinic(['desk']);
    const stranger = strangerDevice();
    const r = run(opts(k, stranger, { trust: () => true }), opts(k, k.devices.desk!));
    expect(r.serverError?.code).toBe('untrusted');
    expect(r.server).toBeUndefined();
    expect(r.client).toBeUndefined();
    expect(r.frames.map((f) => f.from)).toEqual(['client', 'server', 'client']); // no hs4
  });

  it('a revoked client is refused, even with its genuine key', () => {
    const k = makeClinic(['desk', 'lap']);
    k.revoke('lap');
    const r = run(opts(k, k.devices.lap!, { trust: () => true }), opts(k, k.devices.desk!));
    expect(r.serverError?.code).toBe('untrusted');
  });

  it('a server that is not enrolled: the client stops before revealing itself', () => {
    const k = makeClinic(['desk', 'lap']);
    const rogue = strangerDevice('rogue');
    const r = run(opts(k, k.devices.lap!), opts(k, rogue, { trust: () => true }));
    expect(r.clientError?.code).toBe('untrusted');
    expect(r.frames.map((f) => f.from)).toEqual(['client', 'server']); // no hs3
  });

  it('a forged signature: claiming an enrolled device without its private key', () => {
    const k = makeClinic(['desk', 'lap']);
    const thief = strangerDevice('thief');
    const impersonation: DeviceIdentity = { ...k.devices.lap!, sign: thief.sign };
    const r = run(opts(k, impersonation), opts(k, k.devices.desk!));
    expect(r.serverError?.code).toBe('signature');
    expect(r.server).toBeUndefined();
    // And a server impersonating the desktop is caught by the client at hs4.
    const fakeDesk: DeviceIdentity = { ...k.devices.desk!, sign: thief.sign };
    const r2 = run(opts(k, k.devices.lap!), opts(k, fakeDesk));
    expect(r2.clientError?.code).toBe('signature');
    expect(r2.client).toBeUndefined();
  });

  it('a replayed handshake: recorded frames of a genuine session are refused in a new one', () => {
    const k = makeClinic(['desk', 'lap']);
    const genuine = run(opts(k, k.devices.lap!), opts(k, k.devices.desk!));
    expect(genuine.server).toBeDefined();
    const [hs1, , hs3] = genuine.frames.map((f) => f.data);
    // Attacker replays the client's hs1 and hs3 to the server.
    const server = serverHandshake(opts(k, k.devices.desk!));
    expect(server.receive(hs1!).reply).toBeDefined();
    expect(() => server.receive(hs3!)).toThrow(expect.objectContaining({ code: 'decrypt' }));
    // And the server's recorded hs2/hs4 mean nothing to a fresh client.
    const client = clientHandshake(opts(k, k.devices.lap!));
    expect(() => client.receive(genuine.frames[1]!.data)).toThrow(expect.objectContaining({ code: 'decrypt' }));
  });

  it('a relay that swaps the ephemeral key (man in the middle) breaks the handshake', () => {
    const k = makeClinic(['desk', 'lap']);
    const r = run(opts(k, k.devices.lap!), opts(k, k.devices.desk!), (i, f) => {
      if (i !== 0) return f;
      const m = cbor.decode(f) as { e: Uint8Array };
      return new Uint8Array(cbor.encode({ ...m, e: strangerDevice().publicKey.map((b, j) => (j === 0 ? 9 : b)) }));
    });
    expect(r.client).toBeUndefined();
    expect(r.server).toBeUndefined();
  });

  it('any altered byte in any handshake frame is refused', () => {
    const k = makeClinic(['desk', 'lap']);
    const genuine = run(opts(k, k.devices.lap!), opts(k, k.devices.desk!));
    genuine.frames.forEach((f, i) => {
      for (let at = 0; at < f.data.length; at += 7) {
        const r = run(opts(k, k.devices.lap!), opts(k, k.devices.desk!), (j, g) =>
          j === i ? flip(g, Math.min(at, g.length - 1)) : g,
        );
        expect(r.client !== undefined && r.server !== undefined, `frame ${i} byte ${at}`).toBe(false);
      }
    });
  });

  it('another clinic, a different channel binding, or a peer id the device may not use', () => {
    const k = makeClinic(['desk', 'lap']);
    const other = run(opts(k, k.devices.lap!, { clinicId: 'clinic-b' }), opts(k, k.devices.desk!));
    expect(other.clientError?.code).toBe('decrypt');
    const bound = run(
      opts(k, k.devices.lap!, { channelBinding: new Uint8Array([1]) }),
      opts(k, k.devices.desk!, { channelBinding: new Uint8Array([2]) }),
    );
    expect(bound.clientError?.code).toBe('decrypt');
    const spoof = run(
      opts(k, k.devices.lap!, { peerId: peerIdForDevice(k.devices.desk!.deviceId) }),
      opts(k, k.devices.desk!),
    );
    expect(spoof.serverError?.code).toBe('peer-id');
  });

  it('frames out of order or garbage are refused', () => {
    const k = makeClinic(['desk', 'lap']);
    const server = serverHandshake(opts(k, k.devices.desk!));
    expect(() => server.receive(new Uint8Array([0xff, 0x00]))).toThrow(HandshakeError);
    expect(() => server.receive(clientHandshake(opts(k, k.devices.lap!)).first)).toThrow(/already failed/);
    const client = clientHandshake(opts(k, k.devices.lap!));
    expect(() => client.receive(client.first)).toThrow(expect.objectContaining({ code: 'malformed' }));
  });
});

describe('session frames', () => {
  it('a replayed, reordered or altered frame does not open', () => {
    const key = new Uint8Array(32).fill(3);
    const tx = new FrameCipher(key);
    const a = tx.seal(new Uint8Array([1]));
    const b = tx.seal(new Uint8Array([2]));
    const rx = new FrameCipher(key);
    expect(() => rx.open(b)).toThrow(); // reordered
    expect(Array.from(rx.open(a))).toEqual([1]);
    expect(() => rx.open(a)).toThrow(); // replayed
    expect(() => rx.open(flip(b, 0))).toThrow(); // altered
    expect(Array.from(rx.open(b))).toEqual([2]);
  });
});
