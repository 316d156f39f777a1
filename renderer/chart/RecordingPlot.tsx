// One stored recording, plotted: chunks are fetched page by page from the start
// (or from where the previous part ended), with progress, up to MAX_SAMPLES at a
// time; drag across the plot to zoom, double-click to see it all again.
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { RecordingSummary } from '../../main/api';
import { useClient } from '../app/ClientContext';
import { ErrorAlert } from '../components/ErrorAlert';
import { useI18n } from '../i18n/LanguageContext';
import { appendChunks, emptySeries, isEpochSeries, type RecordingSeries } from './recording-data';

/** Chunks asked for per call ('recordings.samples' allows 1–600). */
const PAGE = 60;
/** Samples plotted at once (about 33 min at 500 Hz); the rest is loaded part by part. */
export const MAX_SAMPLES = 1_000_000;
const HEIGHT = 240;

interface Progress {
  chunks: number;
  done: boolean;
  /** Where the next part starts, when the recording goes on past this part. */
  nextSeq: number | null;
}

export function RecordingPlot({ recording }: { recording: RecordingSummary }) {
  const client = useClient();
  const { t, lang } = useI18n();
  const container = useRef<HTMLDivElement>(null);
  const [fromSeq, setFromSeq] = useState(0);
  const [series, setSeries] = useState<RecordingSeries | null>(null);
  const [version, setVersion] = useState(0);
  const [progress, setProgress] = useState<Progress>({ chunks: 0, done: false, nextSeq: null });
  const [failure, setFailure] = useState<unknown>(null);

  // Load one part: pages of chunks until the end of the recording or MAX_SAMPLES.
  useEffect(() => {
    let cancelled = false;
    const part = emptySeries();
    setSeries(part);
    setFailure(null);
    setProgress({ chunks: 0, done: false, nextSeq: null });
    void (async () => {
      let seq = fromSeq;
      let chunks = 0;
      try {
        for (;;) {
          const page = await client.call('recordings.samples', {
            recordingId: recording.id,
            fromSeq: seq,
            limit: PAGE,
          });
          if (cancelled) return;
          appendChunks(part, page.chunks);
          chunks += page.chunks.length;
          const finished = page.chunks.length < PAGE;
          const full = part.samples >= MAX_SAMPLES;
          const next = finished ? null : part.lastSeq + 1;
          setProgress({ chunks, done: finished || full, nextSeq: full ? next : null });
          setVersion((v) => v + 1);
          if (finished || full) return;
          seq = part.lastSeq + 1;
        }
      } catch (error) {
        if (!cancelled) {
          setFailure(error);
          setProgress((p) => ({ ...p, done: true }));
        }
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [client, recording.id, fromSeq]);

  // The plot: made when the first samples arrive, fed again after each page.
  const plot = useRef<uPlot | null>(null);
  const epoch = series !== null && isEpochSeries(series);
  useEffect(() => {
    const element = container.current;
    if (!element || !series || series.samples === 0) return;
    const data: uPlot.AlignedData = [series.xs, series.ys];
    if (plot.current) {
      plot.current.setData(data);
      return;
    }
    const seconds = (_u: uPlot, splits: number[]) => splits.map((s) => t('recordings.secondsTick', { n: round(s) }));
    plot.current = new uPlot(
      {
        width: Math.max(240, element.clientWidth),
        height: HEIGHT,
        scales: { x: { time: epoch } },
        axes: [epoch ? {} : { values: seconds }, {}],
        series: [
          { label: t('recordings.time') },
          { label: recording.code, stroke: '#0b5f73', width: 1.25, points: { show: false } },
        ],
        cursor: { drag: { x: true, y: false } },
      },
      data,
      element,
    );
  }, [series, version, epoch, recording.code, t]);

  // A new plot when the language changes or the part changes; none after unmounting.
  useEffect(() => {
    const element = container.current;
    const resize = new ResizeObserver(() => {
      const p = plot.current;
      if (element && p) {
        const width = Math.max(240, element.clientWidth);
        if (width !== p.width) p.setSize({ width, height: HEIGHT });
      }
    });
    if (element) resize.observe(element);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [lang, fromSeq]);

  const loadedSeconds = series ? Math.round(series.seconds) : 0;
  return (
    <div className="recording" data-testid="recording-view" data-recording-id={recording.id}>
      <p className="recording__status" role="status" data-testid="recording-progress" data-done={progress.done}>
        {progress.done
          ? t('recordings.loaded', { chunks: progress.chunks, seconds: loadedSeconds })
          : t('recordings.loading', { chunks: progress.chunks, total: Math.max(0, recording.chunks - fromSeq) })}
      </p>
      {!progress.done && <progress value={progress.chunks} max={Math.max(1, recording.chunks - fromSeq)} />}
      <ErrorAlert error={failure} />
      {progress.done && series?.samples === 0 && !failure && <p className="empty">{t('recordings.empty')}</p>}
      <div
        ref={container}
        className="recording__plot"
        data-testid="recording-plot"
        data-samples={series?.samples ?? 0}
        dir="ltr"
        role="img"
        aria-label={t('recordings.plotLabel', { code: recording.code })}
      />
      {progress.done && series && series.samples > 0 && <p className="field__hint">{t('recordings.zoomHint')}</p>}
      {progress.nextSeq !== null && (
        <button
          type="button"
          className="button button--small"
          data-testid="recording-next"
          onClick={() => setFromSeq(progress.nextSeq ?? 0)}
        >
          {t('recordings.next')}
        </button>
      )}
    </div>
  );
}

function round(s: number): number {
  return Math.round(s * 100) / 100;
}
