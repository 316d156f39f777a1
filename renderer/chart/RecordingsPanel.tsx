// Waveform recordings of the patient ('patients.recordings'); opening one loads its
// chunks page by page ('recordings.samples') and plots them.
import { lazy, Suspense, useState } from 'react';
import type { RecordingSummary } from '../../main/api';
import { formatDateTime } from '../format/dates';
import { useHostData } from '../hooks/useHostData';
import { useHostEvent } from '../hooks/useHostEvent';
import { useI18n } from '../i18n/LanguageContext';
import { ErrorAlert } from '../components/ErrorAlert';
import { signalText } from '../devices/device-model';

// uPlot comes in its own chunk, loaded when a recording is first opened.
const RecordingPlot = lazy(() => import('./RecordingPlot').then((m) => ({ default: m.RecordingPlot })));

export function RecordingsPanel({ patientId }: { patientId: string }) {
  const { t, locale } = useI18n();
  const recordings = useHostData('patients.recordings', { patientId });
  useHostEvent('device.state', recordings.reload);
  const [open, setOpen] = useState<RecordingSummary | null>(null);
  const list = recordings.data?.recordings ?? [];
  return (
    <section className="card" aria-labelledby="recordings-title">
      <div className="section-header">
        <h2 id="recordings-title">{t('recordings.title')}</h2>
        <button
          type="button"
          className="button button--small"
          onClick={recordings.reload}
          disabled={recordings.loading}
        >
          {t('app.refresh')}
        </button>
      </div>
      <ErrorAlert error={recordings.failure} />
      {recordings.data && list.length === 0 && <p className="empty">{t('recordings.none')}</p>}
      {list.length > 0 && (
        <div className="table-scroll">
          <table className="table table--compact" data-testid="recordings-list">
            <thead>
              <tr>
                <th scope="col">{t('recordings.col.started')}</th>
                <th scope="col">{t('recordings.col.signal')}</th>
                <th scope="col">{t('recordings.col.rate')}</th>
                <th scope="col">{t('recordings.col.chunks')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('recordings.open')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((r) => (
                <tr key={r.id} data-testid="recording-row" data-recording-id={r.id} aria-current={open?.id === r.id}>
                  <td>
                    <time dateTime={r.startedAt}>{formatDateTime(r.startedAt, locale)}</time>
                  </td>
                  <td>
                    <SignalName code={r.code} />
                  </td>
                  <td dir="ltr">{t('recordings.rate', { n: r.sampleRate })}</td>
                  <td>{r.chunks}</td>
                  <td>
                    <button
                      type="button"
                      className="button button--small"
                      data-testid="recording-open"
                      data-recording-id={r.id}
                      onClick={() => setOpen(open?.id === r.id ? null : r)}
                      aria-expanded={open?.id === r.id}
                    >
                      {open?.id === r.id ? t('recordings.close') : t('recordings.open')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {open && (
        <Suspense fallback={<p className="loading">{t('app.loading')}</p>}>
          <RecordingPlot key={open.id} recording={open} />
        </Suspense>
      )}
    </section>
  );
}

function SignalName({ code }: { code: string }) {
  const { t } = useI18n();
  const name = signalText(code, null, t);
  return (
    <>
      {name}
      {name !== code && (
        <>
          {' '}
          <span className="mono muted" dir="ltr">
            {code}
          </span>
        </>
      )}
    </>
  );
}
