// Live data of one connection from 'device.live' events: the latest value of each
// numeric (in the order first seen) and the waveform, which goes straight into a
// LiveTrace (no React state: the plot reads it on each animation frame).
import { useEffect, useRef, useState } from 'react';
import type { EventPayload, LiveNumeric } from '../../main/api';
import { useClient } from '../app/ClientContext';
import { LiveTrace } from './live-trace';

export interface LiveValue extends LiveNumeric {
  /** When it came (Date.now()). */
  at: number;
}

export interface LiveFeed {
  numerics: readonly LiveValue[];
  /** When the last event of this connection came (Date.now()), null before any. */
  lastEventMs: number | null;
  /** The waveform's code and label, once one has come. */
  waveform: { code: string; label: string } | null;
  trace: LiveTrace;
}

export function useLiveFeed(connectionId: string): LiveFeed {
  const client = useClient();
  const [trace] = useState(() => new LiveTrace());
  const [numerics, setNumerics] = useState<readonly LiveValue[]>([]);
  const [lastEventMs, setLastEventMs] = useState<number | null>(null);
  const [waveform, setWaveform] = useState<{ code: string; label: string } | null>(null);
  const signal = useRef<string | null>(null);

  useEffect(
    () =>
      client.onEvent('device.live', (event: EventPayload<'device.live'>) => {
        if (event.connectionId !== connectionId) return;
        const now = Date.now();
        setLastEventMs(now);
        if (event.numerics.length > 0) setNumerics((current) => mergeNumerics(current, event.numerics, now));
        const wave = event.waveform;
        if (wave && trace.append(wave.samples, wave.sampleRate, wave.code)) {
          const key = `${wave.code}\u0000${wave.label}`;
          if (signal.current !== key) {
            signal.current = key;
            setWaveform({ code: wave.code, label: wave.label });
          }
        }
      }),
    [client, connectionId, trace],
  );

  return { numerics, lastEventMs, waveform, trace };
}

/** The latest value of each code, in the order codes were first seen. */
export function mergeNumerics(
  current: readonly LiveValue[],
  incoming: readonly LiveNumeric[],
  at: number,
): LiveValue[] {
  const next = [...current];
  for (const numeric of incoming) {
    const i = next.findIndex((n) => n.code === numeric.code);
    const value = { ...numeric, at };
    if (i === -1) next.push(value);
    else next[i] = value;
  }
  return next;
}

export interface LatestLive {
  numerics: readonly LiveValue[];
  /** The last waveform seen: its code and label, and when (Date.now()). */
  waveform: { code: string; label: string; at: number } | null;
}

/**
 * The latest live data of every connection, for the Devices screen: kept in a ref as
 * events come, copied to React state once a second (the screen ticks anyway).
 */
export function useLatestLive(): ReadonlyMap<string, LatestLive> {
  const client = useClient();
  const latest = useRef(new Map<string, LatestLive>());
  const dirty = useRef(false);
  const [snapshot, setSnapshot] = useState<ReadonlyMap<string, LatestLive>>(() => new Map());
  useEffect(() => {
    const off = client.onEvent('device.live', (event) => {
      const map = latest.current;
      const current = map.get(event.connectionId) ?? { numerics: [], waveform: null };
      const now = Date.now();
      map.set(event.connectionId, {
        numerics: event.numerics.length > 0 ? mergeNumerics(current.numerics, event.numerics, now) : current.numerics,
        waveform: event.waveform
          ? { code: event.waveform.code, label: event.waveform.label, at: now }
          : current.waveform,
      });
      dirty.current = true;
    });
    const timer = setInterval(() => {
      if (!dirty.current) return;
      dirty.current = false;
      setSnapshot(new Map(latest.current));
    }, 1000);
    return () => {
      off();
      clearInterval(timer);
    };
  }, [client]);
  return snapshot;
}
