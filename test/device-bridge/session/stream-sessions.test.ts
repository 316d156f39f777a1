// Streaming devices over the real serial stack: simulator → socat pty → serialport → session → sink.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CMS50D_START_LIVE_DATA,
  cms50dSource,
  CONTEC_CMS50D_PLUS,
  createPtyPair,
  decodeCms50dPacket,
  ECG_FRONT_END,
  ecgSource,
  MASIMO_RAD8,
  NONIN_FORMAT_7,
  decodeCapture,
  noninSource,
  readWfdbRecord,
  startSimulator,
  type DecodedItem,
  type StreamSimulatorStats,
  type WaveformChunk,
} from '../../../device-bridge/index';
import { SHARED_FIXTURES } from '../helpers';
import { numericValues, onCleanup, openSession, recordingSink, runCleanups, waitFor } from './harness';

afterEach(runCleanups);

const waves = (items: DecodedItem[], channel?: number): WaveformChunk[] =>
  items.filter((i): i is WaveformChunk => i.kind === 'waveform' && (channel === undefined || i.channel === channel));
const samples = (chunks: WaveformChunk[]): number[] => chunks.flatMap((c) => Array.from(c.samples));
const steady = { spo2: 96, pulseRate: 81, variability: false };

describe('streaming sessions over a pty', () => {
  it('CMS50D+: starts on the start command, 60 Hz pleth and the right SpO2/pulse arrive', async () => {
    const pair = await createPtyPair();
    // the device end is open first, so it sees the start command the session sends on attach
    const sim = await startSimulator('cms50d', { devicePath: pair.devicePath, speed: 4, oximeter: steady });
    onCleanup(() => sim.stop());
    const sink = recordingSink();
    await openSession(pair.hostPath, CONTEC_CMS50D_PLUS, sink.sink);
    await waitFor(() => waves(sink.stored()).length >= 3, 'three one-second chunks');

    const stats = sim.stats() as StreamSimulatorStats;
    expect(stats.bytesReceived).toBe(CMS50D_START_LIVE_DATA.length);
    const items = sink.stored();
    expect(numericValues(items, '59408-5').slice(0, 3)).toEqual([96, 96, 96]);
    expect(numericValues(items, '8889-8').slice(0, 3)).toEqual([81, 81, 81]);
    const chunks = waves(items).slice(0, 3);
    expect(chunks.map((c) => [c.startSample, c.samples.length, c.sampleRate])).toEqual([
      [0, 60, 60],
      [60, 60, 60],
      [120, 60, 60],
    ]);
    const source = cms50dSource(steady);
    const expected = Array.from({ length: 180 }, (_, i) => decodeCms50dPacket(source.packet(i)).pleth);
    expect(samples(chunks)).toEqual(expected);
    const status = items.find((i) => i.kind === 'oximeter-status');
    // 81 beats a minute: one or two beeps per second
    expect(status).toMatchObject({ device: 'cms50d', flags: { sensorError: false, signalStrength: 6 } });
    expect(status?.kind === 'oximeter-status' && Number(status.flags.pulseBeeps)).toBeGreaterThanOrEqual(1);
  });

  it('Nonin format 7: packets of 25 frames with pleth, SpO2 and heart rate', async () => {
    const pair = await createPtyPair();
    const sink = recordingSink();
    await openSession(pair.hostPath, NONIN_FORMAT_7, sink.sink);
    const sim = await startSimulator('nonin', { devicePath: pair.devicePath, speed: 4, oximeter: steady });
    onCleanup(() => sim.stop());
    await waitFor(() => waves(sink.stored()).length >= 6, 'six packets');

    const items = sink.stored();
    expect(numericValues(items, '59408-5').slice(0, 6)).toEqual(Array(6).fill(96));
    expect(numericValues(items, '8889-8').slice(0, 6)).toEqual(Array(6).fill(81));
    const expected = decodeCapture('nonin', noninSource(steady).packet(0)).items;
    expect(samples(waves(items).slice(0, 1))).toEqual(samples(waves(expected)));
    expect(waves(items)[0]).toMatchObject({ sampleRate: 75, startSample: 0 });
    expect(items.find((i) => i.kind === 'oximeter-status')).toMatchObject({
      flags: { perfusion: 'green', firmwareRevision: 0x2b, sensorDisconnected: false },
    });
  });

  it('Masimo Rad-8: one ASCII line a second becomes SpO2, pulse and PI with the device time', async () => {
    const pair = await createPtyPair();
    const sink = recordingSink();
    await openSession(pair.hostPath, MASIMO_RAD8, sink.sink);
    const sim = await startSimulator('masimo', {
      devicePath: pair.devicePath,
      speed: 10,
      oximeter: { ...steady, startTime: new Date('2026-03-01T23:59:58Z') },
    });
    onCleanup(() => sim.stop());
    await waitFor(() => numericValues(sink.stored(), '59408-5').length >= 3, 'three lines');

    const items = sink.stored();
    expect(numericValues(items, '59408-5').slice(0, 3)).toEqual([96, 96, 96]);
    expect(numericValues(items, '8889-8').slice(0, 3)).toEqual([81, 81, 81]);
    expect(numericValues(items, 'MASIMO-PI').slice(0, 3)).toEqual([3.6, 3.6, 3.6]);
    const times = items.flatMap((i) => (i.kind === 'numeric' && i.code.code === '59408-5' ? [i.observedAt] : []));
    expect(times.slice(0, 3)).toEqual(['2026-03-01T23:59:58', '2026-03-01T23:59:59', '2026-03-02T00:00:00']);
    expect(items.find((i) => i.kind === 'oximeter-status')).toMatchObject({ serialNumber: '0000012345' });
  });

  it('ECG stream at 500 Hz from the synthetic ECG: two channels, exact samples, scale in nV', async () => {
    const pair = await createPtyPair();
    const sink = recordingSink();
    await openSession(pair.hostPath, ECG_FRONT_END, sink.sink);
    const sim = await startSimulator('ecg', { devicePath: pair.devicePath, speed: 2, ecg: { sampleRate: 500 } });
    onCleanup(() => sim.stop());
    await waitFor(() => waves(sink.stored(), 1).length >= 30, 'thirty frames');

    const source = ecgSource({ sampleRate: 500 });
    const expected = decodeCapture('ecg', Buffer.concat(Array.from({ length: 30 }, (_, i) => source.packet(i)))).items;
    const got = waves(sink.stored());
    for (const ch of [1, 2]) expect(samples(waves(got, ch).slice(0, 30))).toEqual(samples(waves(expected, ch)));
    expect(waves(got, 1)[0]).toMatchObject({ sampleRate: 500, unit: 'nV', scale: 1000, sequence: 0 });
    // a heartbeat within the first 1.2 s: an R peak near 1.2 mV (1200 µV counts)
    expect(Math.max(...samples(waves(got, 1).slice(0, 30)))).toBeGreaterThan(1000);
  });

  it('ECG stream from MIT-BIH record 101 (read at run time): samples equal the record at 360 Hz', async () => {
    const header = path.join(SHARED_FIXTURES, 'ecg/mitdb/101.hea');
    const record = await readWfdbRecord(header, { maxSamples: 3600 });
    const pair = await createPtyPair();
    const sink = recordingSink();
    await openSession(pair.hostPath, ECG_FRONT_END, sink.sink);
    const sim = await startSimulator('ecg', { devicePath: pair.devicePath, speed: 4, ecg: { wfdbHeader: header } });
    onCleanup(() => sim.stop());
    await waitFor(() => waves(sink.stored(), 1).length >= 50, 'fifty frames');

    const got = waves(sink.stored());
    expect(waves(got, 1)[0]).toMatchObject({ sampleRate: 360, unit: 'nV', scale: 5000 });
    for (const [c, signal] of record.header.signals.entries()) {
      const received = samples(waves(got, c + 1).slice(0, 50));
      const want = Array.from(record.samples[c] ?? [], (v) => v - signal.baseline).slice(0, received.length);
      expect(received.length).toBe(50 * 14);
      expect(received).toEqual(want);
    }
  });
});
