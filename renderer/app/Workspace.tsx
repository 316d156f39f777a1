// Everything behind the login: navigation and the screen the hash route names.
import { useHashRoute } from '../hooks/useHashRoute';
import { AdminScreen } from '../screens/AdminScreen';
import { ChartScreen } from '../screens/ChartScreen';
import { LedgerScreen } from '../screens/LedgerScreen';
import { PatientListScreen } from '../screens/PatientListScreen';
import { RegisterScreen } from '../screens/RegisterScreen';
import { VerifyScreen } from '../screens/VerifyScreen';
import { NavBar } from './NavBar';
import type { Route } from './routes';
import { canAdminister, SessionProvider } from './SessionContext';
import type { SessionInfo } from './useSession';

export function Workspace({ session }: { session: SessionInfo }) {
  const route = useHashRoute();
  const showAdmin = canAdminister(session);
  return (
    <SessionProvider session={session}>
      <NavBar route={route} showAdmin={showAdmin} />
      <main className="main">
        <RoutedScreen route={route} showAdmin={showAdmin} />
      </main>
    </SessionProvider>
  );
}

function RoutedScreen({ route, showAdmin }: { route: Route; showAdmin: boolean }) {
  switch (route.screen) {
    case 'patients':
      return <PatientListScreen />;
    case 'chart':
      return <ChartScreen key={route.patientId} patientId={route.patientId} />;
    case 'register':
      return <RegisterScreen />;
    case 'admin':
      return showAdmin ? <AdminScreen /> : <PatientListScreen />;
    case 'ledger':
      return <LedgerScreen />;
    case 'verify':
      return <VerifyScreen />;
  }
}
