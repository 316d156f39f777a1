// Everything behind the login: navigation and the screen the hash route names.
import { useHashRoute } from '../hooks/useHashRoute';
import { AdminScreen } from '../screens/AdminScreen';
import { ChartScreen } from '../screens/ChartScreen';
import { DevicesScreen } from '../screens/DevicesScreen';
import { ConflictsScreen } from '../screens/ConflictsScreen';
import { LabInboxScreen } from '../screens/LabInboxScreen';
import { LedgerScreen } from '../screens/LedgerScreen';
import { PatientListScreen } from '../screens/PatientListScreen';
import { PeersScreen } from '../screens/PeersScreen';
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
      <NavBar route={route} showAdmin={showAdmin} permissions={session.permissions} />
      <main className="main">
        <RoutedScreen route={route} showAdmin={showAdmin} permissions={session.permissions} />
      </main>
    </SessionProvider>
  );
}

interface RoutedScreenProps {
  route: Route;
  showAdmin: boolean;
  permissions: readonly string[];
}

function RoutedScreen({ route, showAdmin, permissions }: RoutedScreenProps) {
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
    case 'devices':
      return permissions.includes('devices.list') ? <DevicesScreen /> : <PatientListScreen />;
    case 'lab-inbox':
      return permissions.includes('lab.inbox') ? <LabInboxScreen /> : <PatientListScreen />;
    case 'peers':
      return permissions.includes('sync.enrollmentCode') ? <PeersScreen /> : <PatientListScreen />;
    case 'conflicts':
      return permissions.includes('conflicts.list') ? <ConflictsScreen /> : <PatientListScreen />;
  }
}
