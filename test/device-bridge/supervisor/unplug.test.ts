// Unplug and replug over the real serial stack. The "stable path" is a symlink, like /dev/serial/by-id/…:
// killing socat is the unplug (both ptys hang up, the link dangles and is removed as udev would), a new pty
// pair with the link re-pointed is the replug. The supervisor must notice, reconnect by itself, and data must
// flow again with nothing that was acknowledged lost and nothing stored twice.
import { mkdtemp, rm, symlink, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createPtyPair,
  HL7_MONITOR,
  hl7ControlId,
  SerialPortTransport,
  startSimulator,
  Supervisor,
  type Hl7SenderSimulatorStats,
  type MessageSummary,
  type StateChange,
} from '../../../device-bridge/index';
import { onCleanup, recordingSink, runCleanups, waitFor } from '../session/harness';

afterEach(runCleanups);

describe('unplug and replug by stable path', () => {
  it('detects the unplug, reconnects when the device is back, and keeps every acknowledged message', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sijill-bridge-'));
    onCleanup(() => rm(dir, { recursive: true, force: true }));
    const stable = path.join(dir, 'usb-Monitor_BED7-if00-port0');
    const TOTAL = 12;

    const pair1 = await createPtyPair();
    await symlink(pair1.hostPath, stable);
    const sink = recordingSink();
    const states: StateChange[] = [];
    const sup = new Supervisor({
      connectionId: 'bed-7',
      profile: HL7_MONITOR,
      transport: new SerialPortTransport({ path: stable, line: HL7_MONITOR.line }),
      sink: sink.sink,
      backoff: { initialMs: 50, maxMs: 200, jitter: 0.2 },
      presencePollMs: 150,
    });
    sup.on('state', (s) => states.push(s));
    onCleanup(() => sup.stop());
    sup.start();
    await waitFor(() => sup.state === 'connected', 'first connection');

    const sim1 = await startSimulator('hl7', {
      devicePath: pair1.devicePath,
      hl7: { messages: TOTAL, intervalMs: 40, ackTimeoutMs: 1000 },
    });
    onCleanup(() => sim1.stop());
    await waitFor(() => (sim1.stats() as Hl7SenderSimulatorStats).acknowledged.length >= 4, 'four acknowledged');

    // unplug: the adapter vanishes, and with it the by-id link
    await pair1.close();
    await unlink(stable);
    await waitFor(() => sup.state === 'lost' || sup.state === 'connecting', 'the loss');
    const acknowledgedBefore = (sim1.stats() as Hl7SenderSimulatorStats).acknowledged;
    await sim1.stop();
    const lost = states.find((s) => s.state === 'lost');
    // Either detector may see it first: the port's close event, or (on a loaded machine,
    // when the close event is late) the 150 ms presence poll of the stable path.
    expect(lost?.reason).toMatch(/^port closed: device disconnected|^device unplugged: .* is no longer present/);
    await new Promise((r) => setTimeout(r, 300)); // a few failed attempts while it is away
    expect(sup.state).not.toBe('connected');

    // replug: a new tty behind the same stable path
    const pair2 = await createPtyPair();
    await symlink(pair2.hostPath, stable);
    await waitFor(() => sup.state === 'connected', 'reconnection');
    const next = (acknowledgedBefore.at(-1) ?? 0) + 1;
    const sim2 = await startSimulator('hl7', {
      devicePath: pair2.devicePath,
      hl7: { firstMessage: next, messages: TOTAL - next + 1, intervalMs: 20, ackTimeoutMs: 1000 },
    });
    onCleanup(() => sim2.stop());
    await sim2.done();
    await sup.session.drain();

    const storedIds = sink
      .stored()
      .filter((i): i is MessageSummary => i.kind === 'message')
      .map((m) => m.controlId);
    const all = Array.from({ length: TOTAL }, (_, i) => hl7ControlId(i + 1));
    for (const n of acknowledgedBefore) expect(storedIds).toContain(hl7ControlId(n));
    expect([...storedIds].sort()).toEqual(all);
    const status = sup.status();
    expect(status).toMatchObject({ state: 'connected', reconnects: 1, attempt: 0 });
    expect(status.errorCounts.transport).toBeGreaterThanOrEqual(1);
    const sequence = states.map((s) => s.state);
    expect(sequence.slice(0, 3)).toEqual(['connecting', 'negotiating', 'connected']);
    expect(sequence.slice(3)).toContain('lost');
    expect(sequence.at(-1)).toBe('connected');
  });
});
