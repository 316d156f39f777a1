// In-memory RawByteLog (tests, simulators, the CLI's short captures). Unbounded: the host's SQLite log is
// the one that runs for months.
import type { RawByteLog, RawLogDirection, RawLogEntry } from './types';

export class MemoryRawByteLog implements RawByteLog {
  private readonly byConnection = new Map<string, RawLogEntry[]>();

  append(connectionId: string, direction: RawLogDirection, bytes: Uint8Array, at: number): number {
    let entries = this.byConnection.get(connectionId);
    if (!entries) {
      entries = [];
      this.byConnection.set(connectionId, entries);
    }
    const seq = entries.length + 1;
    entries.push({ connectionId, seq, direction, at, bytes: new Uint8Array(bytes) });
    return seq;
  }

  *iterate(connectionId: string, fromSeq = 1): Iterable<RawLogEntry> {
    const entries = this.byConnection.get(connectionId) ?? [];
    // seq n is at index n - 1; a snapshot of the length keeps the iteration stable while appends continue
    const end = entries.length;
    for (let i = Math.max(0, fromSeq - 1); i < end; i++) yield entries[i] as RawLogEntry;
  }

  connections(): string[] {
    return [...this.byConnection.keys()];
  }

  /** Total bytes of one direction (tests, status). */
  byteCount(connectionId: string, direction: RawLogDirection): number {
    let n = 0;
    for (const e of this.byConnection.get(connectionId) ?? []) if (e.direction === direction) n += e.bytes.length;
    return n;
  }
}
