// Live panels of the bedside devices attached to this patient. The list of
// connections follows 'device.state' events; a live event from a device attached to
// this patient that the list does not know yet (just attached) reloads it too.
import { useRef } from 'react';
import { LivePanel } from '../devices/LivePanel';
import { liveConnectionsOf } from '../devices/device-model';
import { useDeviceConnections } from '../devices/useDeviceConnections';
import { useHostEvent } from '../hooks/useHostEvent';

const UNKNOWN_RELOAD_MS = 5_000;

export function ChartLive({ patientId }: { patientId: string }) {
  const list = useDeviceConnections(null);
  const connections = liveConnectionsOf(list.data?.connections ?? [], patientId);
  const lastReload = useRef(0);
  useHostEvent('device.live', (event) => {
    if (event.patientId !== patientId || !list.data) return;
    if (connections.some((c) => c.id === event.connectionId)) return;
    const now = Date.now();
    if (now - lastReload.current < UNKNOWN_RELOAD_MS) return;
    lastReload.current = now;
    list.reload();
  });
  if (connections.length === 0) return null;
  return (
    <div className="chart__live">
      {connections.map((c) => (
        <LivePanel key={c.id} connection={c} />
      ))}
    </div>
  );
}
