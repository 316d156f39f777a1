import type { Route } from './routes';
import { useHostData } from '../hooks/useHostData';
import { useHostEvent } from '../hooks/useHostEvent';
import { useI18n } from '../i18n/LanguageContext';
import { useSyncStatus } from '../peers/useSyncStatus';

interface NavBarProps {
  route: Route;
  showAdmin: boolean;
  permissions: readonly string[];
}

export function NavBar({ route, showAdmin, permissions }: NavBarProps) {
  const { t } = useI18n();
  const current = (active: boolean) => (active ? ('page' as const) : undefined);
  return (
    <nav className="nav" aria-label={t('nav.label')}>
      <a
        href="#/patients"
        data-testid="nav-patients"
        aria-current={current(route.screen === 'patients' || route.screen === 'chart')}
      >
        {t('nav.patients')}
      </a>
      <a href="#/register" data-testid="nav-register" aria-current={current(route.screen === 'register')}>
        {t('nav.register')}
      </a>
      {permissions.includes('devices.list') && (
        <a href="#/devices" data-testid="nav-devices" aria-current={current(route.screen === 'devices')}>
          {t('nav.devices')}
        </a>
      )}
      {permissions.includes('lab.inbox') && <LabInboxLink active={route.screen === 'lab-inbox'} />}
      {permissions.includes('conflicts.list') && <ConflictsLink active={route.screen === 'conflicts'} />}
      {permissions.includes('sync.enrollmentCode') && (
        <a href="#/peers" data-testid="nav-peers" aria-current={current(route.screen === 'peers')}>
          {t('nav.peers')}
        </a>
      )}
      {showAdmin && (
        <a href="#/admin" data-testid="nav-admin" aria-current={current(route.screen === 'admin')}>
          {t('nav.admin')}
        </a>
      )}
      <a href="#/ledger" data-testid="nav-ledger" aria-current={current(route.screen === 'ledger')}>
        {t('nav.ledger')}
      </a>
      <a href="#/verify" data-testid="nav-verify" aria-current={current(route.screen === 'verify')}>
        {t('nav.verify')}
      </a>
    </nav>
  );
}

/** "Lab inbox" with the number of results waiting to be filed, kept fresh by the 'lab.inbox' event. */
function LabInboxLink({ active }: { active: boolean }) {
  const { t } = useI18n();
  const pending = useHostData('lab.inbox', { status: 'pending' });
  useHostEvent('lab.inbox', pending.reload);
  const count = pending.data?.items.length ?? 0;
  return (
    <CountedLink
      href="#/lab-inbox"
      testId="nav-lab-inbox"
      active={active}
      label={t('nav.labInbox')}
      count={count}
      countLabel={t('nav.labInboxPending', { n: count })}
    />
  );
}

/** A menu link with a badge counting what waits there (hidden at zero). */
function CountedLink(props: {
  href: string;
  testId: string;
  active: boolean;
  label: string;
  count: number;
  countLabel: string;
}) {
  return (
    <a href={props.href} data-testid={props.testId} aria-current={props.active ? 'page' : undefined}>
      {props.label}
      {props.count > 0 && (
        <span className="nav__count" data-testid={`${props.testId}-count`} aria-label={props.countLabel}>
          {props.count}
        </span>
      )}
    </a>
  );
}

/**
 * "Conflicts" with the number waiting for review. The count comes from 'sync.status'
 * (counts only) rather than 'conflicts.list', whose every call is an audited read of
 * chart values: a menu badge must not fill the audit log.
 */
function ConflictsLink({ active }: { active: boolean }) {
  const { t } = useI18n();
  const status = useSyncStatus(30_000);
  const count = status.data?.conflicts ?? 0;
  return (
    <CountedLink
      href="#/conflicts"
      testId="nav-conflicts"
      active={active}
      label={t('nav.conflicts')}
      count={count}
      countLabel={t('nav.conflictsOpen', { n: count })}
    />
  );
}
