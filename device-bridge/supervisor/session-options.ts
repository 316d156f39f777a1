// Session tuning a supervisor passes through to its DeviceSession.
export interface SupervisorSessionOptions {
  /** Streamed items held while the sink fails. Default 100 000. */
  streamBacklogLimit?: number;
  /** Retry delay for streamed items after a sink failure. Default 1 s. */
  streamRetryMs?: number;
}

export function pickStreamOptions(o: SupervisorSessionOptions): SupervisorSessionOptions {
  const out: SupervisorSessionOptions = {};
  if (o.streamBacklogLimit !== undefined) out.streamBacklogLimit = o.streamBacklogLimit;
  if (o.streamRetryMs !== undefined) out.streamRetryMs = o.streamRetryMs;
  return out;
}
