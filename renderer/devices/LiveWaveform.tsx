// The scrolling live waveform: uPlot on a canvas, redrawn on each animation frame
// from a LiveTrace. The frame loop allocates nothing of its own: the trace fills
// preallocated arrays, the axis splits and labels are made once per plot.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useI18n } from '../i18n/LanguageContext';
import type { LiveTrace } from './live-trace';

const HEIGHT = 170;
const TRACE_COLOUR = '#0b7a3e';
const GRID_COLOUR = '#dfe5ea';
const AXIS_COLOUR = '#4e5b68';

export function LiveWaveform({ trace, label }: { trace: LiveTrace; label: string }) {
  const { t, lang } = useI18n();
  const container = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const seconds = trace.options.windowSeconds;
    const xRange: uPlot.Range.MinMax = [-seconds, 0];
    const noSignal: uPlot.Range.MinMax = [-1, 1];
    const yRange = () => {
      const range = trace.yRange();
      return Number.isFinite(range[0]) && Number.isFinite(range[1]) ? range : noSignal;
    };
    const splits = Array.from({ length: Math.floor(seconds) + 1 }, (_, i) => i - Math.floor(seconds));
    const labels = splits.map((s) => (s === 0 ? '0' : t('live.seconds', { n: s })));
    const options: uPlot.Options = {
      width: Math.max(200, element.clientWidth),
      height: HEIGHT,
      pxAlign: 0,
      scales: {
        x: { time: false, range: () => xRange },
        y: { range: yRange },
      },
      axes: [
        {
          splits: () => splits,
          values: () => labels,
          stroke: AXIS_COLOUR,
          grid: { stroke: GRID_COLOUR, width: 1 },
          ticks: { stroke: GRID_COLOUR, width: 1 },
        },
        { show: false },
      ],
      series: [{}, { stroke: TRACE_COLOUR, width: 1.75, points: { show: false } }],
      cursor: { show: false, drag: { x: false, y: false } },
      legend: { show: false },
    };
    trace.fill();
    const plot = new uPlot(options, trace.plotData(), element);

    let frame = 0;
    const draw = (now: number) => {
      if (trace.advance(now)) {
        trace.fill();
        plot.setData(trace.plotData());
      }
      frame = requestAnimationFrame(draw);
    };
    frame = requestAnimationFrame(draw);

    const resize = new ResizeObserver(() => {
      const width = Math.max(200, element.clientWidth);
      if (width !== plot.width) plot.setSize({ width, height: HEIGHT });
    });
    resize.observe(element);

    return () => {
      cancelAnimationFrame(frame);
      resize.disconnect();
      plot.destroy();
    };
    // The labels follow the language: a new plot when it changes.
  }, [trace, t, lang]);

  return (
    <figure className="live-waveform">
      <figcaption className="live-waveform__label">{label}</figcaption>
      {/* uPlot lays itself out left to right, whatever the page direction: time runs that way. */}
      <div
        ref={container}
        className="live-waveform__plot"
        data-testid="live-waveform"
        dir="ltr"
        role="img"
        aria-label={t('live.waveformLabel', { label })}
      />
    </figure>
  );
}
