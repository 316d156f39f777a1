// What the host says about itself (uninitialized / locked / ready, clinic name),
// kept fresh on reconnection and on 'host.state' events; plus whether we are online.
import { useCallback, useEffect, useState } from 'react';
import type { Output } from '../../main/api';
import { useClient } from './ClientContext';

export type HostStatus = Output<'host.status'>;

export interface HostStatusState {
  status: HostStatus | null;
  failure: unknown;
  online: boolean;
  refresh: () => Promise<void>;
}

export function useHostStatus(): HostStatusState {
  const client = useClient();
  const [status, setStatus] = useState<HostStatus | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [online, setOnline] = useState(client.isOnline);

  const refresh = useCallback(async () => {
    try {
      setStatus(await client.call('host.status', {}));
      setFailure(null);
    } catch (error) {
      setFailure(error);
    }
  }, [client]);

  useEffect(() => {
    setOnline(client.isOnline);
    void refresh();
    const offStatus = client.onStatus((isOnline) => {
      setOnline(isOnline);
      if (isOnline) void refresh();
    });
    const offState = client.onEvent('host.state', ({ state }) => {
      setStatus((current) => (current ? { ...current, state } : current));
      void refresh();
    });
    return () => {
      offStatus();
      offState();
    };
  }, [client, refresh]);

  return { status, failure, online, refresh };
}
