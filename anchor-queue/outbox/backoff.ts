// Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff
// And Jitter"): many clinics coming back online together spread their retries over the
// whole window instead of hitting the ledger node in lockstep.

export interface BackoffPolicy {
  /** Upper bound of the first retry's delay, ms. */
  baseMs: number;
  /** No delay exceeds this, ms. */
  capMs: number;
}

/**
 * The delay before retry number `attempt` (0 for the first retry): uniform over
 * [0, min(cap, base · 2^attempt)]. `random` returns [0, 1) like Math.random.
 */
export function fullJitterDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  if (!Number.isInteger(attempt) || attempt < 0) throw new RangeError(`attempt must be a whole number, got ${attempt}`);
  // 2 ** attempt is Infinity for huge attempts; min() turns that into the cap.
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** attempt);
  // Clamp: an injected random source might return exactly 1.
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * ceiling);
}
