// Session edge cases on an in-process link (fast, no pty): giving up, repeats after a lost ACK, malformed
// HL7, a line dropping mid-message, the streaming backlog.
import { afterEach, describe, expect, it } from 'vitest';
import {
  ACK,
  ASTM_HAEMATOLOGY_ANALYSER,
  astmCbcRecords,
  AstmSenderSimulator,
  CONTEC_CMS50D_PLUS,
  DeviceSession,
  encodeAstmRecords,
  encodeCms50dPacket,
  ENQ,
  EOT,
  HL7_MONITOR,
  MemoryLink,
  mllpWrap,
  NAK,
  type DeviceProfile,
  type SessionError,
} from '../../../device-bridge/index';
import { asciiBytesForTest } from './text';
import { onCleanup, recordingSink, runCleanups, waitFor, type RecordingSink } from './harness';

afterEach(runCleanups);

async function linked(profile: DeviceProfile, sink: RecordingSink, extra: { streamBacklogLimit?: number } = {}) {
  const link = new MemoryLink(profile.id);
  await link.a.open();
  await link.b.open();
  const session = new DeviceSession({ connectionId: 'c', profile, sink: sink.sink, streamRetryMs: 20, ...extra });
  const errors: SessionError[] = [];
  session.on('error', (e) => errors.push(e));
  session.attach(link.a);
  onCleanup(() => session.close());
  const fromBridge: number[] = [];
  link.b.on('data', (b) => fromBridge.push(...b));
  return { link, session, errors, device: link.b, fromBridge };
}

const astmSession = (n: number): Uint8Array => {
  const { frames } = encodeAstmRecords(astmCbcRecords(n, new Date('2026-05-05T10:00:00Z')).map(asciiBytesForTest));
  return Uint8Array.from([ENQ, ...frames.flatMap((f) => [...f]), EOT]);
};

describe('ASTM session edges', () => {
  it('an analyser that gives up after six NAKs drops the held message, then resends it and it is stored once', async () => {
    const sink = recordingSink({ fail: (n) => n < 6 });
    const { device, session, errors } = await linked(ASTM_HAEMATOLOGY_ANALYSER, sink);
    const sim = new AstmSenderSimulator(device, { messages: 1, retryMs: 20 });
    sim.start();
    onCleanup(() => sim.stop());
    await sim.whenDone();
    await session.drain();
    expect(sim.stats()).toMatchObject({ delivered: [1], failures: 1, naksReceived: 6 });
    expect(sink.calls.map((c) => c.ok)).toEqual([false, false, false, false, false, false, true]);
    expect(errors.filter((e) => e.kind === 'decode').map((e) => e.message)).toEqual([
      expect.stringMatching(/ended the session before 1 message\(s\) could be stored.*send them again/),
    ]);
  });

  it('a whole message repeated after a lost ACK is acknowledged and not stored twice', async () => {
    const sink = recordingSink();
    const { device, session, fromBridge } = await linked(ASTM_HAEMATOLOGY_ANALYSER, sink);
    const duplicates: string[] = [];
    session.on('duplicate', (k) => duplicates.push(k));
    await device.write(astmSession(3));
    await device.write(astmSession(3));
    await device.write(astmSession(4));
    await waitFor(() => fromBridge.length === 3 * 11, 'all ACKs');
    await session.drain();
    expect(fromBridge.every((b) => b === ACK)).toBe(true);
    expect(sink.calls).toHaveLength(2);
    expect(duplicates).toEqual([sink.calls[0]?.context.idempotencyKey]);
  });

  it('a line that drops mid-message loses nothing acknowledged: the next connection gets the whole message', async () => {
    const sink = recordingSink();
    const { device, session, errors, link, fromBridge } = await linked(ASTM_HAEMATOLOGY_ANALYSER, sink);
    const whole = astmSession(7);
    await device.write(whole.subarray(0, 200)); // ENQ and the first frames, then the cable is pulled
    await waitFor(() => fromBridge.length > 1, 'some ACKs');
    link.unplug();
    await session.detach();
    expect(sink.calls).toHaveLength(0);
    expect(errors.map((e) => e.message)).toContain(
      'connection ended inside a message: its records were dropped (the analyser sends it again)',
    );
    link.replug();
    await link.a.open();
    await link.b.open();
    session.attach(link.a);
    await device.write(whole);
    await waitFor(() => sink.calls.length === 1, 'the message');
    expect(sink.stored().filter((i) => i.kind === 'numeric')).toHaveLength(6);
    expect(fromBridge.at(-1)).toBe(ACK);
    expect(fromBridge).not.toContain(NAK);
  });
});

