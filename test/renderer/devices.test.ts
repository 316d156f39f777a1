import { describe, expect, it } from 'vitest';
import { DEVICE_STATES, DeviceConnection } from '../../main/api';
import {
  deviceStateView,
  errorSummary,
  formatAgo,
  formatLiveValue,
  LIVE_SILENCE_MS,
  liveConnectionsOf,
  liveStatus,
  portLabel,
  SILENT_BEDSIDE_MS,
  signalText,
} from '../../renderer/devices/device-model';
import { LiveTrace, stableRange } from '../../renderer/devices/live-trace';
import { SampleRing } from '../../renderer/devices/sample-ring';
import { mergeNumerics } from '../../renderer/devices/useLiveFeed';
import { ar } from '../../renderer/i18n/ar';
import { en } from '../../renderer/i18n/en';
import { translate, type Text } from '../../renderer/i18n/translate';

const say = (text: Text, dict = en) => translate(dict, text.key, text.vars);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('SampleRing', () => {
  it('keeps the newest samples when it wraps around, with their absolute indexes', () => {
    const ring = new SampleRing(5);
    ring.push([0, 1, 2]);
    expect([ring.length, ring.written, ring.firstIndex]).toEqual([3, 3, 0]);
    ring.push([3, 4, 5, 6]);
    expect([ring.length, ring.written, ring.firstIndex]).toEqual([5, 7, 2]);
    expect(range(0, 8).map((i) => ring.at(i))).toEqual([NaN, NaN, 2, 3, 4, 5, 6, NaN]);
    expect(ring.last()).toBe(6);
    // Many wraps, one sample at a time.
    for (let v = 7; v < 1000; v++) ring.push([v]);
    expect(range(995, 1000).map((i) => ring.at(i))).toEqual([995, 996, 997, 998, 999]);
  });

  it('keeps only the tail of a batch longer than itself', () => {
    const ring = new SampleRing(4);
    ring.push([1]);
    ring.push(range(100, 110));
    expect(ring.written).toBe(11);
    expect(ring.firstIndex).toBe(7);
    const out = new Float64Array(4);
    expect(ring.copyTo(ring.firstIndex, 4, out)).toBe(4);
    expect([...out]).toEqual([106, 107, 108, 109]);
  });

  it('copies a range across the wrap point, skipping what is not kept', () => {
    const ring = new SampleRing(6);
    ring.push(range(0, 10)); // keeps 4..9, stored wrapped
    const out = new Float64Array(8).fill(-1);
    expect(ring.copyTo(2, 5, out, 1)).toBe(3); // 2 and 3 are gone
    expect([...out]).toEqual([-1, 4, 5, 6, -1, -1, -1, -1]);
    expect(ring.copyTo(8, 10, out)).toBe(2); // only 8 and 9 exist
    expect([...out.slice(0, 2)]).toEqual([8, 9]);
    expect(ring.copyTo(20, 3, out)).toBe(0);
    // Never writes past the end of `out`.
    const small = new Float64Array(2);
    expect(ring.copyTo(4, 6, small)).toBe(2);
    expect([...small]).toEqual([4, 5]);
  });

  it('finds the smallest and largest kept sample of a range', () => {
    const ring = new SampleRing(4);
    ring.push([9, -3, 7, 2, 5, 1]); // keeps 7 2 5 1 (indexes 2..5)
    expect(ring.minMax(0, 10, [0, 0])).toEqual([1, 7]);
    expect(ring.minMax(3, 4, [0, 0])).toEqual([2, 5]);
    expect(ring.minMax(7, 9, [0, 0])).toEqual([NaN, NaN]);
  });

  it('resizes keeping the newest samples and their indexes, then wraps correctly', () => {
    const ring = new SampleRing(5);
    ring.push(range(0, 8)); // keeps 3..7, wrapped
    ring.resize(3);
    expect([ring.capacity, ring.length, ring.firstIndex, ring.written]).toEqual([3, 3, 5, 8]);
    expect(range(5, 8).map((i) => ring.at(i))).toEqual([5, 6, 7]);
    ring.push([8]);
    expect(range(6, 9).map((i) => ring.at(i))).toEqual([6, 7, 8]);
    ring.resize(10);
    expect([ring.capacity, ring.length, ring.firstIndex]).toEqual([10, 3, 6]);
    ring.push(range(9, 15));
    expect(range(6, 15).map((i) => ring.at(i))).toEqual(range(6, 15));
    ring.clear();
    expect([ring.length, ring.written, ring.at(0)]).toEqual([0, 0, NaN]);
    expect(() => new SampleRing(0)).toThrow(RangeError);
    expect(() => ring.resize(2.5)).toThrow(RangeError);
  });
});

