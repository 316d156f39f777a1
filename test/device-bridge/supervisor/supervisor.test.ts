// Supervisor state machine with a fake clock and an in-process transport: backoff, watchdog, keep-alive,
// unplug by close event and by presence polling, stop.
import { afterEach, describe, expect, it } from 'vitest';
import {
  backoffDelay,
  CMS50D_START_LIVE_DATA,
  CMS50D_STAY_CONNECTED,
  CONTEC_CMS50D_PLUS,
  DEFAULT_BACKOFF,
  encodeCms50dPacket,
  HL7_MONITOR,
  MemoryLink,
  Supervisor,
  type DeviceProfile,
  type StateChange,
  type SupervisorError,
  type SupervisorOptions,
} from '../../../device-bridge/index';
import { recordingSink } from '../session/harness';
import { FakeClock } from './fake-clock';

const supervisors: Supervisor[] = [];
afterEach(async () => {
  for (const s of supervisors.splice(0)) await s.stop();
});

async function setup(profile: DeviceProfile, extra: Partial<SupervisorOptions> = {}) {
  const clock = new FakeClock();
  const link = new MemoryLink('oximeter');
  const sink = recordingSink();
  const states: StateChange[] = [];
  const errors: SupervisorError[] = [];
  const sup = new Supervisor({
    connectionId: 'bed-7',
    profile,
    transport: link.a,
    sink: sink.sink,
    clock,
    random: () => 0,
    presence: null,
    backoff: { initialMs: 500, maxMs: 4000, factor: 2, jitter: 0 },
    ...extra,
  });
  supervisors.push(sup);
  sup.on('state', (s) => states.push(s));
  sup.on('error', (e) => errors.push(e));
  const t0 = clock.now();
  await link.b.open(); // the device's end
  return { clock, link, sink, sup, states, errors, t0, device: link.b };
}

const packets = (n: number): Uint8Array => {
  const out = new Uint8Array(n * 5);
  for (let i = 0; i < n; i++) out.set(encodeCms50dPacket({ pleth: 40, pulseRate: 72, spo2: 97 }), i * 5);
  return out;
};

const same = (a: Uint8Array | undefined, b: Uint8Array) => a !== undefined && Buffer.from(a).equals(Buffer.from(b));

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the cap, and jitter only shortens it', () => {
    const o = { ...DEFAULT_BACKOFF, initialMs: 100, maxMs: 1000, jitter: 0 };
    expect([0, 1, 2, 3, 4, 5, 9].map((n) => backoffDelay(n, o, () => 0.5))).toEqual([
      100, 200, 400, 800, 1000, 1000, 1000,
    ]);
    const j = { ...o, jitter: 0.2 };
    expect(backoffDelay(3, j, () => 0)).toBe(800);
    expect(backoffDelay(3, j, () => 0.999)).toBe(640);
    for (let i = 0; i < 50; i++) {
      const d = backoffDelay(2, j, Math.random);
      expect(d).toBeGreaterThanOrEqual(320);
      expect(d).toBeLessThanOrEqual(400);
    }
  });
});

