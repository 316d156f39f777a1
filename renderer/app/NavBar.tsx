import type { Route } from './routes';
import { useI18n } from '../i18n/LanguageContext';

export function NavBar({ route, showAdmin }: { route: Route; showAdmin: boolean }) {
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
