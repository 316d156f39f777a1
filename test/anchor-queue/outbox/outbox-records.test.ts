// The outbox's records: the batch id encoding, the store contract (compare-and-set,
// all-or-nothing writes, copies), and the state machine's allowed moves.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InMemoryOutboxStore, StaleBatchError, batchIdFor, type OutboxBatch } from '../../../anchor-queue';
import { IllegalTransitionError, transition } from '../../../anchor-queue/outbox/transitions';

function batch(overrides: Partial<OutboxBatch> = {}): OutboxBatch {
  return {
    batchId: `0x${'01'.repeat(32)}`,
    origin: 'o',
    treeSize: 1,
    root: `0x${'02'.repeat(32)}`,
    checkpointNote: 'note',
    state: 'sealed',
    version: 1,
    attempts: 0,
    nextAttemptAt: 0,
    enqueuedAt: 0,
    history: [{ at: 0, from: null, to: 'sealed' }],
    ...overrides,
  };
}

describe('batchIdFor', () => {
  it('is SHA-256(utf8(origin) ‖ u64be(treeSize) ‖ root), as 0x-prefixed hex', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }),
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (origin, size, root) => {
          const sizeBytes = Buffer.alloc(8);
          sizeBytes.writeBigUInt64BE(BigInt(size));
          const expected = createHash('sha256')
            .update(Buffer.concat([Buffer.from(origin, 'utf8'), sizeBytes, root]))
            .digest('hex');
          expect(batchIdFor(origin, size, root)).toBe(`0x${expected}`);
        },
      ),
    );
  });

  it('matches a fixed vector (computed with printf | sha256sum)', () => {
    const root = new Uint8Array(32).map((_, i) => i); // bytes 00..1f
    expect(batchIdFor('sijill.example/clinic-7/device-3', 42, root)).toBe(
      '0xa621992039b2744f34d94a91c0232c2a52d1e17a445c192922547285881e2bc4',
    );
  });

  it('separates origin, size and root (no two checkpoints share an id)', () => {
    const root = new Uint8Array(32);
    const ids = new Set([
      batchIdFor('a', 1, root),
      batchIdFor('a', 2, root),
      batchIdFor('b', 1, root),
      batchIdFor('a', 1, Uint8Array.from(root).fill(1, 31)),
    ]);
    expect(ids.size).toBe(4);
  });

  it('refuses input it cannot encode', () => {
    expect(() => batchIdFor('', 1, new Uint8Array(32))).toThrow(TypeError);
    expect(() => batchIdFor('o', -1, new Uint8Array(32))).toThrow(RangeError);
    expect(() => batchIdFor('o', 1.5, new Uint8Array(32))).toThrow(RangeError);
    expect(() => batchIdFor('o', 1, new Uint8Array(31))).toThrow(TypeError);
  });
});