describe('Supervisor (fake clock)', () => {
  it('retries a port that will not open with exponential, capped backoff, then resets it after connecting', async () => {
    const { clock, link, sup, states, errors, t0 } = await setup(HL7_MONITOR);
    link.available = false;
    sup.start();
    await clock.advance(12_000);
    const attempts = states.filter((s) => s.state === 'connecting').map((s) => s.at - t0);
    expect(attempts).toEqual([0, 500, 1500, 3500, 7500, 11_500]);
    expect(
      states.filter((s) => s.state === 'lost').every((s) => /could not open: .*not present/.test(s.reason ?? '')),
    ).toBe(true);
    expect(errors.map((e) => [e.kind, e.count])).toEqual([1, 2, 3, 4, 5, 6].map((n) => ['transport', n]));
    expect(sup.status()).toMatchObject({ state: 'lost', attempt: 6, nextAttemptAt: t0 + 15_500 });

    link.replug();
    await clock.advance(4000);
    expect(sup.state).toBe('connected'); // HL7 senders are silent until they have results: no negotiation wait
    expect(sup.status().attempt).toBe(0);

    link.unplug();
    await clock.advance(0);
    expect(sup.state).toBe('lost');
    expect(states.at(-1)?.reason).toMatch(/port closed: device disconnected/);
    link.replug();
    const lostAt = clock.now();
    await clock.advance(600);
    const again = states.filter((s) => s.state === 'connecting').at(-1);
    expect(again ? again.at - lostAt : -1).toBe(500); // back to the first step, not 8 s
    expect(sup.state).toBe('connected');
    expect(sup.status().reconnects).toBe(1);
  });

  it('sends init and keep-alive, goes connected on valid data, loses a quiet line and reconnects', async () => {
    const { clock, sup, states, device, link, t0 } = await setup(CONTEC_CMS50D_PLUS);
    sup.start();
    await clock.advance(0);
    expect(sup.state).toBe('negotiating');
    expect(same(link.a.written[0], CMS50D_START_LIVE_DATA)).toBe(true);

    await device.write(packets(30));
    await clock.advance(10);
    expect(sup.state).toBe('connected');
    expect(sup.status().lastValidDataAt).toBe(t0);

    // keep-alive every 3 s while open, as long as data flows
    for (let i = 0; i < 4; i++) {
      await clock.advance(1000);
      await device.write(packets(60));
    }
    await clock.advance(10);
    expect(sup.state).toBe('connected');
    expect(link.a.written.filter((w) => same(w, CMS50D_STAY_CONNECTED))).toHaveLength(1);

    // the device stops sending: lost after the profile's 3 s quiet timeout, not before
    const lastData = sup.status().lastValidDataAt as number;
    await clock.advance(2900);
    expect(sup.state).toBe('connected');
    await clock.advance(200);
    expect(sup.state).toBe('lost');
    const lost = states.at(-1) as StateChange;
    expect(lost.reason).toMatch(/quiet line: no valid data for 3(\.\d)? s/);
    expect(lost.at - lastData).toBeGreaterThanOrEqual(3000);

    // reopen after the first backoff step; the start command goes out again
    const before = link.a.written.filter((w) => same(w, CMS50D_START_LIVE_DATA)).length;
    await clock.advance(500);
    expect(sup.state).toBe('negotiating');
    expect(link.a.written.filter((w) => same(w, CMS50D_START_LIVE_DATA)).length).toBe(before + 1);

    // still silent: negotiation times out too, and the next delay doubles
    await clock.advance(3000);
    const second = states.filter((s) => s.state === 'lost').at(-1) as StateChange;
    expect(second.reason).toMatch(/since the port opened/);
    expect(sup.status().nextAttemptAt).toBe(second.at + 1000);
    await clock.advance(second.at + 999 - clock.now());
    expect(sup.state).toBe('lost');
    await clock.advance(1);
    expect(sup.state).toBe('negotiating');
    await device.write(packets(5));
    await clock.advance(10);
    expect(sup.state).toBe('connected');
  });

  it('garbage is not "data": it counts decode errors and does not satisfy the watchdog', async () => {
    const { clock, sup, device, errors, states, t0 } = await setup(CONTEC_CMS50D_PLUS);
    sup.start();
    await clock.advance(0);
    for (let i = 0; i < 5; i++) {
      // sync bytes that never get four data bytes after them: short packets only
      await device.write(Uint8Array.of(0x85, 0x10, 0x86, 0x11));
      await clock.advance(700);
    }
    const lost = states.find((s) => s.state === 'lost');
    expect(lost?.at).toBe(t0 + 3000);
    expect(lost?.reason).toMatch(/no valid data since the port opened/);
    expect(states.some((s) => s.state === 'connected')).toBe(false);
    const decode = errors.filter((e) => e.kind === 'decode');
    expect(decode.length).toBeGreaterThan(3);
    expect(decode.map((e) => e.count)).toEqual(decode.map((_, i) => i + 1));
    expect(sup.status().lastDataAt).toBeGreaterThan(sup.status().lastValidDataAt ?? 0);
    expect(sup.status().errorCounts.decode).toBe(decode.length);
  });

  it('notices an unplug by polling presence even when no close event comes', async () => {
    let present = true;
    const { clock, sup, states, device } = await setup(CONTEC_CMS50D_PLUS, {
      presence: async () => present,
      presencePollMs: 1000,
    });
    sup.start();
    await clock.advance(0);
    await device.write(packets(10));
    await clock.advance(10);
    expect(sup.state).toBe('connected');
    present = false;
    await device.write(packets(10));
    await clock.advance(1000);
    expect(sup.state).toBe('lost');
    expect(states.at(-1)?.reason).toMatch(/device unplugged: oximeter:a is no longer present/);
    // absent: attempts fail without opening
    await clock.advance(500);
    expect(states.at(-1)).toMatchObject({ state: 'lost', reason: expect.stringMatching(/not present/) });
    present = true;
    await clock.advance(1000);
    expect(sup.state).toBe('negotiating');
  });

  it('stop() closes the port, stores what it holds and leaves no timer behind', async () => {
    const { clock, sup, device, sink, link } = await setup(CONTEC_CMS50D_PLUS);
    sup.start();
    await clock.advance(0);
    await device.write(packets(90)); // one full second (stored) and half a second held by the aggregator
    await clock.advance(10);
    expect(sink.stored().filter((i) => i.kind === 'waveform')).toHaveLength(1);
    await sup.stop();
    expect(sup.state).toBe('stopped');
    expect(link.a.isOpen).toBe(false);
    expect(clock.pending).toBe(0);
    const waves = sink.stored().flatMap((i) => (i.kind === 'waveform' ? [i.samples.length] : []));
    expect(waves).toEqual([60, 30]);
    await clock.advance(60_000);
    expect(sup.state).toBe('stopped');
  });
});

describe('Supervisor restart', () => {
  it('can be started again after stop() and stores data again', async () => {
    const clock = new FakeClock();
    const link = new MemoryLink('again');
    await link.b.open();
    const sink = recordingSink();
    const sup = new Supervisor({
      connectionId: 'again',
      profile: { ...CONTEC_CMS50D_PLUS, pipeline: { cms50dPacketsPerChunk: 10 } },
      transport: link.a,
      sink: sink.sink,
      clock,
      presence: null,
    });
    supervisors.push(sup);
    for (let round = 1; round <= 2; round++) {
      sup.start();
      await clock.advance(0);
      await link.b.write(packets(10));
      await clock.advance(10);
      expect(sup.state).toBe('connected');
      await sup.stop();
      expect(sink.stored().filter((i) => i.kind === 'waveform')).toHaveLength(round);
    }
    expect(clock.pending).toBe(0);
  });
});
