// The ordered-verdict queue the hub gateway uses in both directions, without sockets:
// when it pauses and resumes its source, and that a closed queue delivers nothing more.
// (hub-order.test.ts checks order and backpressure through the gateway with real sockets.)
import { describe, expect, it } from 'vitest';
import { OrderedVerdicts } from '../../../sync/network/ordered-verdicts';

function queue(max: number) {
  const events: string[] = [];
  const q = new OrderedVerdicts<string>({
    deliver: (item, allow) => events.push(`${item}:${allow ? 'yes' : 'no'}`),
    pause: () => events.push('pause'),
    resume: () => events.push('resume'),
    max,
  });
  return { q, events };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('ordered verdicts', () => {
  it('pauses once at the bound and resumes once fewer than half of it wait, delivering in order', async () => {
    const { q, events } = queue(4);
    let release!: (v: boolean) => void;
    q.push('a', () => new Promise<boolean>((r) => (release = r)));
    for (const item of ['b', 'c', 'd', 'e', 'f']) q.push(item, () => item !== 'd');
    // Four waiting at 'd': paused, and not again for 'e' and 'f'.
    expect(events).toEqual(['pause']);
    expect(q.waiting).toBe(6);
    release(true);
    await flush();
    expect(events).toEqual(['pause', 'a:yes', 'b:yes', 'c:yes', 'd:no', 'e:yes', 'resume', 'f:yes']);
    expect(q.waiting).toBe(0);
    // An empty queue and an answer at once: delivered without waiting.
    q.push('g', () => true);
    expect(events.at(-1)).toBe('g:yes');
  });

  it('delivers nothing once closed, not even a decision that comes later', async () => {
    const { q, events } = queue(4);
    let release!: (v: boolean) => void;
    q.push('a', () => new Promise<boolean>((r) => (release = r)));
    q.push('b', () => true);
    q.close();
    release(true);
    await flush();
    q.push('c', () => true);
    expect(events).toEqual([]);
  });
});
