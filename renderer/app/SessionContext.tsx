import { createContext, useContext, type ReactNode } from 'react';
import type { SessionInfo } from './useSession';

const SessionContext = createContext<SessionInfo | null>(null);

export function SessionProvider({ session, children }: { session: SessionInfo; children: ReactNode }) {
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useCurrentSession(): SessionInfo {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useCurrentSession must be used inside <SessionProvider>');
  return session;
}

export function canAdminister(session: SessionInfo): boolean {
  return session.permissions.includes('users.create') || session.permissions.includes('audit.verify');
}
