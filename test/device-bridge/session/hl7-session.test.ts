// HL7 v2 over MLLP over the real serial stack: ACK after storage, duplicates by MSH-10, AR on sink failure.
import { afterEach, describe, expect, it } from 'vitest';
import {
  createPtyPair,
  HL7_MONITOR,
  hl7ControlId,
  hl7VitalsMessage,
  MemoryRawByteLog,
  MllpFramer,
  mllpWrap,
  SerialPortTransport,
  startSimulator,
  vitalsFor,
  type Hl7SenderSimulatorStats,
  type NumericObservation,
} from '../../../device-bridge/index';
import { numericValues, onCleanup, openSession, recordingSink, runCleanups, waitFor } from './harness';

afterEach(runCleanups);

const text = (bytes: Iterable<number>) => Buffer.from([...bytes]).toString('latin1');

function acksIn(log: MemoryRawByteLog, id: string): string[] {
  const framer = new MllpFramer();
  const out: string[] = [];
  for (const e of log.iterate(id)) {
    if (e.direction !== 'out') continue;
    for (const ev of framer.push(e.bytes)) if (ev.type === 'message') out.push(ev.text);
  }
  return out;
}

const msa = (ack: string) => ack.split('\r').find((s) => s.startsWith('MSA|'));

describe('HL7 session over a pty', () => {
  it('stores each ORU^R01, then acknowledges it MSA|AA (never before the sink resolved)', async () => {
    const pair = await createPtyPair();
    const rawLog = new MemoryRawByteLog();
    const sink = recordingSink({ delayMs: 200 });
    const acksWhenCalled: number[] = [];
    sink.onCall = () => acksWhenCalled.push(acksIn(rawLog, 'monitor').length);
    await openSession(pair.hostPath, HL7_MONITOR, sink.sink, { rawLog, connectionId: 'monitor' });
    const sim = await startSimulator('hl7', { devicePath: pair.devicePath, hl7: { messages: 3, intervalMs: 20 } });
    onCleanup(() => sim.stop());
    await sim.done();

    expect(acksWhenCalled).toEqual([0, 1, 2]);
    const acks = acksIn(rawLog, 'monitor');
    expect(acks.map(msa)).toEqual([1, 2, 3].map((n) => `MSA|AA|${hl7ControlId(n)}`));
    expect(acks[0]).toMatch(
      /^MSH\|\^~\\&\|SIJILL\|CLINIC\|SIM-MONITOR\|BED-7\|\d{14}\|\|ACK\^R01\^ACK\|ASIM000001\|P\|2\.6\r/,
    );
    expect((sim.stats() as Hl7SenderSimulatorStats).acknowledged).toEqual([1, 2, 3]);

    const items = sink.stored();
    expect(numericValues(items, '150456')).toEqual([1, 2, 3].map((n) => vitalsFor(n).spo2));
    expect(numericValues(items, '149530')).toEqual([1, 2, 3].map((n) => vitalsFor(n).pulseRate));
    expect(numericValues(items, '150021')).toEqual([1, 2, 3].map((n) => vitalsFor(n).systolic));
    const sys = items.find((i) => i.kind === 'numeric' && i.code.code === '150021') as NumericObservation;
    expect(sys).toMatchObject({ unit: 'mm[Hg]', patientIds: ['PAT-0007'], observedAt: '2026-05-05T10:21:33' });
    expect(sink.calls.map((c) => c.context.idempotencyKey)).toEqual(
      [1, 2, 3].map((n) => `hl7:SIM-MONITOR|BED-7|${hl7ControlId(n)}`),
    );
  });

  it('a repeated MSH-10 is acknowledged again but stored once', async () => {
    const pair = await createPtyPair();
    const rawLog = new MemoryRawByteLog();
    const sink = recordingSink();
    const { session } = await openSession(pair.hostPath, HL7_MONITOR, sink.sink, { rawLog, connectionId: 'monitor' });
    const duplicates: string[] = [];
    session.on('duplicate', (k) => duplicates.push(k));
    const device = new SerialPortTransport({ path: pair.devicePath, line: HL7_MONITOR.line });
    await device.open();
    onCleanup(() => device.close());
    const received: number[] = [];
    device.on('data', (b) => received.push(...b));
    const at = new Date('2026-05-05T10:21:33Z');
    const first = mllpWrap(hl7VitalsMessage(1, at));
    await device.write(first);
    await waitFor(() => acksIn(rawLog, 'monitor').length === 1, 'first ACK');
    await device.write(first); // the monitor missed our ACK and sends the same message again
    await device.write(mllpWrap(hl7VitalsMessage(2, at)));
    await waitFor(() => acksIn(rawLog, 'monitor').length === 3, 'three ACKs');

    expect(acksIn(rawLog, 'monitor').map(msa)).toEqual([
      `MSA|AA|${hl7ControlId(1)}`,
      `MSA|AA|${hl7ControlId(1)}`,
      `MSA|AA|${hl7ControlId(2)}`,
    ]);
    expect(sink.calls).toHaveLength(2);
    expect(numericValues(sink.stored(), '150456')).toEqual([vitalsFor(1).spo2, vitalsFor(2).spo2]);
    expect(duplicates).toEqual([`hl7:SIM-MONITOR|BED-7|${hl7ControlId(1)}`]);
    await waitFor(() => text(received).split('MSA|AA').length === 4, 'ACKs at the device');
  });

  it('a failing sink answers MSA|AR; the monitor resends and the message is stored once', async () => {
    const pair = await createPtyPair();
    const rawLog = new MemoryRawByteLog();
    const sink = recordingSink({ fail: (n) => n === 1 });
    await openSession(pair.hostPath, HL7_MONITOR, sink.sink, { rawLog, connectionId: 'monitor' });
    const sim = await startSimulator('hl7', {
      devicePath: pair.devicePath,
      hl7: { messages: 3, intervalMs: 20, retryMs: 50 },
    });
    onCleanup(() => sim.stop());
    await sim.done();

    const acks = acksIn(rawLog, 'monitor').map(msa);
    expect(acks).toEqual([
      `MSA|AA|${hl7ControlId(1)}`,
      expect.stringMatching(new RegExp(`^MSA\\|AR\\|${hl7ControlId(2)}\\|message could not be stored`)),
      `MSA|AA|${hl7ControlId(2)}`,
      `MSA|AA|${hl7ControlId(3)}`,
    ]);
    expect(sim.stats()).toMatchObject({ acknowledged: [1, 2, 3], rejections: 1 });
    expect(numericValues(sink.stored(), '150456')).toEqual([1, 2, 3].map((n) => vitalsFor(n).spo2));
  });
});
