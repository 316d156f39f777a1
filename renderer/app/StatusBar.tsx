// Always on screen: is the host reachable, is the database open, which clinic,
// who is logged in, anchoring and sync; plus the language switch and logout.
import { AnchorIndicator } from './AnchorIndicator';
import { SyncIndicator } from './SyncIndicator';
import type { HostStatus } from './useHostStatus';
import type { SessionInfo } from './useSession';
import { useI18n } from '../i18n/LanguageContext';

interface StatusBarProps {
  online: boolean;
  status: HostStatus | null;
  session: SessionInfo | null;
  onLogout: () => void;
}

export function StatusBar({ online, status, session, onLogout }: StatusBarProps) {
  const { t, tx } = useI18n();
  return (
    <header className="status-bar" data-testid="status-bar" aria-label={t('status.label')}>
      <span className="status-bar__brand">{t('app.name')}</span>
      <span className="status-bar__clinic" data-testid="status-clinic">
        {status?.clinicName ?? t('status.noClinic')}
      </span>
      <ConnectionIndicator online={online} />
      <span className="status-bar__item" data-testid="status-database">
        {t('status.database')}: {t(status ? `status.db.${status.state}` : 'status.db.unknown')}
      </span>
      {session && status?.state === 'ready' && session.permissions.includes('anchor.status') && (
        // Mounted at login, so the first reading comes with it; a new user gets a new one.
        <AnchorIndicator key={session.user.id} />
      )}
      {session && status?.state === 'ready' && session.permissions.includes('sync.status') && (
        <SyncIndicator key={session.user.id} permissions={session.permissions} />
      )}
      <span className="status-bar__spacer" />
      {session && (
        <span className="status-bar__item" data-testid="status-user">
          {tx('status.userRole', { name: session.user.displayName, role: t(`role.${session.user.role}`) })}
        </span>
      )}
      <LanguageToggle />
      {session && (
        <button type="button" className="button button--quiet" data-testid="logout" onClick={onLogout}>
          {t('status.logout')}
        </button>
      )}
    </header>
  );
}

function ConnectionIndicator({ online }: { online: boolean }) {
  const { t } = useI18n();
  return (
    <span
      className={online ? 'connection connection--online' : 'connection connection--offline'}
      data-testid="status-connection"
      data-online={online}
    >
      <span className="connection__dot" aria-hidden="true" />
      {online ? t('status.online') : t('status.offline')}
    </span>
  );
}

function LanguageToggle() {
  const { t, lang, toggleLanguage } = useI18n();
  return (
    <button
      type="button"
      className="button button--quiet"
      data-testid="lang-toggle"
      onClick={toggleLanguage}
      lang={lang === 'en' ? 'ar' : 'en'}
      aria-label={t('lang.toggleLabel')}
    >
      {t('lang.toggle')}
    </button>
  );
}
