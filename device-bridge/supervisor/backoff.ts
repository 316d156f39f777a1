// Reconnect delays: exponential, capped, with jitter so that several bridges (or several ports of one bridge)
// that lost a shared USB hub do not all retry in the same millisecond.

export interface BackoffOptions {
  /** Delay before the first retry. Default 500 ms. */
  initialMs: number;
  /** Upper bound. Default 30 s. */
  maxMs: number;
  /** Growth per failed attempt. Default 2. */
  factor: number;
  /** Fraction of the delay taken off at random: 0.2 → between 80 % and 100 % of the nominal delay. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.2 };

/** Delay before retry number `attempt` (0 = first retry). `random` returns [0, 1). */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  const nominal = Math.min(options.maxMs, options.initialMs * Math.pow(options.factor, Math.max(0, attempt)));
  const jitter = Math.min(1, Math.max(0, options.jitter));
  return Math.round(nominal * (1 - jitter * random()));
}
