// The bulk lane's protocol and its receiving side, without a network: frames are
// checked before anything reads them, a holder answers only what its policy allows
// (and the same way for "not held" and "not allowed"), and the puller accepts only
// answers to requests it made, of the device it asked.
import { cbor } from '@automerge/automerge-repo';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  answerPull,
  BulkPuller,
  decodeSideFrame,
  encodeSideFrame,
  PULL_BATCH,
  PULLS_IN_FLIGHT,
  PULL_TIMEOUT_MS,
  type SideFrame,
} from '../../../../main/host/sync/bulk-transfer';

const id = (n: number) => `2${'x'.repeat(20)}${String(n).padStart(6, 'A').replace(/0/g, 'B')}`.replace(/l|I|O/g, 'z');

describe('side-lane frames', () => {
  it('round-trips each kind of frame', () => {
    const frames: SideFrame[] = [
      { kind: 'hello', version: 1 },
      { kind: 'pull', id: 7, docs: [id(1), id(2)] },
      { kind: 'docs', id: 7, docs: [{ documentId: id(1), bytes: new Uint8Array([1, 2, 3]) }], missing: [id(2)] },
    ];
    for (const f of frames) expect(decodeSideFrame(encodeSideFrame(f))).toEqual(f);
  });

  it('refuses malformed frames', () => {
    const bad: unknown[] = [
      'hello',
      { kind: 'hello', version: 2 },
      { kind: 'pull', id: 1.5, docs: [] },
      { kind: 'pull', id: 1, docs: ['not a document id!'] },
      { kind: 'pull', id: 1, docs: Array.from({ length: PULL_BATCH + 1 }, (_, i) => id(i)) },
      { kind: 'docs', id: 1, docs: [{ documentId: id(1), bytes: 'text' }], missing: [] },
      { kind: 'docs', id: 1, docs: [], missing: [42] },
      { kind: 'unknown' },
    ];
    for (const b of bad) expect(decodeSideFrame(new Uint8Array(cbor.encode(b)))).toBeUndefined();
    expect(decodeSideFrame(new Uint8Array([0xff, 0x00, 0x13]))).toBeUndefined();
  });
});

describe('answering a pull', () => {
  it('sends only what the policy allows and answers "not held" and "not allowed" alike', () => {
    const held = new Map([
      [id(1), new Uint8Array([1])],
      [id(2), new Uint8Array([2])],
    ]);
    const allowed = new Set([id(1), id(3)]);
    const answer = answerPull(
      { id: 9, docs: [id(1), id(2), id(3), id(1)] },
      { share: (d) => allowed.has(d), bytes: (d) => held.get(d) },
    );
    expect(answer).toEqual({
      kind: 'docs',
      id: 9,
      docs: [{ documentId: id(1), bytes: new Uint8Array([1]) }],
      missing: [id(2), id(3)],
    });
  });
});

