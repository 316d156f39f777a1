import type { Output, UserSummary } from '../../main/api';
import { ErrorAlert } from '../components/ErrorAlert';
import { formatDateTime } from '../format/dates';
import type { HostData } from '../hooks/useHostData';
import { useI18n } from '../i18n/LanguageContext';
import { CreateUserForm } from './CreateUserForm';

interface UsersSectionProps {
  users: HostData<Output<'users.list'>>;
  canCreate: boolean;
  onCreated: () => void;
}

export function UsersSection({ users, canCreate, onCreated }: UsersSectionProps) {
  const { t } = useI18n();
  const list = users.data?.users ?? [];
  return (
    <section className="card" aria-labelledby="users-title" data-testid="admin-users">
      <h2 id="users-title">{t('admin.users')}</h2>
      <ErrorAlert error={users.failure} />
      {users.data && list.length === 0 && <p className="empty">{t('users.none')}</p>}
      {list.length > 0 && <UsersTable users={list} />}
      {canCreate && (
        <CreateUserForm
          onCreated={() => {
            users.reload();
            onCreated();
          }}
        />
      )}
    </section>
  );
}

function UsersTable({ users }: { users: readonly UserSummary[] }) {
  const { t, locale } = useI18n();
  return (
    <table className="table">
      <thead>
        <tr>
          <th scope="col">{t('users.col.username')}</th>
          <th scope="col">{t('users.col.name')}</th>
          <th scope="col">{t('users.col.role')}</th>
          <th scope="col">{t('users.col.status')}</th>
          <th scope="col">{t('users.col.created')}</th>
        </tr>
      </thead>
      <tbody>
        {users.map((u) => (
          <tr key={u.id} data-testid="user-row" data-username={u.username}>
            <td className="mono" dir="ltr">
              {u.username}
            </td>
            <td dir="auto">{u.displayName}</td>
            <td>{t(`role.${u.role}`)}</td>
            <td>{u.disabled ? t('user.disabled') : t('user.active')}</td>
            <td>{formatDateTime(u.createdAt, locale)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