describe('HL7 session edges', () => {
  it('a block without MSH is rejected with AR at once, so the sender does not wait for a timeout', async () => {
    const sink = recordingSink();
    const { device, fromBridge, errors } = await linked(HL7_MONITOR, sink);
    await device.write(mllpWrap('PID|1||X\r'));
    await waitFor(() => fromBridge.includes(0x1c), 'an ACK');
    const ack = Buffer.from(fromBridge).toString('latin1');
    expect(ack.endsWith('\rMSA|AR||no valid MSH segment; message not accepted\r\u001c\r')).toBe(true);
    expect(sink.calls).toHaveLength(0);
    expect(errors[0]?.message).toMatch(/does not start with MSH/);
  });
});

describe('streaming store', () => {
  it('holds items while the sink fails and stores them in order when it recovers', async () => {
    let failing = true;
    const sink = recordingSink({ fail: () => failing });
    const { device, session, errors } = await linked(
      { ...CONTEC_CMS50D_PLUS, pipeline: { cms50dPacketsPerChunk: 5 } },
      sink,
    );
    for (let i = 0; i < 4; i++) {
      const chunk = Array.from({ length: 5 }, () => [...encodeCms50dPacket({ pleth: i, spo2: 97 })]).flat();
      await device.write(Uint8Array.from(chunk));
    }
    await waitFor(() => sink.calls.length >= 2, 'retries');
    expect(session.stats.backlog).toBeGreaterThan(0);
    failing = false;
    await waitFor(() => session.stats.backlog === 0, 'the backlog to drain');
    const waves = sink.stored().filter((i) => i.kind === 'waveform');
    expect(waves.map((w) => (w.kind === 'waveform' ? w.startSample : -1))).toEqual([0, 5, 10, 15]);
    expect(errors.every((e) => e.kind === 'store')).toBe(true);
  });

  it('drops the oldest items past the backlog limit and says so', async () => {
    const sink = recordingSink({ fail: () => true });
    const { device, errors, session } = await linked(
      { ...CONTEC_CMS50D_PLUS, pipeline: { cms50dPacketsPerChunk: 1 } },
      sink,
      { streamBacklogLimit: 12 },
    );
    const packets = Array.from({ length: 10 }, (_, i) => [
      ...encodeCms50dPacket({ pleth: i, spo2: 97, pulseRate: 70 }),
    ]);
    await device.write(Uint8Array.from(packets.flat()));
    await waitFor(() => errors.some((e) => e.kind === 'backlog'), 'a backlog error');
    expect(session.stats.backlog).toBeLessThanOrEqual(12);
    expect(errors.find((e) => e.kind === 'backlog')?.message).toMatch(
      /^\d+ streamed item\(s\) dropped: the store has been failing and the backlog is full$/,
    );
  });
});

describe('profile with its own framer/parser', () => {
  it('the session uses the profile pipeline factory instead of the protocol one', async () => {
    const sink = recordingSink();
    const custom: DeviceProfile = {
      ...HL7_MONITOR,
      id: 'vendor-variant',
      // a toy vendor format: each byte is a temperature in °C, acknowledged with '+'
      createPipeline: (io) => ({
        protocol: 'hl7',
        async push(bytes) {
          for (const b of bytes) {
            io.progress();
            await io.store([{ kind: 'numeric', code: { system: 'local', code: 'TEMP' }, value: b, unit: 'Cel' }], {});
            io.write(Uint8Array.of(0x2b));
          }
        },
        async endConnection() {},
      }),
    };
    const { device, fromBridge } = await linked(custom, sink);
    await device.write(Uint8Array.of(37, 38));
    await waitFor(() => fromBridge.length === 2, 'two acknowledgements');
    expect(sink.stored().map((i) => (i.kind === 'numeric' ? i.value : null))).toEqual([37, 38]);
    expect(fromBridge).toEqual([0x2b, 0x2b]);
  });
});
