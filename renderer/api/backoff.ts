// Reconnection delays: exponential, capped, with jitter so that many workstations
// coming back after a power cut do not all knock at the same instant.
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** Returns a number in [0, 1). */
  random: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 250, maxMs: 10_000, random: Math.random };

/** Delay before reconnection attempt number `attempt` (0 for the first retry). */
export function reconnectDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const exponential = options.initialMs * 2 ** Math.min(attempt, 30);
  const capped = Math.min(options.maxMs, exponential);
  // Between half and all of the capped delay.
  return Math.round(capped / 2 + (capped / 2) * options.random());
}
