// Raw byte log: both directions, in wire order; replay decodes the same items the live session stored.
import { afterEach, describe, expect, it } from 'vitest';
import {
  ACK,
  ASTM_HAEMATOLOGY_ANALYSER,
  CONTEC_CMS50D_PLUS,
  createPtyPair,
  DeviceSession,
  ENQ,
  HL7_MONITOR,
  hl7VitalsMessage,
  MemoryRawByteLog,
  mllpWrap,
  NAK,
  replayRawLog,
  SerialPortTransport,
  startSimulator,
  type RawLogEntry,
} from '../../../device-bridge/index';
import { plain } from '../helpers';
import { onCleanup, openSession, recordingSink, runCleanups, waitFor } from './harness';

afterEach(runCleanups);

describe('MemoryRawByteLog', () => {
  it('numbers entries per connection from 1, copies the bytes, iterates from a seq', () => {
    const log = new MemoryRawByteLog();
    const buf = Uint8Array.of(1, 2, 3);
    expect(log.append('a', 'open', new Uint8Array(0), 10)).toBe(1);
    expect(log.append('a', 'in', buf, 11)).toBe(2);
    expect(log.append('b', 'in', Uint8Array.of(9), 11)).toBe(1);
    buf[0] = 99; // the caller reuses its buffer
    expect(log.append('a', 'out', Uint8Array.of(6), 12)).toBe(3);
    const a = [...log.iterate('a')];
    expect(a.map((e) => [e.seq, e.direction, e.at, Array.from(e.bytes)])).toEqual([
      [1, 'open', 10, []],
      [2, 'in', 11, [1, 2, 3]],
      [3, 'out', 12, [6]],
    ]);
    expect([...log.iterate('a', 3)].map((e) => e.seq)).toEqual([3]);
    expect([...log.iterate('nobody')]).toEqual([]);
    expect(log.byteCount('a', 'in')).toBe(3);
  });
});

describe('raw log of a live session and replay', () => {
  it('ASTM with a failed store: both directions logged; replay gives the stored items and the same replies', async () => {
    const pair = await createPtyPair();
    const rawLog = new MemoryRawByteLog();
    const sink = recordingSink({ fail: (n) => n === 0 });
    const { session } = await openSession(pair.hostPath, ASTM_HAEMATOLOGY_ANALYSER, sink.sink, {
      rawLog,
      connectionId: 'lab',
    });
    const sim = await startSimulator('astm', { devicePath: pair.devicePath, astm: { messages: 2, intervalMs: 20 } });
    onCleanup(() => sim.stop());
    await sim.done();
    await session.close();

    const entries = [...rawLog.iterate('lab')];
    expect(entries[0]?.direction).toBe('open');
    expect(entries.at(-1)?.direction).toBe('close');
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    expect(entries.every((e, i) => i === 0 || e.at >= (entries[i - 1] as RawLogEntry).at)).toBe(true);
    const inbound = entries.filter((e) => e.direction === 'in').flatMap((e) => [...e.bytes]);
    const outbound = entries.filter((e) => e.direction === 'out').flatMap((e) => [...e.bytes]);
    expect(inbound[0]).toBe(ENQ);
    expect(outbound.filter((b) => b === NAK)).toHaveLength(1);
    expect(outbound.filter((b) => b === ACK)).toHaveLength(2 * 11);

    const replay = await replayRawLog(entries, 'astm', { profile: ASTM_HAEMATOLOGY_ANALYSER });
    expect(plain(replay.items)).toEqual(plain(sink.stored()));
    expect(replay.errors).toEqual([]);
    // replay's sink never fails, so it ACKs where the live session NAKed, then ACKs the repeat
    expect(replay.replies.flatMap((r) => [...r])).toEqual(outbound.map((b) => (b === NAK ? ACK : b)));
  });

  it('CMS50D+ across a reconnect: replay restarts the framers where the session did', async () => {
    const rawLog = new MemoryRawByteLog();
    const sink = recordingSink();
    // one session for both connections, as under a supervisor
    const session = new DeviceSession({ connectionId: 'oxi', profile: CONTEC_CMS50D_PLUS, sink: sink.sink, rawLog });
    onCleanup(() => session.close());
    for (let round = 0; round < 2; round++) {
      const pair = await createPtyPair();
      const sim = await startSimulator('cms50d', { devicePath: pair.devicePath, speed: 6 });
      onCleanup(() => sim.stop());
      const transport = new SerialPortTransport({ path: pair.hostPath, line: CONTEC_CMS50D_PLUS.line });
      await transport.open();
      onCleanup(() => transport.close());
      session.attach(transport);
      await waitFor(() => sink.stored().filter((i) => i.kind === 'waveform').length >= 2 * round + 2, 'chunks');
      await sim.stop();
      await transport.close();
      await session.detach(); // flushes the part-second the aggregator held
    }
    const entries = [...rawLog.iterate('oxi')];
    expect(entries.filter((e) => e.direction === 'open')).toHaveLength(2);
    expect(entries.filter((e) => e.direction === 'out').map((e) => Array.from(e.bytes))).toEqual([
      Array.from(CONTEC_CMS50D_PLUS.init[0]?.bytes ?? []),
      Array.from(CONTEC_CMS50D_PLUS.init[0]?.bytes ?? []),
    ]);
    const replay = await replayRawLog(entries, 'cms50d');
    expect(replay.items.length).toBeGreaterThan(8);
    expect(plain(replay.items)).toEqual(plain(sink.stored()));
  });

  it('HL7 with a repeated message: replay recognises the repeat as the session did', async () => {
    const pair = await createPtyPair();
    const rawLog = new MemoryRawByteLog();
    const sink = recordingSink();
    const { session } = await openSession(pair.hostPath, HL7_MONITOR, sink.sink, { rawLog, connectionId: 'mon' });
    const device = new SerialPortTransport({ path: pair.devicePath, line: HL7_MONITOR.line });
    await device.open();
    onCleanup(() => device.close());
    const message = mllpWrap(hl7VitalsMessage(5, new Date('2026-05-05T10:00:00Z')));
    await device.write(message);
    await device.write(message);
    await waitFor(() => session.stats.duplicates === 1, 'the repeat');
    await session.close();

    const replay = await replayRawLog(rawLog.iterate('mon'), 'hl7');
    expect(replay.duplicates).toEqual(['hl7:SIM-MONITOR|BED-7|SIM000005']);
    expect(plain(replay.items)).toEqual(plain(sink.stored()));
    expect(sink.calls).toHaveLength(1);
  });
});
