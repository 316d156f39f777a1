// The review queue the conflicts go to. The host keeps it in SQLite; the in-memory
// version here is the reference implementation of the contract (and what tests use).
import type { ConflictRecord } from './detect';
import type { Resolution } from './resolve';

/**
 * Host contract (SQLite, synchronous). Suggested table: conflicts(id TEXT PRIMARY KEY,
 * document_id, record_json, detected_at, resolved_at NULL, resolved_by NULL,
 * resolution_json NULL). `put` is idempotent by id: the same conflict seen again after
 * another merge is not queued twice, and a resolved one is not reopened. An open one
 * is refreshed with the values seen last: contested text can still be edited while
 * the contest stands, and the reviewer must see what the document holds now.
 */
export interface ConflictQueue {
  put(record: ConflictRecord, detectedAt: string): boolean;
  open(documentId?: string): ConflictRecord[];
  markResolved(id: string, resolvedBy: string, at: string, resolution: Resolution): void;
}

export class MemoryConflictQueue implements ConflictQueue {
  readonly #rows = new Map<
    string,
    { record: ConflictRecord; detectedAt: string; resolved?: { by: string; at: string; resolution: Resolution } }
  >();

  put(record: ConflictRecord, detectedAt: string): boolean {
    const row = this.#rows.get(record.id);
    if (row) {
      if (!row.resolved) row.record = structuredClone(record);
      return false;
    }
    this.#rows.set(record.id, { record: structuredClone(record), detectedAt });
    return true;
  }

  open(documentId?: string): ConflictRecord[] {
    return [...this.#rows.values()]
      .filter((r) => !r.resolved && (documentId === undefined || r.record.documentId === documentId))
      .map((r) => r.record);
  }

  all(): ConflictRecord[] {
    return [...this.#rows.values()].map((r) => r.record);
  }

  markResolved(id: string, resolvedBy: string, at: string, resolution: Resolution): void {
    const row = this.#rows.get(id);
    if (!row) throw new Error(`no conflict ${id}`);
    row.resolved = { by: resolvedBy, at, resolution };
  }
}
