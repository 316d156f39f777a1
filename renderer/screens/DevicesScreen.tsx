// Devices: every bedside device and lab analyzer connection, its state and health,
// a live reading; connecting, disconnecting and attaching for those allowed to.
// Refreshed on 'device.state' events and every 5 s ("last data 12 s ago").
import { useState, type ReactNode } from 'react';
import type { DeviceConnection, PatientSummary } from '../../main/api';
import { useClient } from '../app/ClientContext';
import { routeHash } from '../app/routes';
import { useCurrentSession } from '../app/SessionContext';
import { ErrorAlert, SuccessNotice } from '../components/ErrorAlert';
import { PatientPicker } from '../components/PatientPicker';
import { ConnectDeviceForm } from '../devices/ConnectDeviceForm';
import { deviceStateView, errorSummary, formatAgo } from '../devices/device-model';
import { LiveInline } from '../devices/LivePanel';
import { StateBadge } from '../devices/StateBadge';
import { useDeviceConnections } from '../devices/useDeviceConnections';
import { useLatestLive, type LatestLive } from '../devices/useLiveFeed';
import { fullName } from '../format/names';
import { useNow } from '../hooks/useNow';
import { useI18n } from '../i18n/LanguageContext';

const REFRESH_MS = 5_000;

export function DevicesScreen() {
  const { t, tx } = useI18n();
  const { permissions } = useCurrentSession();
  const list = useDeviceConnections(REFRESH_MS);
  const now = useNow(1000);
  const live = useLatestLive();
  const [notice, setNotice] = useState<ReactNode>(null);
  const connections = list.data?.connections ?? [];
  const can = {
    connect: permissions.includes('devices.connect'),
    disconnect: permissions.includes('devices.disconnect'),
    attach: permissions.includes('devices.attach'),
  };

  return (
    <section className="screen" aria-labelledby="devices-title">
      <div className="screen__header">
        <h1 id="devices-title">{t('devices.title')}</h1>
        <button type="button" className="button button--small" onClick={list.reload} disabled={list.loading}>
          {t('app.refresh')}
        </button>
      </div>
      <p className="screen__intro">{t('devices.intro')}</p>
      <ErrorAlert error={list.failure} />
      <SuccessNotice message={notice} />
      {!list.data && !list.failure && <p className="loading">{t('app.loading')}</p>}
      {list.data && connections.length === 0 && <p className="empty">{t('devices.none')}</p>}
      {connections.length > 0 && (
        <ul className="device-list" data-testid="device-list">
          {connections.map((c) => (
            <DeviceRow
              key={c.id}
              connection={c}
              now={now}
              live={live.get(c.id)}
              can={can}
              onChanged={(message) => {
                setNotice(message);
                list.reload();
              }}
            />
          ))}
        </ul>
      )}
      {can.connect && (
        <ConnectDeviceForm
          onConnected={(c) => {
            setNotice(tx('devices.connected', { label: c.label || c.profileName }));
            list.reload();
          }}
        />
      )}
    </section>
  );
}

interface DeviceRowProps {
  connection: DeviceConnection;
  now: number;
  live: LatestLive | undefined;
  can: { disconnect: boolean; attach: boolean };
  onChanged: (message: ReactNode) => void;
}

