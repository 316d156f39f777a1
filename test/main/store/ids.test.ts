// UUIDv7 ids: version and variant bits, the millisecond timestamp in front (so ids
// sort in time order), and no repeats from the pooled random bits.
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../../main/store/ids';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuidv7', () => {
  it('is a version 7, RFC 4122 variant UUID whose first 48 bits are the milliseconds', () => {
    for (const now of [0, 1, 1_700_000_000_123, 2 ** 48 - 1]) {
      const id = uuidv7(now);
      expect(id).toMatch(UUID_V7);
      expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(now);
    }
  });

  it('sorts in time order across milliseconds, and never repeats (many pool refills)', () => {
    const ids: string[] = [];
    for (let i = 0; i < 5_000; i++) ids.push(uuidv7(1_700_000_000_000 + Math.floor(i / 10)));
    expect(new Set(ids).size).toBe(ids.length);
    const byTime = ids.map((id, i) => ({ id, ms: Math.floor(i / 10) }));
    const sorted = [...byTime].sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(sorted.map((x) => x.ms)).toEqual([...byTime].map((x) => x.ms).sort((a, b) => a - b));
  });
});
