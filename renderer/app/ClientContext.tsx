import { createContext, useContext, type ReactNode } from 'react';
import type { HostClient } from '../api/client';

const ClientContext = createContext<HostClient | null>(null);

export function ClientProvider({ client, children }: { client: HostClient; children: ReactNode }) {
  return <ClientContext.Provider value={client}>{children}</ClientContext.Provider>;
}

export function useClient(): HostClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useClient must be used inside <ClientProvider>');
  return client;
}
