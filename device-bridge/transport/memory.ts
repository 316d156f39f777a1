// An in-process pair of connected transports: what one end writes, the other receives (asynchronously, like a
// real line). Used by tests and by simulators when no pty is wanted. `unplug()` and `available` imitate a
// device that vanishes and comes back.
import { Emitter } from './emitter';
import type { ByteTransport, TransportEvents } from './types';

export class MemoryTransport extends Emitter<TransportEvents> implements ByteTransport {
  readonly kind = 'memory' as const;
  peer: MemoryTransport | undefined;
  private opened = false;
  /** Bytes written, in order (tests inspect what a session sent). */
  readonly written: Uint8Array[] = [];

  constructor(
    readonly target: string,
    private readonly link: MemoryLink,
  ) {
    super();
  }

  get isOpen(): boolean {
    return this.opened;
  }

  async open(): Promise<void> {
    if (!this.link.available) throw new Error(`cannot open ${this.target}: device not present`);
    this.opened = true;
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (!this.opened) throw new Error(`${this.target} is not open`);
    const copy = new Uint8Array(bytes);
    this.written.push(copy);
    const peer = this.peer;
    queueMicrotask(() => peer?.deliver(copy));
  }

  async close(): Promise<void> {
    if (!this.opened) return;
    this.opened = false;
    this.emit('close', { expected: true });
  }

  /** Feeds bytes as if they arrived on the line (tests). Dropped while closed, like a real port. */
  deliver(bytes: Uint8Array): void {
    if (this.opened) this.emit('data', new Uint8Array(bytes));
  }

  /** The line drops under us: closes with expected: false. */
  hangUp(message = 'device disconnected'): void {
    if (!this.opened) return;
    this.opened = false;
    this.emit('close', { expected: false, error: new Error(message) });
  }
}

export class MemoryLink {
  available = true;
  readonly a: MemoryTransport;
  readonly b: MemoryTransport;

  constructor(name = 'memory') {
    this.a = new MemoryTransport(`${name}:a`, this);
    this.b = new MemoryTransport(`${name}:b`, this);
    this.a.peer = this.b;
    this.b.peer = this.a;
  }

  /** Both ends lose the line and cannot be reopened until `replug()`. */
  unplug(): void {
    this.available = false;
    this.a.hangUp();
    this.b.hangUp();
  }

  replug(): void {
    this.available = true;
  }
}