function DeviceRow({ connection: c, now, live, can, onChanged }: DeviceRowProps) {
  const { t, tx } = useI18n();
  const client = useClient();
  const [attaching, setAttaching] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const view = deviceStateView(c, now);
  const ago = formatAgo(c.lastDataAt, now);
  const errors = errorSummary(c.errorCounts);
  const name = c.label || c.profileName;
  const active = c.state !== 'stopped';
  const bedside = c.kind === 'bedside';

  async function act(action: () => Promise<unknown>, message: ReactNode) {
    setBusy(true);
    setFailure(null);
    try {
      await action();
      setAttaching(false);
      onChanged(message);
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  const attach = (patient: PatientSummary) =>
    act(
      () => client.call('devices.attach', { connectionId: c.id, patientId: patient.id }),
      tx('devices.attached', { label: name, name: fullName(patient) }),
    );

  return (
    <li className="device" data-testid="device-row" data-connection-id={c.id} data-state={c.state} data-kind={c.kind}>
      <div className="device__header">
        <h2 className="device__name" dir="auto">
          {name}
        </h2>
        <StateBadge view={view} />
        {view.reason && (
          <span className="device__reason" data-testid="device-reason" dir="auto">
            {view.reason}
          </span>
        )}
      </div>
      <dl className="facts device__facts">
        <Fact label={t('devices.profile')} wide>
          {c.profileName} <span className="muted">({t(`devices.kind.${c.kind}`)})</span>
        </Fact>
        <Fact label={t('devices.port')}>
          <span className="mono" dir="ltr">
            {c.path}
          </span>
        </Fact>
        <Fact label={t('devices.lastData')}>
          <span data-testid="device-last-data">{t(ago.key, ago.vars)}</span>
        </Fact>
        <Fact label={t('devices.reconnects')}>
          <span data-testid="device-reconnects">{c.reconnects}</span>
        </Fact>
        <Fact label={t('devices.errors')}>
          <span
            data-testid="device-errors"
            data-total={errors.total}
            className={errors.total > 0 ? 'device__errors' : ''}
          >
            {errors.total === 0
              ? t('devices.errors.none')
              : errors.parts.map((p, i) => (
                  <span key={p.kind}>
                    {i > 0 && ', '}
                    <span className="mono" dir="ltr">
                      {p.kind}
                    </span>{' '}
                    {p.count}
                  </span>
                ))}
          </span>
        </Fact>
        <Fact label={t('devices.stored')}>
          <span data-testid="device-stored">{c.itemsStored}</span>
        </Fact>
        <Fact label={t('devices.patient')}>
          {!bedside ? (
            t('devices.patient.lab')
          ) : c.patientId ? (
            <a
              href={routeHash({ screen: 'chart', patientId: c.patientId })}
              data-testid="device-patient-link"
              dir="auto"
            >
              {c.patientName ?? c.patientId}
            </a>
          ) : (
            t('devices.patient.none')
          )}
        </Fact>
        {bedside && (
          <Fact label={t('devices.live')}>
            <LiveInline live={live} now={now} />
          </Fact>
        )}
      </dl>
      {(can.disconnect || (can.attach && bedside)) && active && (
        <div className="device__actions">
          {can.attach && bedside && !attaching && (
            <button
              type="button"
              className="button button--small"
              data-testid="device-attach"
              disabled={busy}
              onClick={() => setAttaching(true)}
            >
              {c.patientId ? t('devices.attachOther') : t('devices.attach')}
            </button>
          )}
          {can.attach && bedside && c.patientId && (
            <button
              type="button"
              className="button button--small"
              data-testid="device-detach"
              disabled={busy}
              onClick={() =>
                void act(
                  () => client.call('devices.attach', { connectionId: c.id, patientId: null }),
                  tx('devices.detached', { label: name }),
                )
              }
            >
              {t('devices.detach')}
            </button>
          )}
          {can.disconnect && (
            <button
              type="button"
              className="button button--small button--danger"
              data-testid="device-disconnect"
              disabled={busy}
              onClick={() =>
                void act(
                  () => client.call('devices.disconnect', { connectionId: c.id }),
                  tx('devices.disconnected', { label: name }),
                )
              }
            >
              {t('devices.disconnect')}
            </button>
          )}
        </div>
      )}
      {attaching && (
        <div className="device__attach" data-testid="device-attach-panel">
          <PatientPicker
            label={t('devices.attachTo', { label: name })}
            testId="device-attach-patient"
            onPick={(p) => void attach(p)}
            autoFocus
          />
          <button type="button" className="button button--small" onClick={() => setAttaching(false)}>
            {t('form.cancel')}
          </button>
        </div>
      )}
      <ErrorAlert error={failure} />
    </li>
  );
}

function Fact({ label, children, wide }: { label: string; children: ReactNode; wide?: boolean }) {
  return (
    <div className={wide ? 'facts__item device__fact--wide' : 'facts__item'}>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}
