// Exponential backoff with full jitter: every delay lies in [0, min(cap, base·2^attempt)],
// and the queue schedules its retries exactly that way.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InMemoryOutboxStore, fullJitterDelay } from '../../../anchor-queue';
import { FakeLedger } from './fake-ledger';
import { TestClock, checkpointNote, makeQueue } from './outbox-helpers';

const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe('fullJitterDelay', () => {
  it('stays within [0, min(cap, base·2^attempt)] and is a whole number of ms', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 100_000_000 }),
        unit,
        (attempt, baseMs, capMs, r) => {
          const delay = fullJitterDelay(attempt, { baseMs, capMs }, () => r);
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(Math.min(capMs, baseMs * 2 ** attempt));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('spans the whole window: the bottom for random 0, the top for random near 1', () => {
    const policy = { baseMs: 1_000, capMs: 60_000 };
    expect(fullJitterDelay(3, policy, () => 0)).toBe(0);
    expect(fullJitterDelay(3, policy, () => 0.999_999_9)).toBe(7_999);
    expect(fullJitterDelay(0, policy, () => 0.5)).toBe(500);
    expect(fullJitterDelay(10, policy, () => 0.5)).toBe(30_000); // capped: 2^10 s > 60 s
  });

  it('grows the window exponentially until the cap', () => {
    const policy = { baseMs: 100, capMs: 10_000 };
    const top = (attempt: number): number => fullJitterDelay(attempt, policy, () => 0.999_999_999);
    expect([0, 1, 2, 3, 6, 7, 50].map(top)).toEqual([99, 199, 399, 799, 6_399, 9_999, 9_999]);
  });

  it('refuses a negative or fractional attempt', () => {
    expect(() => fullJitterDelay(-1, { baseMs: 1, capMs: 1 }, Math.random)).toThrow(RangeError);
    expect(() => fullJitterDelay(1.5, { baseMs: 1, capMs: 1 }, Math.random)).toThrow(RangeError);
  });
});

describe('AnchorQueue retry schedule', () => {
  it('after n consecutive failures, waits a jittered delay within the nth window', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(unit, { minLength: 1, maxLength: 12 }), async (randoms) => {
        const store = new InMemoryOutboxStore();
        const ledger = new FakeLedger();
        const clock = new TestClock();
        const backoff = { baseMs: 250, capMs: 20_000 };
        let next = 0;
        const queue = makeQueue(store, ledger, clock, {
          backoff,
          random: () => randoms[next++ % randoms.length] as number,
        });
        const { batchId } = queue.enqueue(checkpointNote(3));
        for (let attempt = 0; attempt < randoms.length; attempt++) {
          ledger.failNext('findAnchor');
          const due = store.get(batchId)?.nextAttemptAt ?? 0;
          clock.now = Math.max(clock.now, due);
          await queue.step();
          const batch = store.get(batchId);
          expect(batch?.state).toBe('sealed');
          expect(batch?.attempts).toBe(attempt + 1);
          const delay = (batch?.nextAttemptAt ?? 0) - clock.now;
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(Math.min(backoff.capMs, backoff.baseMs * 2 ** attempt));
          expect(delay).toBe(fullJitterDelay(attempt, backoff, () => randoms[attempt % randoms.length] as number));
        }
      }),
      { numRuns: 50 },
    );
  });

  it('does not touch a batch before its retry is due, and resets attempts after progress', async () => {
    const store = new InMemoryOutboxStore();
    const ledger = new FakeLedger();
    const clock = new TestClock();
    const queue = makeQueue(store, ledger, clock, { random: () => 0.999 });
    const { batchId } = queue.enqueue(checkpointNote(3));

    ledger.failNext('prepare', new Error('insufficient funds for gas'));
    await queue.step();
    const failed = store.get(batchId);
    expect(failed?.lastError).toMatch(/insufficient funds/);
    expect(failed?.attempts).toBe(1);
    expect(failed?.nextAttemptAt).toBe(clock.now + 99); // base 100 · 0.999, floored

    ledger.calls.length = 0;
    await queue.step(clock.advance(50));
    expect(ledger.calls).toEqual(['isReachable']);
    expect(store.get(batchId)?.version).toBe(failed?.version);

    await queue.step(clock.advance(50));
    const progressed = store.get(batchId);
    expect(progressed?.state).toBe('submitted');
    expect(progressed?.attempts).toBe(0);
    expect(progressed?.lastError).toBeUndefined();
  });
});