describe('LiveTrace', () => {
  const RATE = 500;

  it('shows nothing until the playhead reaches the first sample', () => {
    const trace = new LiveTrace({ windowSeconds: 2, latencySeconds: 0.5, maxLagSeconds: 2 });
    expect(trace.advance(0)).toBe(false); // no data
    trace.append(range(0, 125), RATE, 'pleth'); // 0.25 s, less than the latency
    expect(trace.advance(1000)).toBe(true);
    expect(trace.fill()).toBe(0);
  });

  it('lays the visible samples on a time axis ending at 0 s, 1/rate apart, at the playhead', () => {
    const trace = new LiveTrace({ windowSeconds: 2, latencySeconds: 0.5, maxLagSeconds: 2 });
    trace.append(range(0, 3 * RATE), RATE, 'ecg'); // 3 s of samples valued by their index
    trace.advance(1000); // playhead = 1500 - 250 = 1250
    const n = trace.fill();
    expect(n).toBe(2 * RATE);
    const xs = [...trace.xs.subarray(0, n)];
    const ys = [...trace.ys.subarray(0, n)];
    expect(ys[n - 1]).toBe(1250);
    expect(ys[0]).toBe(1250 - 2 * RATE + 1);
    expect(xs[n - 1]).toBeCloseTo(0, 9);
    expect(xs[0]).toBeCloseTo(-(2 * RATE - 1) / RATE, 9);
    for (let i = 1; i < n; i++) expect(xs[i]! - xs[i - 1]!).toBeCloseTo(1 / RATE, 9);
    // Each y is the sample whose index the x stands for.
    for (let i = 0; i < n; i += 97) expect(ys[i]).toBe(Math.round(1250 + xs[i]! * RATE));
  });

  it('plays at the sample rate between batches and stops at the newest sample', () => {
    const trace = new LiveTrace({ windowSeconds: 2, latencySeconds: 0.5, maxLagSeconds: 2 });
    trace.append(range(0, RATE), RATE, 'ecg');
    trace.advance(0); // playhead 250
    trace.advance(100); // ~0.1 s later: about 50 samples further
    trace.fill();
    const newest = trace.ys[trace.count - 1]!;
    expect(newest).toBeGreaterThanOrEqual(299);
    expect(newest).toBeLessThanOrEqual(301);
    // With x fractional, the last sample sits within one period before 0.
    expect(trace.xs[trace.count - 1]).toBeLessThanOrEqual(0);
    expect(trace.xs[trace.count - 1]).toBeGreaterThan(-1 / RATE);
    // No new data for two seconds: the trace halts on the last sample.
    trace.advance(1100);
    trace.advance(2100);
    trace.fill();
    expect(trace.ys[trace.count - 1]).toBe(RATE - 1);
    expect(trace.advance(3100)).toBe(false);
  });

  it('jumps forward when it has fallen too far behind', () => {
    const trace = new LiveTrace({ windowSeconds: 2, latencySeconds: 0.5, maxLagSeconds: 1 });
    trace.append(range(0, RATE), RATE, 'ecg');
    trace.advance(0);
    trace.append(range(RATE, 6 * RATE), RATE, 'ecg'); // 5 s arrive at once (tab was hidden)
    trace.advance(10);
    trace.fill();
    expect(trace.ys[trace.count - 1]).toBe(6 * RATE - 250);
  });

  it('starts afresh with another signal or sample rate, and ignores unusable rates', () => {
    const trace = new LiveTrace({ windowSeconds: 1, latencySeconds: 0.25, maxLagSeconds: 1 });
    trace.append(range(0, 750), RATE, 'ecg');
    trace.advance(0);
    expect(trace.fill()).toBe(RATE);
    expect(trace.append([1, 2], 0, 'ecg')).toBe(false);
    expect(trace.append([1, 2], Number.NaN, 'ecg')).toBe(false);
    expect(trace.samples.written).toBe(750);
    trace.append(range(0, 100), 75, 'pleth');
    expect([trace.sampleRate, trace.code, trace.samples.written, trace.count]).toEqual([75, 'pleth', 100, 0]);
    expect(trace.xs.length).toBe(75);
    expect(trace.samples.capacity).toBe(Math.ceil((1 + 0.25 + 1 + 1) * 75));
    trace.advance(0);
    expect(trace.fill()).toBe(75);
  });

  it('hands the plot the same arrays frame after frame once the window is full', () => {
    const trace = new LiveTrace({ windowSeconds: 1, latencySeconds: 0.25, maxLagSeconds: 1 });
    trace.append(range(0, 2 * RATE), RATE, 'ecg');
    trace.advance(0);
    trace.fill();
    const first = trace.plotData();
    trace.append(range(0, 50), RATE, 'ecg');
    trace.advance(16);
    trace.fill();
    const second = trace.plotData();
    expect(second).toBe(first);
    expect(second[0].length).toBe(RATE);
    expect(second[0].buffer).toBe(trace.xs.buffer);
  });

  it('keeps a y range that grows at once and shrinks only when the signal becomes much smaller', () => {
    const r: [number, number] = [NaN, NaN];
    expect(stableRange(r, 0, 10)).toEqual([-1, 11]);
    expect(stableRange(r, 2, 8)).toEqual([-1, 11]); // still more than half: kept
    expect(stableRange(r, -5, 10)).toEqual([-6.5, 11.5]); // grows
    expect(stableRange(r, 0, 4)).toEqual([-0.4, 4.4]); // less than half: shrinks
    expect(stableRange(r, NaN, 3)).toEqual([-0.4, 4.4]);
    expect(stableRange([NaN, NaN], 5, 5)).toEqual([4, 6]); // flat signal
    const trace = new LiveTrace({ windowSeconds: 1, latencySeconds: 0, maxLagSeconds: 1 });
    trace.append([3, 9, 6, 1, 4], 5, 'pleth');
    trace.advance(0);
    trace.fill();
    expect(trace.yRange()).toEqual([1 - 0.8, 9 + 0.8]);
  });
});

