import { useCallback, useEffect, useRef, useState } from 'react';
import type { Input, Method, Output } from '../../main/api';
import { useClient } from '../app/ClientContext';

export interface HostData<T> {
  data: T | undefined;
  failure: unknown;
  loading: boolean;
  reload: () => void;
  /** Replaces the data with what a write returned, without another round trip. */
  replace: (data: T) => void;
}

/**
 * Loads `method(params)` and again whenever params change, reload() is called, or
 * the link to the host comes back. A late answer to an older request is dropped.
 */
export function useHostData<M extends Method>(method: M, params: Input<M>): HostData<Output<M>> {
  const client = useClient();
  const [data, setData] = useState<Output<M> | undefined>(undefined);
  const [failure, setFailure] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);
  const latestRequest = useRef(0);

  // Parameters are plain JSON: their text is a stable dependency key.
  const key = JSON.stringify(params);

  useEffect(() => {
    const request = ++latestRequest.current;
    setLoading(true);
    client.call(method, JSON.parse(key) as Input<M>).then(
      (result) => {
        if (request !== latestRequest.current) return;
        setData(result);
        setFailure(null);
        setLoading(false);
      },
      (error: unknown) => {
        if (request !== latestRequest.current) return;
        setFailure(error);
        setLoading(false);
      },
    );
  }, [client, method, key, generation]);

  useEffect(() => client.onStatus((online) => online && setGeneration((g) => g + 1)), [client]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const replace = useCallback((next: Output<M>) => {
    latestRequest.current += 1;
    setData(next);
    setFailure(null);
    setLoading(false);
  }, []);

  return { data, failure, loading, reload, replace };
}
