// Hash routes: #/patients, #/patients/:id, #/register, #/admin.
export type Route =
  { screen: 'patients' } | { screen: 'chart'; patientId: string } | { screen: 'register' } | { screen: 'admin' };

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
  }
}
