// A stored waveform recording as plot data: chunks ('recordings.samples') laid end
// to end on a time axis in seconds. A chunk that follows the previous one continues
// its time exactly (clock jitter between chunks is ignored, so time never goes
// backwards); a chunk that starts clearly later leaves a gap (null) in the line.
import type { Output } from '../../main/api';

export type RecordingChunk = Output<'recordings.samples'>['chunks'][number];

export interface RecordingSeries {
  /** Seconds: Unix time when the chunks carry epoch times. */
  xs: number[];
  ys: (number | null)[];
  /** Samples appended (gaps not counted). */
  samples: number;
  /** Seconds of signal appended. */
  seconds: number;
  /** Sequence number of the last chunk appended, -1 before any. */
  lastSeq: number;
  /** Where the previous chunk ended, in seconds (NaN before any). */
  end: number;
}

/** A chunk further than this from where the previous one ended starts a new segment. */
export const GAP_TOLERANCE_S = 0.25;

export function emptySeries(): RecordingSeries {
  return { xs: [], ys: [], samples: 0, seconds: 0, lastSeq: -1, end: Number.NaN };
}

/**
 * A chunk's start time in seconds. The contract types t0 as a number; the store
 * keeps an integer, which is epoch milliseconds (anything above 1e11 cannot be
 * seconds of this era), otherwise taken as seconds.
 */
export function chunkStartSeconds(t0: number): number {
  return Math.abs(t0) >= 1e11 ? t0 / 1000 : t0;
}

/** Appends chunks (in sequence order) to `series`, in place. Chunks with a bad sample rate are skipped. */
export function appendChunks(series: RecordingSeries, chunks: readonly RecordingChunk[]): RecordingSeries {
  for (const chunk of chunks) {
    const rate = chunk.sampleRate;
    if (!Number.isFinite(rate) || rate <= 0) continue;
    const start = chunkStartSeconds(chunk.t0);
    let x0: number;
    if (Number.isNaN(series.end)) {
      x0 = start;
    } else if (start > series.end + GAP_TOLERANCE_S && Number.isFinite(start)) {
      // A break in the recording: one null point so the line is not drawn across it.
      series.xs.push((series.end + start) / 2);
      series.ys.push(null);
      x0 = start;
    } else {
      x0 = series.end;
    }
    const n = chunk.samples.length;
    for (let i = 0; i < n; i++) {
      series.xs.push(x0 + i / rate);
      series.ys.push(chunk.samples[i] ?? null);
    }
    series.end = x0 + n / rate;
    series.samples += n;
    series.seconds += n / rate;
    series.lastSeq = Math.max(series.lastSeq, chunk.seq);
  }
  return series;
}

/** Whether the chunk times are Unix times (then the plot shows clock time). */
export function isEpochSeries(series: RecordingSeries): boolean {
  return (series.xs[0] ?? 0) > 1e9;
}
