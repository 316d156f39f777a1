import { useEffect, useRef } from 'react';
import type { EventName, EventPayload } from '../../main/api';
import { useClient } from '../app/ClientContext';

/** Calls `listener` for every `event` the host pushes while the component is shown. */
export function useHostEvent<E extends EventName>(event: E, listener: (data: EventPayload<E>) => void): void {
  const client = useClient();
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  useEffect(() => client.onEvent(event, (data) => latest.current(data)), [client, event]);
}
