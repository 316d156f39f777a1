// Turning a signed checkpoint into outbox rows. Only the newest checkpoint of a log
// needs anchoring: an anchored root at size n vouches for every earlier size through a
// consistency proof, so older checkpoints that were never sent are marked superseded.
import { parseCheckpoint } from '../checkpoint/checkpoint';
import { parseNote } from '../checkpoint/signed-note';
import type { BatchState, OutboxBatch } from './batch';
import { batchIdFor, toHex } from './batch-id';
import type { OutboxStore } from './store';

/** States whose batch is, or will be, anchored: each covers smaller trees of its log. */
const COVERING_STATES: readonly BatchState[] = ['sealed', 'submitted', 'included', 'final'];

export interface EnqueuePlan {
  /** The batch for this checkpoint (already stored, or to be written). */
  batch: OutboxBatch;
  /** Rows to write in one atomic write; empty when the checkpoint was already queued. */
  writes: OutboxBatch[];
}

/**
 * Parses a signed checkpoint note (signatures are not checked: the host signed it) and
 * plans its insertion. Throws TypeError when the note is not a checkpoint.
 */
export function planEnqueue(store: OutboxStore, signedCheckpoint: string, now: number): EnqueuePlan {
  const note = parseNote(signedCheckpoint);
  if (!note.ok) throw new TypeError(`not a signed note: ${note.message}`);
  const parsed = parseCheckpoint(note.value.text);
  if (!parsed.ok) throw new TypeError(`not a checkpoint: ${parsed.message}`);
  const { origin, size: treeSize, rootHash } = parsed.value;
  const batchId = batchIdFor(origin, treeSize, rootHash);

  const existing = store.get(batchId);
  if (existing) return { batch: existing, writes: [] };

  const base: OutboxBatch = {
    batchId,
    origin,
    treeSize,
    root: toHex(rootHash),
    checkpointNote: signedCheckpoint,
    state: 'sealed',
    version: 1,
    attempts: 0,
    nextAttemptAt: now,
    enqueuedAt: now,
    history: [{ at: now, from: null, to: 'sealed' }],
  };

  const larger = store.largestForOrigin(origin, COVERING_STATES);
  if (larger && larger.treeSize > treeSize) {
    // A checkpoint arriving late: a larger tree of the same log is already on its way.
    const batch: OutboxBatch = {
      ...base,
      state: 'superseded',
      supersededBy: larger.batchId,
      history: [{ at: now, from: null, to: 'superseded', note: `tree size ${larger.treeSize} already queued` }],
    };
    return { batch, writes: [batch] };
  }

  const superseded = store
    .listInStates(['sealed'])
    .filter((b) => b.origin === origin && b.treeSize < treeSize)
    .map((b): OutboxBatch => ({
      ...b,
      state: 'superseded',
      supersededBy: batchId,
      version: b.version + 1,
      history: [...b.history, { at: now, from: 'sealed', to: 'superseded', note: `covered by tree size ${treeSize}` }],
    }));
  return { batch: base, writes: [base, ...superseded] };
}
