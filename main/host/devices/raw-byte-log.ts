// The device bridge's raw byte log (RawByteLog, device-bridge/raw-log/README.md) in
// the encrypted database: every byte in and out, per connection, append-only.
import type { RawByteLog, RawLogDirection, RawLogEntry } from '../../../device-bridge';
import type { Db } from '../../store/database';
import { appendRawBytes, iterateRawBytes } from '../../store/repositories/devices';

export class SqliteRawByteLog implements RawByteLog {
  constructor(private readonly db: Db) {}
  append(connectionId: string, direction: RawLogDirection, bytes: Uint8Array, at: number): number {
    return appendRawBytes(this.db, connectionId, direction, bytes, at);
  }
  iterate(connectionId: string, fromSeq = 1): Iterable<RawLogEntry> {
    return iterateRawBytes(this.db, connectionId, fromSeq);
  }
}
