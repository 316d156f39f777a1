// 'sync.status', kept fresh: on the 'sync.status' event (peers, counts or progress
// changed), on reconnection, and every `intervalMs` so "last sync 3 min ago" and
// connections dropped without an event still show.
import { useEffect } from 'react';
import type { SyncStatus } from '../../main/api';
import { useHostData, type HostData } from '../hooks/useHostData';
import { useHostEvent } from '../hooks/useHostEvent';

export function useSyncStatus(intervalMs: number): HostData<SyncStatus> {
  const status = useHostData('sync.status', {});
  const { reload } = status;
  useHostEvent('sync.status', reload);
  // Resolving a conflict changes the open count the status carries.
  useHostEvent('conflicts.changed', reload);
  useEffect(() => {
    const timer = setInterval(reload, intervalMs);
    return () => clearInterval(timer);
  }, [reload, intervalMs]);
  return status;
}
