// An OutboxStore in memory, for tests and tools. Rows are kept as JSON text, so it
// behaves like a database: what a caller reads is a copy, and only `write` changes it.
import { BATCH_STATES, type BatchState, type OutboxBatch } from './batch';
import { StaleBatchError, type OutboxStore } from './store';

export class InMemoryOutboxStore implements OutboxStore {
  private readonly rows = new Map<string, string>();

  get(batchId: string): OutboxBatch | undefined {
    const row = this.rows.get(batchId);
    return row === undefined ? undefined : (JSON.parse(row) as OutboxBatch);
  }

  listInStates(states: readonly BatchState[]): OutboxBatch[] {
    return this.all()
      .filter((b) => states.includes(b.state))
      .sort((a, b) => a.enqueuedAt - b.enqueuedAt || (a.batchId < b.batchId ? -1 : a.batchId > b.batchId ? 1 : 0));
  }

  largestForOrigin(origin: string, states: readonly BatchState[]): OutboxBatch | undefined {
    let largest: OutboxBatch | undefined;
    for (const b of this.all()) {
      if (b.origin === origin && states.includes(b.state) && (!largest || b.treeSize > largest.treeSize)) largest = b;
    }
    return largest;
  }

  countByState(): Record<BatchState, number> {
    const counts = Object.fromEntries(BATCH_STATES.map((s) => [s, 0])) as Record<BatchState, number>;
    for (const b of this.all()) counts[b.state] += 1;
    return counts;
  }

  latestFinal(): OutboxBatch | undefined {
    let latest: OutboxBatch | undefined;
    for (const b of this.all()) {
      if (b.state === 'final' && (!latest || (b.finalAt ?? 0) > (latest.finalAt ?? 0))) latest = b;
    }
    return latest;
  }

  write(batches: readonly OutboxBatch[]): void {
    // Check every version first so a refused write changes nothing (all or none).
    const seen = new Set<string>();
    for (const batch of batches) {
      if (seen.has(batch.batchId)) throw new Error(`batch ${batch.batchId} appears twice in one write`);
      seen.add(batch.batchId);
      const stored = this.get(batch.batchId);
      if ((stored?.version ?? 0) !== batch.version - 1) {
        throw new StaleBatchError(batch.batchId, batch.version - 1, stored?.version);
      }
    }
    for (const batch of batches) this.rows.set(batch.batchId, JSON.stringify(batch));
  }

  private all(): OutboxBatch[] {
    return [...this.rows.values()].map((row) => JSON.parse(row) as OutboxBatch);
  }
}
