// Hash routes: #/patients, #/patients/:id, #/register, #/admin, #/ledger, #/verify,
// #/devices, #/lab-inbox, #/peers, #/conflicts.
export type Route =
  | { screen: 'patients' }
  | { screen: 'chart'; patientId: string }
  | { screen: 'register' }
  | { screen: 'admin' }
  | { screen: 'ledger' }
  | { screen: 'verify' }
  | { screen: 'devices' }
  | { screen: 'lab-inbox' }
  | { screen: 'peers' }
  | { screen: 'conflicts' };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  const parts = path.split('/').filter((p) => p !== '');
  const [first, second] = parts;
  if (first === 'patients' && second !== undefined && parts.length === 2) {
    try {
      return { screen: 'chart', patientId: decodeURIComponent(second) };
    } catch {
      return { screen: 'patients' };
    }
  }
  if (first === 'register' && parts.length === 1) return { screen: 'register' };
  if (first === 'admin' && parts.length === 1) return { screen: 'admin' };
  if (first === 'ledger' && parts.length === 1) return { screen: 'ledger' };
  if (first === 'verify' && parts.length === 1) return { screen: 'verify' };
  if (first === 'devices' && parts.length === 1) return { screen: 'devices' };
  if (first === 'lab-inbox' && parts.length === 1) return { screen: 'lab-inbox' };
  if (first === 'peers' && parts.length === 1) return { screen: 'peers' };
  if (first === 'conflicts' && parts.length === 1) return { screen: 'conflicts' };
  return { screen: 'patients' };
}

export function routeHash(route: Route): string {
  switch (route.screen) {
    case 'patients':
      return '#/patients';
    case 'chart':
      return `#/patients/${encodeURIComponent(route.patientId)}`;
    case 'register':
      return '#/register';
    case 'admin':
      return '#/admin';
    case 'ledger':
      return '#/ledger';
    case 'verify':
      return '#/verify';
    case 'devices':
      return '#/devices';
    case 'lab-inbox':
      return '#/lab-inbox';
    case 'peers':
      return '#/peers';
    case 'conflicts':
      return '#/conflicts';
  }
}