describe('InMemoryOutboxStore', () => {
  it('inserts version 1 only once, and updates only from the stored version', () => {
    const store = new InMemoryOutboxStore();
    store.write([batch()]);
    expect(() => store.write([batch()])).toThrow(StaleBatchError);
    store.write([batch({ version: 2, attempts: 1 })]);
    expect(() => store.write([batch({ version: 2, attempts: 5 })])).toThrow(/at version 2, not 1/);
    expect(() => store.write([batch({ batchId: '0xff', version: 4 })])).toThrow(/no such batch/);
    expect(store.get(batch().batchId)?.attempts).toBe(1);
  });

  it('writes all batches of one call or none', () => {
    const store = new InMemoryOutboxStore();
    const a = batch();
    const b = batch({ batchId: `0x${'03'.repeat(32)}` });
    store.write([a]);
    expect(() =>
      store.write([
        { ...a, version: 2, state: 'superseded' },
        { ...b, version: 2 },
      ]),
    ).toThrow(StaleBatchError);
    expect(store.get(a.batchId)?.state).toBe('sealed');
    expect(store.get(b.batchId)).toBeUndefined();
    expect(() => store.write([b, b])).toThrow(/twice/);
    expect(store.get(b.batchId)).toBeUndefined();
  });

  it('hands out copies: changing what was read changes nothing stored', () => {
    const store = new InMemoryOutboxStore();
    store.write([batch()]);
    const read = store.get(batch().batchId) as OutboxBatch;
    read.state = 'final';
    read.history.push({ at: 1, from: 'sealed', to: 'final' });
    expect(store.get(batch().batchId)?.state).toBe('sealed');
    expect(store.get(batch().batchId)?.history).toHaveLength(1);
  });

  it('lists by enqueue time, finds the largest tree per origin, and the latest final', () => {
    const store = new InMemoryOutboxStore();
    store.write([
      batch({ batchId: '0x0a', enqueuedAt: 30, treeSize: 9 }),
      batch({ batchId: '0x0b', enqueuedAt: 10, treeSize: 4, origin: 'p' }),
      batch({ batchId: '0x0c', enqueuedAt: 20, treeSize: 12, state: 'final', finalAt: 5 }),
      batch({ batchId: '0x0d', enqueuedAt: 20, treeSize: 15, state: 'final', finalAt: 8 }),
      batch({ batchId: '0x0e', enqueuedAt: 5, treeSize: 99, state: 'failed' }),
    ]);
    expect(store.listInStates(['sealed', 'final']).map((b) => b.batchId)).toEqual(['0x0b', '0x0c', '0x0d', '0x0a']);
    expect(store.largestForOrigin('o', ['sealed', 'final'])?.batchId).toBe('0x0d');
    expect(store.largestForOrigin('p', ['final'])).toBeUndefined();
    expect(store.latestFinal()?.batchId).toBe('0x0d');
    expect(store.countByState()).toEqual({ sealed: 2, submitted: 0, included: 0, final: 2, superseded: 0, failed: 1 });
  });
});

describe('outbox transitions', () => {
  it('allows only the documented moves', () => {
    const sealed = batch();
    expect(() => transition(sealed, 'final', 1)).toThrow(IllegalTransitionError);
    const final = { ...sealed, state: 'final' as const };
    for (const to of ['sealed', 'submitted', 'included', 'failed', 'superseded'] as const) {
      expect(() => transition(final, to, 1, { submission: 'pending' })).toThrow(IllegalTransitionError);
    }
    expect(() => transition(sealed, 'submitted', 1)).toThrow(/needs a submission state/);
  });

  it('bumps the version, records history, and clears what no longer applies', () => {
    const submitted = transition(batch({ attempts: 3, lastError: 'x' }), 'submitted', 5, {
      submission: 'signed',
      rawTx: '0xaa',
      txHash: '0xbb',
      nonce: 0,
    });
    expect(submitted).toMatchObject({ version: 2, attempts: 0, nextAttemptAt: 5, submission: 'signed' });
    expect(submitted.lastError).toBeUndefined();
    const included = transition(submitted, 'included', 6, { blockNumber: 1, blockHash: '0xcc', logIndex: 0 });
    expect(included.submission).toBeUndefined();
    expect(included.rawTx).toBe('0xaa');
    const reorged = transition(included, 'submitted', 7, { submission: 'unknown' }, 'reorg');
    expect(reorged.blockNumber).toBeUndefined();
    expect(reorged.rawTx).toBe('0xaa');
    const resealed = transition(reorged, 'sealed', 8);
    expect(resealed.rawTx).toBeUndefined();
    expect(resealed.txHash).toBeUndefined();
    expect(resealed.history.map((h) => [h.from, h.to, h.at])).toEqual([
      [null, 'sealed', 0],
      ['sealed', 'submitted', 5],
      ['submitted', 'included', 6],
      ['included', 'submitted', 7],
      ['submitted', 'sealed', 8],
    ]);
  });

  it('bounds the history, keeping the first entry and the latest ones', () => {
    let current = transition(batch(), 'submitted', 1, { submission: 'pending' });
    for (let i = 0; i < 200; i++) {
      current = transition(current, 'submitted', 2 + i, { submission: i % 2 === 0 ? 'unknown' : 'pending' });
    }
    expect(current.history).toHaveLength(64);
    expect(current.history[0]?.to).toBe('sealed');
    expect(current.history.at(-1)?.at).toBe(201);
  });
});
