// Administration: users, the audit chain, clinic figures. Each section loads on
// its own, so a role allowed only some of them still sees those.
import { AuditSection } from '../admin/AuditSection';
import { StatsSection } from '../admin/StatsSection';
import { UsersSection } from '../admin/UsersSection';
import { useCurrentSession } from '../app/SessionContext';
import { useHostData } from '../hooks/useHostData';
import { useI18n } from '../i18n/LanguageContext';

export function AdminScreen() {
  const { t } = useI18n();
  const { permissions } = useCurrentSession();
  const users = useHostData('users.list', {});
  const stats = useHostData('stats.get', {});
  const userNames = new Map((users.data?.users ?? []).map((u) => [u.id, u.displayName]));
  return (
    <section className="screen" aria-labelledby="admin-title">
      <h1 id="admin-title">{t('admin.title')}</h1>
      <StatsSection stats={stats} />
      <UsersSection users={users} canCreate={permissions.includes('users.create')} onCreated={stats.reload} />
      <AuditSection userNames={userNames} canVerify={permissions.includes('audit.verify')} />
    </section>
  );
}
