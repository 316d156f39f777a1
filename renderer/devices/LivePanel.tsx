// Live data of a bedside device attached to the patient: big numerics (abnormal
// ones highlighted), whether data is flowing, and the scrolling waveform.
import { lazy, Suspense } from 'react';
import type { DeviceConnection } from '../../main/api';
import { useNow } from '../hooks/useNow';
import { useI18n } from '../i18n/LanguageContext';
import { deviceStateView, formatLiveValue, LIVE_SILENCE_MS, liveStatus, signalText } from './device-model';
import { StateBadge } from './StateBadge';
import { useLiveFeed, type LatestLive, type LiveValue } from './useLiveFeed';

// uPlot comes in its own chunk, loaded when a waveform is first shown.
const LiveWaveform = lazy(() => import('./LiveWaveform').then((m) => ({ default: m.LiveWaveform })));

export function LivePanel({ connection }: { connection: DeviceConnection }) {
  const { t } = useI18n();
  const feed = useLiveFeed(connection.id);
  const now = useNow(1000);
  const status = liveStatus(feed.lastEventMs, now);
  const titleId = `live-title-${connection.id}`;
  return (
    <section
      className={`card live-panel live-panel--${status.kind}`}
      aria-labelledby={titleId}
      data-testid="live-panel"
      data-connection-id={connection.id}
      data-live={status.kind}
    >
      <div className="live-panel__header">
        <h2 id={titleId}>
          {t('live.title')}: <bdi>{connection.label || connection.profileName}</bdi>
        </h2>
        <StateBadge view={deviceStateView(connection, now)} />
        <span className="live-panel__status" role="status" data-testid="live-status">
          {status.kind === 'waiting' && t('live.waiting')}
          {status.kind === 'silent' && t('live.silent', { n: status.seconds })}
        </span>
      </div>
      {feed.numerics.length > 0 && (
        <div className="live-numerics">
          {feed.numerics.map((numeric) => (
            <LiveNumericTile key={numeric.code} numeric={numeric} stale={now - numeric.at >= LIVE_SILENCE_MS} />
          ))}
        </div>
      )}
      {feed.waveform !== null && (
        <Suspense fallback={<p className="loading">{t('app.loading')}</p>}>
          <LiveWaveform trace={feed.trace} label={signalText(feed.waveform.code, feed.waveform.label, t)} />
        </Suspense>
      )}
    </section>
  );
}

function LiveNumericTile({ numeric, stale }: { numeric: LiveValue; stale: boolean }) {
  const { t } = useI18n();
  const classes = ['live-numeric'];
  if (numeric.abnormal) classes.push('live-numeric--abnormal');
  if (stale) classes.push('live-numeric--stale');
  return (
    <div
      className={classes.join(' ')}
      data-testid="live-numeric"
      data-code={numeric.code}
      data-abnormal={numeric.abnormal}
      data-stale={stale}
    >
      <span className="live-numeric__label" dir="auto">
        {numeric.label}
      </span>
      <span className="live-numeric__value" dir="ltr">
        {formatLiveValue(numeric.value)}
        {numeric.unit && <span className="live-numeric__unit"> {numeric.unit}</span>}
      </span>
      {numeric.abnormal && <span className="live-numeric__flag">{t('live.abnormal')}</span>}
    </div>
  );
}

/** A one-line live reading for the Devices screen: "SpO2 97 % · Pulse 72 /min", or the waveform it sends. */
export function LiveInline({ live, now }: { live: LatestLive | undefined; now: number }) {
  const { t } = useI18n();
  const numerics = live?.numerics ?? [];
  const waveform = live?.waveform ?? null;
  if (numerics.length === 0) {
    if (waveform === null) return <span className="muted">—</span>;
    const stale = now - waveform.at >= LIVE_SILENCE_MS;
    return (
      <span className={stale ? 'live-inline live-inline__item--stale' : 'live-inline'} data-testid="device-live">
        {t('devices.liveWaveform', { name: signalText(waveform.code, waveform.label, t) })}
      </span>
    );
  }
  return (
    <span className="live-inline" data-testid="device-live">
      {numerics.map((n) => (
        <span
          key={n.code}
          className={[
            'live-inline__item',
            n.abnormal ? 'live-inline__item--abnormal' : '',
            now - n.at >= LIVE_SILENCE_MS ? 'live-inline__item--stale' : '',
          ]
            .filter(Boolean)
            .join(' ')}
          data-code={n.code}
        >
          <span dir="auto">{n.label}</span>{' '}
          <strong dir="ltr">
            {formatLiveValue(n.value)}
            {n.unit ? ` ${n.unit}` : ''}
          </strong>
        </span>
      ))}
    </span>
  );
}