function connection(over: Partial<DeviceConnection> = {}): DeviceConnection {
  return DeviceConnection.parse({
    id: 'c1',
    profileId: 'cms50d',
    profileName: 'Contec CMS50D+',
    kind: 'bedside',
    path: '/dev/ttyUSB0',
    label: 'Bed 3 oximeter',
    patientId: 'p1',
    patientName: 'Zainab Ali',
    enabled: true,
    state: 'connected',
    stateReason: null,
    lastDataAt: '2026-03-01T08:00:00.000Z',
    reconnects: 0,
    errorCounts: {},
    itemsStored: 12,
    ...over,
  });
}

const T0 = Date.parse('2026-03-01T08:00:00.000Z');

describe('device state badge', () => {
  it('gives every state a colour and a label in both languages', () => {
    const views = DEVICE_STATES.map((state) => deviceStateView(connection({ state }), T0));
    expect(views.map((v) => [v.state, v.tone])).toEqual([
      ['stopped', 'off'],
      ['connecting', 'busy'],
      ['negotiating', 'busy'],
      ['connected', 'ok'],
      ['lost', 'alert'],
    ]);
    expect(views.map((v) => en[v.label])).toEqual([
      'Stopped',
      'Connecting',
      'Negotiating',
      'Connected',
      'Connection lost',
    ]);
    for (const v of views) expect(ar[v.label]).toMatch(/[\u0600-\u06FF]/);
  });

  it("carries the host's reason, trimmed, and none when blank", () => {
    expect(deviceStateView(connection({ state: 'lost', stateReason: ' cable unplugged ' }), T0).reason).toBe(
      'cable unplugged',
    );
    expect(deviceStateView(connection({ state: 'lost', stateReason: '  ' }), T0).reason).toBeNull();
  });

  it('warns about a connected bedside device that has gone silent, not about a quiet lab analyzer', () => {
    const late = T0 + SILENT_BEDSIDE_MS + 1;
    expect(deviceStateView(connection(), late)).toMatchObject({ tone: 'warning', label: 'devices.state.silent' });
    expect(deviceStateView(connection(), T0 + SILENT_BEDSIDE_MS)).toMatchObject({ tone: 'ok' });
    expect(deviceStateView(connection({ kind: 'lab' }), late)).toMatchObject({
      tone: 'ok',
      label: 'devices.state.connected',
    });
    expect(deviceStateView(connection({ lastDataAt: null }), late)).toMatchObject({ tone: 'ok' });
    expect(deviceStateView(connection({ state: 'lost' }), late)).toMatchObject({ tone: 'alert' });
  });
});

