// createPtyPair / startSimulator plumbing: paths, cleanup, the pty mode the CLI uses.
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  closeAllPtyPairs,
  CMS50D_START_LIVE_DATA,
  CMS50D_STAY_CONNECTED,
  CONTEC_CMS50D_PLUS,
  createPtyPair,
  livePtyPairCount,
  MemoryLink,
  startSimulator,
  type StreamSimulatorStats,
} from '../../../device-bridge/index';
import { FakeClock } from '../supervisor/fake-clock';
import { onCleanup, openSession, recordingSink, runCleanups, waitFor } from '../session/harness';

afterEach(runCleanups);

describe('createPtyPair', () => {
  it('returns two distinct /dev/pts paths and removes them when closed', async () => {
    const before = livePtyPairCount();
    const pair = await createPtyPair();
    expect(pair.devicePath).toMatch(/^\/dev\/pts\/\d+$/);
    expect(pair.hostPath).toMatch(/^\/dev\/pts\/\d+$/);
    expect(pair.devicePath).not.toBe(pair.hostPath);
    expect(existsSync(pair.hostPath)).toBe(true);
    expect(livePtyPairCount()).toBe(before + 1);
    await pair.close();
    await pair.close(); // idempotent
    expect(livePtyPairCount()).toBe(before);
    expect(existsSync(pair.hostPath)).toBe(false);
  });

  it('closeAllPtyPairs kills every socat this process started', async () => {
    await Promise.all([createPtyPair(), createPtyPair(), createPtyPair()]);
    expect(livePtyPairCount()).toBeGreaterThanOrEqual(3);
    await closeAllPtyPairs();
    expect(livePtyPairCount()).toBe(0);
  });

  it('reports a missing socat clearly', async () => {
    await expect(createPtyPair({ socatPath: '/nonexistent/socat' })).rejects.toThrow(/cannot start socat/);
  });
});

describe('startSimulator', () => {
  it('pty mode: returns the path the bridge opens; stop() removes the pair', async () => {
    const sim = await startSimulator('cms50d', { pty: true, speed: 4 });
    onCleanup(() => sim.stop());
    expect(sim.path).toMatch(/^\/dev\/pts\/\d+$/);
    expect(sim.devicePath).not.toBe(sim.path);
    const sink = recordingSink();
    await openSession(sim.path as string, CONTEC_CMS50D_PLUS, sink.sink);
    await waitFor(() => sink.stored().some((i) => i.kind === 'waveform'), 'a chunk');
    expect((sim.stats() as StreamSimulatorStats).streaming).toBe(true);
    const path = sim.path as string;
    await sim.stop();
    expect(existsSync(path)).toBe(false);
  });

  it('needs exactly one place to write to', async () => {
    await expect(startSimulator('nonin')).rejects.toThrow(/exactly one of/);
    const link = new MemoryLink();
    await expect(startSimulator('nonin', { pty: true, transport: link.a })).rejects.toThrow(/exactly one of/);
  });

  it('a CMS50D+ is silent until the start command and stops without keep-alive, like the device', async () => {
    const clock = new FakeClock();
    const link = new MemoryLink('cms');
    await link.a.open();
    await link.b.open();
    const sim = await startSimulator('cms50d', { transport: link.b, clock });
    onCleanup(() => sim.stop());
    const got: number[] = [];
    link.a.on('data', (b) => got.push(...b));
    await clock.advance(1000);
    expect(got).toHaveLength(0);
    await link.a.write(CMS50D_START_LIVE_DATA);
    await clock.advance(1000);
    expect(got.length).toBe(60 * 5); // one second of packets
    for (let i = 0; i < 3; i++) {
      await link.a.write(CMS50D_STAY_CONNECTED);
      await clock.advance(3000);
    }
    expect((sim.stats() as StreamSimulatorStats).streaming).toBe(true);
    expect(got.length).toBe(60 * 5 * 10);
    await clock.advance(6000); // no keep-alive for more than 5 s
    expect((sim.stats() as StreamSimulatorStats).streaming).toBe(false);
    const after = got.length;
    await clock.advance(2000);
    expect(got.length).toBe(after);
  });
});
