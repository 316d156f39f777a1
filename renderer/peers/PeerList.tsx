// The clinic's other devices this one knows: connected or not, when they last
// synced, what they have not received yet, their role (which patients they may
// hold); a bundle file for one of them, the role and field teams (RoleForm), and
// revocation, which asks for confirmation and a reason (it cannot be undone).
import { useState, type FormEvent, type ReactNode } from 'react';
import { contract, type SyncPeer, type SyncStatus } from '../../main/api';
import { useClient } from '../app/ClientContext';
import { TextInput } from '../components/TextInput';
import { formatDateTime } from '../format/dates';
import { validateFieldWith } from '../forms/validate';
import { FormFooter } from '../components/FormFooter';
import { useFormSubmit } from '../hooks/useFormSubmit';
import { useI18n } from '../i18n/LanguageContext';
import { ExportBundleButton } from './ExportBundleButton';
import { RoleForm } from './RoleForm';
import { formatTeamList, roleShortKey } from './sharing-model';

interface PeerListProps {
  peers: readonly SyncPeer[];
  onChanged: (status: SyncStatus, message: ReactNode) => void;
}

export function PeerList({ peers, onChanged }: PeerListProps) {
  const { t } = useI18n();
  return (
    <section className="card" aria-labelledby="peer-list-title">
      <h2 id="peer-list-title">{t('peers.list.title')}</h2>
      {peers.length === 0 ? (
        <p className="empty" data-testid="peer-list-empty">
          {t('peers.list.none')}
        </p>
      ) : (
        <ul className="peer-list" data-testid="peer-list">
          {peers.map((p) => (
            <PeerRow key={p.deviceId} peer={p} onChanged={onChanged} />
          ))}
        </ul>
      )}
    </section>
  );
}

function PeerRow({ peer, onChanged }: { peer: SyncPeer; onChanged: PeerListProps['onChanged'] }) {
  const { t, locale } = useI18n();
  const [revoking, setRevoking] = useState(false);
  const [editingRole, setEditingRole] = useState(false);
  const badge = peer.revoked
    ? { tone: 'alert', text: t('peers.state.revoked') }
    : peer.connected
      ? { tone: 'ok', text: t('peers.state.connected') }
      : { tone: 'off', text: t('peers.state.disconnected') };
  return (
    <li
      className="peer"
      data-testid="peer-row"
      data-device-id={peer.deviceId}
      data-connected={peer.connected}
      data-revoked={peer.revoked}
    >
      <div className="peer__header">
        <h3 className="peer__name" dir="auto">
          {peer.name ?? t('peers.unnamed')}
        </h3>
        <span className={`badge badge--${badge.tone}`} data-testid="peer-state">
          <span className="badge__dot" aria-hidden="true" />
          {badge.text}
        </span>
      </div>
      <dl className="facts peer__facts">
        <div className="facts__item">
          <dt>{t('peers.deviceId')}</dt>
          <dd className="mono" dir="ltr">
            {peer.deviceId}
          </dd>
        </div>
        <div className="facts__item">
          <dt>{t('peers.address')}</dt>
          <dd className="mono" dir="ltr">
            {peer.address ?? '—'}
          </dd>
        </div>
        <div className="facts__item">
          <dt>{t('peers.lastSync')}</dt>
          <dd data-testid="peer-last-sync">
            {peer.lastSyncAt ? formatDateTime(peer.lastSyncAt, locale) : t('sync.lastSync.never')}
          </dd>
        </div>
        <div className="facts__item">
          <dt>{t('peers.unsent')}</dt>
          <dd data-testid="peer-unsent">{peer.unsent}</dd>
        </div>
        <div className="facts__item">
          <dt>{t('peers.role.label')}</dt>
          <dd data-testid="peer-role" data-role={peer.role}>
            {t(roleShortKey(peer.role))}
            {peer.role === 'field' && (
              <>
                {' · '}
                <span dir="ltr">
                  {peer.teamIds.length > 0 ? formatTeamList(peer.teamIds) : t('peers.role.noTeams')}
                </span>
              </>
            )}
          </dd>
        </div>
      </dl>
      {peer.contactAfterRevocation && (
        <p className="alert alert--warning" role="alert" data-testid="peer-contact-after-revocation">
          {t('peers.contactAfterRevocation', { time: formatDateTime(peer.contactAfterRevocation, locale) })}
        </p>
      )}
      {editingRole && (
        <RoleForm
          peer={peer}
          onCancel={() => setEditingRole(false)}
          onSaved={(status, message) => {
            setEditingRole(false);
            onChanged(status, message);
          }}
        />
      )}
      {!peer.revoked && !revoking && !editingRole && (
        <div className="peer__actions">
          <ExportBundleButton deviceId={peer.deviceId} />
          <button
            type="button"
            className="button button--small"
            data-testid="peer-role-edit"
            onClick={() => setEditingRole(true)}
          >
            {t('peers.role.edit')}
          </button>
          <button
            type="button"
            className="button button--small button--danger"
            data-testid="peer-revoke"
            onClick={() => setRevoking(true)}
          >
            {t('peers.revoke')}
          </button>
        </div>
      )}
      {revoking && (
        <RevokeConfirm
          peer={peer}
          onCancel={() => setRevoking(false)}
          onRevoked={(status) => {
            setRevoking(false);
            onChanged(status, t('peers.revoked', { name: peer.name ?? peer.deviceId }));
          }}
        />
      )}
    </li>
  );
}

const REASON = contract['peers.revoke'].input.shape.reason;
const FIELDS = ['reason'] as const;

function RevokeConfirm({
  peer,
  onCancel,
  onRevoked,
}: {
  peer: SyncPeer;
  onCancel: () => void;
  onRevoked: (status: SyncStatus) => void;
}) {
  const client = useClient();
  const { t, tx } = useI18n();
  const [reason, setReason] = useState('');
  const form = useFormSubmit(FIELDS);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    let next: SyncStatus | undefined;
    await form.submit({
      localIssues: validateFieldWith(REASON, reason, 'reason', t('peers.revoke.reasonRequired')),
      send: async () => {
        next = await client.call('peers.revoke', { deviceId: peer.deviceId, reason });
      },
    });
    if (next) onRevoked(next);
  }

  return (
    <form className="peer__revoke" onSubmit={onSubmit} noValidate data-testid="peer-revoke-confirm">
      <p className="peer__revoke-question">{tx('peers.revoke.question', { name: peer.name ?? peer.deviceId })}</p>
      <TextInput
        label={t('peers.revoke.reason')}
        testId="peer-revoke-reason"
        dir="auto"
        autoComplete="off"
        value={reason}
        onChange={setReason}
        error={form.errors.fields.reason}
      />
      <FormFooter
        form={form}
        submitLabel={t('peers.revoke.confirm')}
        testIdPrefix="peer-revoke"
        onCancel={onCancel}
        danger
        actionsClassName="peer__actions"
      />
    </form>
  );
}