describe('last data "N s ago"', () => {
  const at = '2026-03-01T08:00:00.000Z';
  it('counts seconds, then minutes, hours and days', () => {
    expect(say(formatAgo(at, T0 + 12_400))).toBe('12 s ago');
    expect(say(formatAgo(at, T0 + 59_999))).toBe('59 s ago');
    expect(say(formatAgo(at, T0 + 60_000))).toBe('1 min ago');
    expect(say(formatAgo(at, T0 + 3_599_000))).toBe('59 min ago');
    expect(say(formatAgo(at, T0 + 2 * 3_600_000 + 5))).toBe('2 h ago');
    expect(say(formatAgo(at, T0 + 3 * 86_400_000))).toBe('3 days ago');
    expect(say(formatAgo(at, T0 + 12_400), ar)).toBe('قبل 12 ث');
  });

  it('says "just now" under a second or for a time ahead of the clock, and "no data yet" without one', () => {
    expect(say(formatAgo(at, T0 + 999))).toBe('Just now');
    expect(say(formatAgo(at, T0 - 5000))).toBe('Just now');
    expect(say(formatAgo(null, T0))).toBe('No data yet');
    expect(say(formatAgo('not a date', T0))).toBe('No data yet');
  });
});

describe('device facts', () => {
  it('lists non-zero error counts, largest first, with their total', () => {
    expect(errorSummary({ checksum: 2, timeout: 5, framing: 0, nak: 2 })).toEqual({
      total: 9,
      parts: [
        { kind: 'timeout', count: 5 },
        { kind: 'checksum', count: 2 },
        { kind: 'nak', count: 2 },
      ],
    });
    expect(errorSummary({})).toEqual({ total: 0, parts: [] });
  });

  it('names a detected port by its path, maker and serial number', () => {
    expect(portLabel({ path: '/dev/ttyUSB0', manufacturer: 'Prolific', serialNumber: 'A1B2' })).toBe(
      '/dev/ttyUSB0 — Prolific (A1B2)',
    );
    expect(portLabel({ path: '/dev/pts/4', manufacturer: null, serialNumber: ' ' })).toBe('/dev/pts/4');
  });

  it('finds the bedside devices attached to a patient that are not stopped', () => {
    const list = [
      connection({ id: 'a' }),
      connection({ id: 'b', patientId: 'p2' }),
      connection({ id: 'c', state: 'stopped' }),
      connection({ id: 'd', kind: 'lab' }),
      connection({ id: 'e', state: 'lost' }),
    ];
    expect(liveConnectionsOf(list, 'p1').map((c) => c.id)).toEqual(['a', 'e']);
  });
});

describe('signal names', () => {
  it('names the oximeter pleth by its usual name, other signals by their label or code', () => {
    const t = (key: Parameters<typeof translate>[1]) => translate(en, key);
    expect(signalText('MDC:150452', 'MDC_PULS_OXIM_PLETH', t)).toBe('Pleth (plethysmogram)');
    expect(signalText('x', 'MDC_PULS_OXIM_PLETH', t)).toBe('Pleth (plethysmogram)');
    expect(signalText('local:ECG-CH1', 'ECG channel 1', t)).toBe('ECG channel 1');
    expect(signalText('local:ECG-CH2', ' ', t)).toBe('local:ECG-CH2');
  });
});

describe('live numerics', () => {
  it('says whether data flows: waiting, live, or silent for N s after 10 s', () => {
    expect(liveStatus(null, T0)).toEqual({ kind: 'waiting' });
    expect(liveStatus(T0, T0 + LIVE_SILENCE_MS - 1)).toEqual({ kind: 'live' });
    expect(liveStatus(T0, T0 + LIVE_SILENCE_MS)).toEqual({ kind: 'silent', seconds: 10 });
    expect(translate(en, 'live.silent', { n: 10 })).toBe('No data for 10 s');
  });

  it('shows whole numbers as they are and others with one decimal', () => {
    expect([97, 36.75, 0.5, Number.NaN].map(formatLiveValue)).toEqual(['97', '36.8', '0.5', '—']);
  });

  it('keeps the latest value of each code in the order first seen', () => {
    const spo2 = { code: 'spo2', label: 'SpO2', value: 97, unit: '%', abnormal: false };
    const pulse = { code: 'pulse', label: 'Pulse', value: 72, unit: '/min', abnormal: false };
    const first = mergeNumerics([], [spo2, pulse], 1);
    const next = mergeNumerics(first, [{ ...spo2, value: 88, abnormal: true }], 2);
    expect(next.map((n) => [n.code, n.value, n.abnormal, n.at])).toEqual([
      ['spo2', 88, true, 2],
      ['pulse', 72, false, 1],
    ]);
    expect(first[0]?.value).toBe(97); // not changed in place
  });
});
