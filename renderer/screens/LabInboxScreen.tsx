// The lab inbox: analyzer results whose patient could not be matched wait here
// until someone files them under the right patient ('lab.reconcile'); filed ones
// are listed on their own tab. Refreshed on the 'lab.inbox' event.
import { useState, type ReactNode } from 'react';
import type { LabInboxItem, PatientSummary } from '../../main/api';
import { useClient } from '../app/ClientContext';
import { routeHash } from '../app/routes';
import { ErrorAlert, SuccessNotice } from '../components/ErrorAlert';
import { PatientPicker } from '../components/PatientPicker';
import { formatDateTime } from '../format/dates';
import { fullName } from '../format/names';
import { useHostData } from '../hooks/useHostData';
import { useHostEvent } from '../hooks/useHostEvent';
import { useI18n } from '../i18n/LanguageContext';
import { confirmFilingText, inboxResultRows } from '../lab/inbox-model';
import { LabFlag } from '../lab/LabFlag';

type Tab = 'pending' | 'matched';

export function LabInboxScreen() {
  const { t } = useI18n();
  const [tab, setTab] = useState<Tab>('pending');
  const inbox = useHostData('lab.inbox', { status: tab });
  useHostEvent('lab.inbox', inbox.reload);
  const [notice, setNotice] = useState<ReactNode>(null);
  const items = inbox.data?.items ?? [];

  return (
    <section className="screen" aria-labelledby="inbox-title">
      <div className="screen__header">
        <h1 id="inbox-title">{t('inbox.title')}</h1>
        <button type="button" className="button button--small" onClick={inbox.reload} disabled={inbox.loading}>
          {t('app.refresh')}
        </button>
      </div>
      <p className="screen__intro">{t('inbox.intro')}</p>
      <div className="tabs" role="tablist" aria-label={t('inbox.title')}>
        {(['pending', 'matched'] as const).map((name) => (
          <button
            key={name}
            type="button"
            role="tab"
            className="tabs__tab"
            aria-selected={tab === name}
            data-testid={`inbox-tab-${name}`}
            onClick={() => {
              setTab(name);
              setNotice(null);
            }}
          >
            {t(`inbox.tab.${name}`)}
          </button>
        ))}
      </div>
      <SuccessNotice message={notice} />
      <ErrorAlert error={inbox.failure} />
      <div role="tabpanel" aria-busy={inbox.loading}>
        {!inbox.data && !inbox.failure && <p className="loading">{t('app.loading')}</p>}
        {inbox.data && items.length === 0 && <p className="empty">{t(`inbox.none.${tab}`)}</p>}
        {items.length > 0 && (
          <ul className="inbox-list">
            {items.map((item) => (
              <InboxRow
                key={item.id}
                item={item}
                onFiled={(message) => {
                  setNotice(message);
                  inbox.reload();
                }}
              />
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}

function InboxRow({ item, onFiled }: { item: LabInboxItem; onFiled: (message: ReactNode) => void }) {
  const { t, locale } = useI18n();
  const [filing, setFiling] = useState(false);
  const rows = inboxResultRows(item);
  return (
    <li className="inbox-item" data-testid="inbox-row" data-inbox-id={item.id} data-status={item.status}>
      <dl className="facts">
        <Fact label={t('inbox.received')}>
          <time dateTime={item.receivedAt}>{formatDateTime(item.receivedAt, locale)}</time>
        </Fact>
        <Fact label={t('inbox.analyzer')}>
          <span dir="auto">{item.analyzer}</span>
        </Fact>
        <Fact label={t('inbox.sample')}>
          <span className="mono" dir="ltr" data-testid="inbox-sample">
            {item.sampleId ?? '—'}
          </span>
        </Fact>
        <Fact label={t('inbox.sentIds')}>
          {item.patientIds.length === 0 ? (
            t('inbox.noIds')
          ) : (
            <span className="mono" dir="ltr" data-testid="inbox-sent-ids">
              {item.patientIds.join(', ')}
            </span>
          )}
        </Fact>
        {item.status === 'matched' && (
          <Fact label={t('inbox.filedUnder')}>
            {item.patientId ? (
              <a href={routeHash({ screen: 'chart', patientId: item.patientId })} data-testid="inbox-patient-link">
                {t('inbox.openChart')}
              </a>
            ) : (
              '—'
            )}
          </Fact>
        )}
      </dl>
      <div className="table-scroll">
        <table className="table table--compact lab-table">
          <thead>
            <tr>
              <th scope="col">{t('lab.col.test')}</th>
              <th scope="col">{t('lab.col.value')}</th>
              <th scope="col">{t('lab.col.unit')}</th>
              <th scope="col">{t('lab.col.flag')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr
                key={r.key}
                className={r.flag.abnormal ? 'lab-row lab-row--abnormal' : 'lab-row'}
                data-abnormal={r.flag.abnormal}
              >
                <td dir="auto">{r.test}</td>
                <td className="lab-row__value" dir="ltr">
                  {r.value}
                </td>
                <td dir="ltr">{r.unit ?? ''}</td>
                <td>
                  <LabFlag flag={r.flag} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {item.status === 'pending' &&
        (filing ? (
          <FileUnderPatient item={item} onCancel={() => setFiling(false)} onFiled={onFiled} />
        ) : (
          <button
            type="button"
            className="button button--primary"
            data-testid="inbox-file"
            onClick={() => setFiling(true)}
          >
            {t('inbox.file')}
          </button>
        ))}
    </li>
  );
}

function FileUnderPatient({
  item,
  onCancel,
  onFiled,
}: {
  item: LabInboxItem;
  onCancel: () => void;
  onFiled: (message: ReactNode) => void;
}) {
  const client = useClient();
  const { t, tx } = useI18n();
  const [patient, setPatient] = useState<PatientSummary | null>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);

  async function file(chosen: PatientSummary) {
    setBusy(true);
    setFailure(null);
    try {
      const { entries } = await client.call('lab.reconcile', { inboxId: item.id, patientId: chosen.id });
      onFiled(tx('inbox.filed', { n: entries, name: fullName(chosen) }));
    } catch (error) {
      setFailure(error);
      setBusy(false);
    }
  }

  if (!patient) {
    return (
      <div className="inbox-file">
        <PatientPicker label={t('inbox.choosePatient')} testId="inbox-patient-search" onPick={setPatient} autoFocus />
        <button type="button" className="button button--small" onClick={onCancel}>
          {t('form.cancel')}
        </button>
      </div>
    );
  }
  const question = confirmFilingText(item, { name: fullName(patient), mrn: patient.mrn });
  return (
    <div className="inbox-file inbox-file--confirm" role="group" aria-label={t('inbox.file')}>
      <p className="inbox-file__question" data-testid="inbox-confirm-text">
        {tx(question.key, question.vars ?? {})}
      </p>
      <div className="form-actions">
        <button
          type="button"
          className="button button--primary"
          data-testid="inbox-confirm"
          disabled={busy}
          onClick={() => void file(patient)}
        >
          {busy ? t('form.saving') : t('inbox.confirm')}
        </button>
        <button type="button" className="button" disabled={busy} onClick={() => setPatient(null)}>
          {t('inbox.otherPatient')}
        </button>
        <button type="button" className="button button--quiet" disabled={busy} onClick={onCancel}>
          {t('form.cancel')}
        </button>
      </div>
      <ErrorAlert error={failure} />
    </div>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="facts__item">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}
