// 'devices.list', kept fresh: on every 'device.state' event, on reconnection, and
// every `intervalMs` when asked (the Devices screen shows "last data 12 s ago").
import { useEffect } from 'react';
import type { Output } from '../../main/api';
import { useHostData, type HostData } from '../hooks/useHostData';
import { useHostEvent } from '../hooks/useHostEvent';

export function useDeviceConnections(intervalMs: number | null): HostData<Output<'devices.list'>> {
  const list = useHostData('devices.list', {});
  const { reload } = list;
  useHostEvent('device.state', reload);
  useEffect(() => {
    if (intervalMs === null) return;
    const timer = setInterval(reload, intervalMs);
    return () => clearInterval(timer);
  }, [reload, intervalMs]);
  return list;
}
