// 'anchor.status', kept fresh: on the 'anchor.changed' event, on reconnection, and
// every `intervalMs` while the component that asks is on screen.
import { useEffect } from 'react';
import type { AnchorStatus } from '../../main/api';
import { useHostData, type HostData } from '../hooks/useHostData';
import { useHostEvent } from '../hooks/useHostEvent';

export function useAnchorStatus(intervalMs: number): HostData<AnchorStatus> {
  const status = useHostData('anchor.status', {});
  const { reload } = status;
  useHostEvent('anchor.changed', reload);
  useEffect(() => {
    const timer = setInterval(reload, intervalMs);
    return () => clearInterval(timer);
  }, [reload, intervalMs]);
  return status;
}
