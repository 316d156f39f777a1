// Which screen to show follows from the host's state and the session:
// uninitialized → setup, locked → unlock, ready → login or the workspace.
import { useEffect } from 'react';
import { ErrorAlert } from '../components/ErrorAlert';
import { navigate } from '../hooks/useHashRoute';
import { useI18n } from '../i18n/LanguageContext';
import { LoginScreen } from '../screens/LoginScreen';
import { SetupScreen } from '../screens/SetupScreen';
import { UnlockScreen } from '../screens/UnlockScreen';
import { StatusBar } from './StatusBar';
import { useHostStatus, type HostStatusState } from './useHostStatus';
import { useSession, type SessionState } from './useSession';
import { Workspace } from './Workspace';

export function App() {
  const host = useHostStatus();
  const auth = useSession(host.status?.state === 'ready', host.online);
  const { t } = useI18n();

  useEffect(() => {
    document.title = host.status?.clinicName ? `${t('app.name')} — ${host.status.clinicName}` : t('app.name');
  }, [host.status?.clinicName, t]);

  async function logOut() {
    await auth.logOut();
    navigate({ screen: 'patients' });
  }

  return (
    <div className="app">
      <StatusBar online={host.online} status={host.status} session={auth.session} onLogout={() => void logOut()} />
      <CurrentScreen host={host} auth={auth} />
    </div>
  );
}

function CurrentScreen({ host, auth }: { host: HostStatusState; auth: SessionState }) {
  const { t } = useI18n();
  const { status } = host;
  if (!status) {
    return (
      <main className="main main--centered">
        {host.failure ? (
          <Unreachable failure={host.failure} onRetry={() => void host.refresh()} />
        ) : (
          <p className="loading">{t('app.connecting')}</p>
        )}
      </main>
    );
  }
  switch (status.state) {
    case 'uninitialized':
      return (
        <main className="main main--centered">
          <SetupScreen
            onInitialized={() => {
              auth.setLoginNotice('login.setupDone');
              void host.refresh();
            }}
          />
        </main>
      );
    case 'locked':
      return (
        <main className="main main--centered">
          <UnlockScreen onUnlocked={() => void host.refresh()} />
        </main>
      );
    case 'ready':
      if (auth.session) return <Workspace session={auth.session} />;
      if (auth.restoring) {
        return (
          <main className="main main--centered">
            <p className="loading">{t('app.loading')}</p>
          </main>
        );
      }
      return (
        <main className="main main--centered">
          <LoginScreen notice={auth.loginNotice} onLoggedIn={auth.loggedIn} />
        </main>
      );
  }
}

function Unreachable({ failure, onRetry }: { failure: unknown; onRetry: () => void }) {
  const { t } = useI18n();
  return (
    <section className="card card--narrow">
      <h1>{t('app.unreachableTitle')}</h1>
      <p>{t('app.unreachableHelp')}</p>
      <ErrorAlert error={failure} />
      <button type="button" className="button button--primary" onClick={onRetry}>
        {t('app.retry')}
      </button>
    </section>
  );
}
