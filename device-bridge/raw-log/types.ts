// Raw byte log: every byte received from and sent to a device, in order, with a timestamp. Append-only.
// The host implements it over SQLite (contract: ./README.md); MemoryRawByteLog is the in-process one.
//
// Synchronous on purpose: the session appends an inbound chunk before any of it is decoded and an outbound
// chunk before it is written, so the log's order is the wire's order without awaiting anything.

/**
 * 'in' / 'out': bytes received / sent. 'open' / 'close': the connection was opened / ended (no bytes); replay
 * restarts the framers at a 'close' exactly as the live session did, so it decodes the same items.
 */
export type RawLogDirection = 'in' | 'out' | 'open' | 'close';

export interface RawLogEntry {
  connectionId: string;
  /** Per connection: 1, 2, 3 … assigned by the log, never reused. */
  seq: number;
  direction: RawLogDirection;
  /** Milliseconds since the epoch, from the session's clock. */
  at: number;
  bytes: Uint8Array;
}

export interface RawByteLog {
  /** Appends and returns the entry's seq. Must keep a copy of `bytes` (callers reuse buffers). */
  append(connectionId: string, direction: RawLogDirection, bytes: Uint8Array, at: number): number;
  /** Entries of one connection with seq >= fromSeq (default 1), in seq order. */
  iterate(connectionId: string, fromSeq?: number): Iterable<RawLogEntry>;
}
