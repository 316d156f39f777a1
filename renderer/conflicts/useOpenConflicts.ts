// Open conflicts (of one patient, or all), reloaded on 'conflicts.changed'.
import type { Output } from '../../main/api';
import { useHostData, type HostData } from '../hooks/useHostData';
import { useHostEvent } from '../hooks/useHostEvent';

export function useOpenConflicts(patientId?: string): HostData<Output<'conflicts.list'>> {
  const list = useHostData('conflicts.list', patientId ? { patientId, status: 'open' } : { status: 'open' });
  useHostEvent('conflicts.changed', list.reload);
  return list;
}