describe('BulkPuller', () => {
  afterEach(() => vi.useRealTimers());

  function puller() {
    const sent: { to: string; frame: SideFrame }[] = [];
    const applied: { from: string; ids: string[] }[] = [];
    const settled: { ids: string[]; failed: string[] }[] = [];
    const p = new BulkPuller({
      send: (to, frame) => (sent.push({ to, frame }), true),
      apply: (from, docs) => (applied.push({ from, ids: docs.map((d) => d.documentId) }), []),
      settled: (ids, failed) => settled.push({ ids, failed }),
      progress: () => undefined,
      log: () => undefined,
    });
    return { p, sent, applied, settled };
  }
  const pullOf = (f: SideFrame) => f as Extract<SideFrame, { kind: 'pull' }>;

  it('asks in batches with at most PULLS_IN_FLIGHT requests out, and applies only what was asked', async () => {
    const { p, sent, applied, settled } = puller();
    const ids = Array.from({ length: PULL_BATCH * PULLS_IN_FLIGHT + 5 }, (_, i) => id(i));
    p.enqueue('desk', ids);
    expect(sent).toHaveLength(PULLS_IN_FLIGHT);
    expect(pullOf(sent[0]!.frame).docs).toHaveLength(PULL_BATCH);
    const first = pullOf(sent[0]!.frame);
    // An answer carrying a chart that was not asked for: that chart is ignored.
    await p.receive('desk', {
      kind: 'docs',
      id: first.id,
      docs: [
        { documentId: first.docs[0]!, bytes: new Uint8Array([1]) },
        { documentId: id(999_999), bytes: new Uint8Array([9]) },
      ],
      missing: [],
    });
    expect(applied).toEqual([{ from: 'desk', ids: [first.docs[0]] }]);
    // What was asked and not delivered is handed to automerge-repo (failed).
    expect(settled[0]!.failed).toEqual(first.docs.slice(1));
    // The answer freed a slot: the last batch went out.
    expect(sent).toHaveLength(PULLS_IN_FLIGHT + 1);
    expect(pullOf(sent[PULLS_IN_FLIGHT]!.frame).docs).toHaveLength(5);
    expect(p.has(first.docs[0]!)).toBe(false);
    expect(p.has(ids[PULL_BATCH]!)).toBe(true);
  });

  it('an answer still being taken in keeps its slot, and is settled once, even if the device leaves meanwhile', async () => {
    const sent: SideFrame[] = [];
    const settled: { ids: string[]; failed: string[] }[] = [];
    let finishApply: (notTaken: string[]) => void = () => undefined;
    const p = new BulkPuller({
      send: (_to, frame) => (sent.push(frame), true),
      apply: () => new Promise<string[]>((resolve) => (finishApply = resolve)),
      settled: (ids, failed) => settled.push({ ids, failed }),
      progress: () => undefined,
      log: () => undefined,
    });
    const ids = Array.from({ length: PULL_BATCH * PULLS_IN_FLIGHT + 1 }, (_, i) => id(i));
    p.enqueue('desk', ids);
    const first = pullOf(sent[0]!);
    const taking = p.receive('desk', {
      kind: 'docs',
      id: first.id,
      docs: first.docs.map((documentId) => ({ documentId, bytes: new Uint8Array([1]) })),
      missing: [],
    });
    await Promise.resolve();
    // Answered but not taken in: no slot freed, nothing settled, a repeated answer ignored.
    expect(sent).toHaveLength(PULLS_IN_FLIGHT);
    expect(settled).toEqual([]);
    await p.receive('desk', { kind: 'docs', id: first.id, docs: [], missing: [] });
    expect(settled).toEqual([]);
    // The device leaves: what it was asked and never answered is let go of now...
    p.peerLeft('desk');
    expect(settled).toHaveLength(1);
    expect(settled[0]!.ids).not.toContain(first.docs[0]);
    // ...and the batch being taken in is settled when it is done, once.
    finishApply([first.docs[1]!]);
    await taking;
    expect(settled).toHaveLength(2);
    expect(settled[1]).toEqual({ ids: first.docs, failed: [first.docs[1]] });
    expect(p.idle).toBe(true);
  });

  it('ignores an answer from a device it did not ask, or to a request it never made', async () => {
    const { p, sent, applied } = puller();
    p.enqueue('desk', [id(1)]);
    const req = pullOf(sent[0]!.frame);
    const forged = {
      kind: 'docs' as const,
      id: req.id,
      docs: [{ documentId: id(1), bytes: new Uint8Array([1]) }],
      missing: [],
    };
    await p.receive('intruder', forged);
    await p.receive('desk', { ...forged, id: req.id + 100 });
    expect(applied).toEqual([]);
    expect(p.has(id(1))).toBe(true);
    await p.receive('desk', forged);
    expect(applied).toEqual([{ from: 'desk', ids: [id(1)] }]);
    expect(p.idle).toBe(true);
  });

  it('lets go of what a departed device was asked, and gives up on a silent one', () => {
    vi.useFakeTimers();
    const { p, settled } = puller();
    p.enqueue('desk', [id(1), id(2)]);
    p.peerLeft('desk');
    expect(p.idle).toBe(true);
    expect(settled.at(-1)).toEqual({ ids: [id(1), id(2)], failed: [] });
    p.enqueue('laptop', [id(3)]);
    vi.advanceTimersByTime(PULL_TIMEOUT_MS + 1);
    expect(p.idle).toBe(true);
    expect(settled.at(-1)).toEqual({ ids: [id(3)], failed: [id(3)] });
  });

  it('charts the receiver refused are handed to automerge-repo too', async () => {
    const out: { ids: string[]; failed: string[] }[] = [];
    const p = new BulkPuller({
      send: () => true,
      apply: (_from, docs) => docs.map((d) => d.documentId).filter((d) => d === id(2)),
      settled: (ids, failed) => out.push({ ids, failed }),
      progress: () => undefined,
      log: () => undefined,
    });
    p.enqueue('desk', [id(1), id(2)]);
    await p.receive('desk', {
      kind: 'docs',
      id: 1,
      docs: [id(1), id(2)].map((documentId) => ({ documentId, bytes: new Uint8Array([1]) })),
      missing: [],
    });
    expect(out).toEqual([{ ids: [id(1), id(2)], failed: [id(2)] }]);
  });

  it('a failed apply hands the charts to automerge-repo', async () => {
    const failing = new BulkPuller({
      send: () => true,
      apply: () => {
        throw new Error('disk full');
      },
      settled: (ids, failed) => out.push({ ids, failed }),
      progress: () => undefined,
      log: () => undefined,
    });
    const out: { ids: string[]; failed: string[] }[] = [];
    failing.enqueue('desk', [id(1)]);
    await failing.receive('desk', {
      kind: 'docs',
      id: 1,
      docs: [{ documentId: id(1), bytes: new Uint8Array([1]) }],
      missing: [],
    });
    expect(out).toEqual([{ ids: [id(1)], failed: [id(1)] }]);
    // The same when taking in fails later (a rejected promise).
    const rejecting = new BulkPuller({
      send: () => true,
      apply: () => Promise.reject(new Error('disk full')),
      settled: (ids, failed) => out.push({ ids, failed }),
      progress: () => undefined,
      log: () => undefined,
    });
    rejecting.enqueue('desk', [id(2)]);
    await rejecting.receive('desk', {
      kind: 'docs',
      id: 1,
      docs: [{ documentId: id(2), bytes: new Uint8Array([1]) }],
      missing: [],
    });
    expect(out.at(-1)).toEqual({ ids: [id(2)], failed: [id(2)] });
  });
});
