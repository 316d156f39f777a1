// The byte transport seen by sessions and the supervisor: a duplex byte pipe that can be opened again
// after it closed (the supervisor reopens the same transport, by the same stable path, after an unplug).

/** Serial line settings of a device (profiles carry them; the serial transport applies them). */
export interface LineSettings {
  baudRate: number;
  dataBits: 5 | 6 | 7 | 8;
  parity: 'none' | 'even' | 'odd' | 'mark' | 'space';
  stopBits: 1 | 1.5 | 2;
  /**
   * 'xonxoff' makes the host's tty swallow every 0x11/0x13 byte it receives (they are flow-control
   * characters, not data): only for ASCII protocols. 'rtscts' needs the handshake lines wired.
   */
  flowControl: 'none' | 'xonxoff' | 'rtscts';
}

export interface TransportCloseInfo {
  /** True when the owner called close(); false for an unplug, a hang-up or a dropped connection. */
  expected: boolean;
  error?: Error;
}

export interface TransportEvents {
  data: (bytes: Uint8Array) => void;
  close: (info: TransportCloseInfo) => void;
  error: (error: Error) => void;
}

export interface ByteTransport {
  readonly kind: 'serial' | 'tcp' | 'memory';
  /** What it connects to, for logs and the UI: a device path or host:port. */
  readonly target: string;
  readonly isOpen: boolean;
  /** Opens (or reopens after a close). Rejects with a message a technician can act on. */
  open(): Promise<void>;
  /** Resolves once the bytes were handed to the operating system (serial: drained). */
  write(bytes: Uint8Array): Promise<void>;
  /** Closes; a 'close' event with expected: true follows. Safe to call when already closed. */
  close(): Promise<void>;
  /** Subscribes; returns the matching unsubscribe. */
  on<E extends keyof TransportEvents>(event: E, listener: TransportEvents[E]): () => void;
}

export function describeError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
