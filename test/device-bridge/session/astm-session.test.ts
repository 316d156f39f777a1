// ASTM over the real serial stack: simulated analyser → socat pty → serialport → session → sink.
import { afterEach, describe, expect, it } from 'vitest';
import {
  ACK,
  ASTM_HAEMATOLOGY_ANALYSER,
  cbcResults,
  createPtyPair,
  ENQ,
  EOT,
  MemoryRawByteLog,
  NAK,
  startSimulator,
  type AstmSenderSimulatorStats,
  type NumericObservation,
} from '../../../device-bridge/index';
import { loggedOut, onCleanup, openSession, recordingSink, runCleanups, waitFor } from './harness';

afterEach(runCleanups);

const RECORDS_PER_MESSAGE = 10; // H, P, O, six R, L: one frame each

async function analyserAndBridge(sink: ReturnType<typeof recordingSink>, messages = 1) {
  const pair = await createPtyPair();
  const rawLog = new MemoryRawByteLog();
  // the bridge opens first: bytes written before a tty is opened are flushed by the open
  const bridge = await openSession(pair.hostPath, ASTM_HAEMATOLOGY_ANALYSER, sink.sink, {
    rawLog,
    connectionId: 'analyser-1',
  });
  const sim = await startSimulator('astm', { devicePath: pair.devicePath, astm: { messages, intervalMs: 50 } });
  onCleanup(() => sim.stop());
  return { pair, rawLog, sim, ...bridge, stats: () => sim.stats() as AstmSenderSimulatorStats };
}

const count = (bytes: number[], b: number) => bytes.filter((x) => x === b).length;

describe('ASTM session over a pty', () => {
  it('decodes the results with mapped codes and ACKs the completing frame only after the sink resolved', async () => {
    const sink = recordingSink({ delayMs: 300 });
    let acksWhenSinkCalled = -1;
    let deliveredWhenSinkCalled = -1;
    const { rawLog, sim, stats } = await analyserAndBridge(sink);
    sink.onCall = () => {
      acksWhenSinkCalled = count(loggedOut(rawLog, 'analyser-1'), ACK);
      deliveredWhenSinkCalled = stats().delivered.length;
    };
    await sim.done();

    expect(sink.calls).toHaveLength(1);
    // ENQ and the first nine frames were ACKed; the tenth (L) waited for the sink
    expect(acksWhenSinkCalled).toBe(1 + RECORDS_PER_MESSAGE - 1);
    expect(deliveredWhenSinkCalled).toBe(0);
    const out = [...rawLog.iterate('analyser-1')].filter((e) => e.direction === 'out');
    const lastAck = out.at(-1);
    expect(lastAck && Array.from(lastAck.bytes)).toEqual([ACK]);
    expect(lastAck?.at).toBeGreaterThanOrEqual(sink.calls[0]?.settledAt ?? Infinity);
    expect(count(loggedOut(rawLog, 'analyser-1'), ACK)).toBe(1 + RECORDS_PER_MESSAGE);
    expect(stats()).toMatchObject({ delivered: [1], naksReceived: 0, framesSent: RECORDS_PER_MESSAGE });

    const items = sink.stored();
    const numerics = items.filter((i): i is NumericObservation => i.kind === 'numeric');
    const expected = cbcResults(1);
    expect(numerics.map((n) => n.value)).toEqual(expected.map((r) => r.value));
    expect(numerics.map((n) => n.unit)).toEqual(expected.map((r) => r.unit));
    expect(numerics.map((n) => n.code.code)).toEqual(['6690-2', '789-8', '718-7', '4544-3', '787-2', '777-3']);
    expect(numerics.every((n, i) => n.altCodes?.[0]?.code === expected[i]?.code)).toBe(true);
    expect(numerics[0]).toMatchObject({ patientIds: ['PAT-0001'], sampleId: 'SMP-000001', status: 'F' });
    expect(items.find((i) => i.kind === 'message')).toMatchObject({ protocol: 'astm', complete: true });
    expect(sink.calls[0]?.context).toMatchObject({
      connectionId: 'analyser-1',
      profileId: 'astm-haematology',
      protocol: 'astm',
      idempotencyKey: expect.stringMatching(/^astm:[0-9a-f]{32}$/),
    });
    // the inbound side of the log holds the whole session: ENQ … EOT
    const inbound = [...rawLog.iterate('analyser-1')].filter((e) => e.direction === 'in').flatMap((e) => [...e.bytes]);
    expect(inbound[0]).toBe(ENQ);
    await waitFor(
      () => [...rawLog.iterate('analyser-1')].some((e) => e.direction === 'in' && e.bytes.includes(EOT)),
      'EOT',
    );
  });

  it('a failing sink gets a NAK; the analyser repeats the frame and the message is stored once', async () => {
    const sink = recordingSink({ fail: (n) => n === 0 });
    const { rawLog, sim, stats, session } = await analyserAndBridge(sink, 2);
    const errors: string[] = [];
    session.on('error', (e) => errors.push(`${e.kind}: ${e.message}`));
    await sim.done();
    await session.drain();

    expect(stats()).toMatchObject({ delivered: [1, 2], naksReceived: 1, failures: 0 });
    expect(count(loggedOut(rawLog, 'analyser-1'), NAK)).toBe(1);
    expect(sink.calls.map((c) => c.ok)).toEqual([false, true, true]);
    // the retransmission went to the store, not a second copy of the message
    const keys = sink.calls.filter((c) => c.ok).map((c) => c.context.idempotencyKey);
    expect(new Set(keys).size).toBe(2);
    const wbc = sink.stored().filter((i) => i.kind === 'numeric' && i.code.code === '6690-2');
    expect(wbc.map((i) => (i as NumericObservation).value)).toEqual([cbcResults(1)[0]?.value, cbcResults(2)[0]?.value]);
    expect(errors).toEqual([expect.stringMatching(/^store: could not store 7 item\(s\): disk full/)]);
  });
});
