// The anchoring outbox in the encrypted database (the OutboxStore contract of
// anchor-queue/outbox/store.ts): the whole batch as JSON plus indexed columns, one
// transaction per write, optimistic versions so a stale queue cannot overwrite.
import {
  BATCH_STATES,
  StaleBatchError,
  type BatchState,
  type OutboxBatch,
  type OutboxStore,
} from '../../../anchor-queue';
import type { Db } from '../database';
import { stmt } from '../statements';

type Row = { batch: string };
const parse = (r: Row | undefined): OutboxBatch | undefined => (r ? (JSON.parse(r.batch) as OutboxBatch) : undefined);
const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(',');

export class SqliteOutboxStore implements OutboxStore {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  get(batchId: string): OutboxBatch | undefined {
    return parse(stmt<[string], Row>(this.#db, 'SELECT batch FROM anchor_outbox WHERE batch_id = ?').get(batchId));
  }

  listInStates(states: readonly BatchState[]): OutboxBatch[] {
    if (states.length === 0) return [];
    return stmt<BatchState[], Row>(
      this.#db,
      `SELECT batch FROM anchor_outbox WHERE state IN (${placeholders(states.length)}) ORDER BY enqueued_at, batch_id`,
    )
      .all(...states)
      .map((r) => parse(r)!);
  }

  largestForOrigin(origin: string, states: readonly BatchState[]): OutboxBatch | undefined {
    if (states.length === 0) return undefined;
    return parse(
      stmt<string[], Row>(
        this.#db,
        `SELECT batch FROM anchor_outbox WHERE origin = ? AND state IN (${placeholders(states.length)}) ORDER BY tree_size DESC LIMIT 1`,
      ).get(origin, ...states),
    );
  }

  countByState(): Record<BatchState, number> {
    const counts = Object.fromEntries(BATCH_STATES.map((s) => [s, 0])) as Record<BatchState, number>;
    for (const r of stmt<[], { state: BatchState; n: number }>(
      this.#db,
      'SELECT state, count(*) AS n FROM anchor_outbox GROUP BY state',
    ).all()) {
      counts[r.state] = r.n;
    }
    return counts;
  }

  latestFinal(): OutboxBatch | undefined {
    return parse(
      stmt<[], Row>(
        this.#db,
        "SELECT batch FROM anchor_outbox WHERE state = 'final' ORDER BY final_at DESC, tree_size DESC LIMIT 1",
      ).get(),
    );
  }

  write(batches: readonly OutboxBatch[]): void {
    const db = this.#db;
    db.transaction(() => {
      for (const b of batches) {
        const json = JSON.stringify(b);
        if (b.version === 1) {
          const exists = stmt<[string], { version: number }>(
            db,
            'SELECT version FROM anchor_outbox WHERE batch_id = ?',
          ).get(b.batchId);
          if (exists) throw new StaleBatchError(b.batchId, 0, exists.version);
          stmt(
            db,
            'INSERT INTO anchor_outbox (batch_id, origin, tree_size, state, version, enqueued_at, final_at, batch) VALUES (?,?,?,?,?,?,?,?)',
          ).run(b.batchId, b.origin, b.treeSize, b.state, b.version, b.enqueuedAt, b.finalAt ?? null, json);
        } else {
          const r = stmt(
            db,
            'UPDATE anchor_outbox SET state = ?, version = ?, final_at = ?, batch = ? WHERE batch_id = ? AND version = ?',
          ).run(b.state, b.version, b.finalAt ?? null, json, b.batchId, b.version - 1);
          if (r.changes !== 1) {
            const found = stmt<[string], { version: number }>(
              db,
              'SELECT version FROM anchor_outbox WHERE batch_id = ?',
            ).get(b.batchId);
            throw new StaleBatchError(b.batchId, b.version - 1, found?.version);
          }
        }
      }
    })();
  }
}
