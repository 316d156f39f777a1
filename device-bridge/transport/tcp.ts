// TCP client transport, for HL7/MLLP (or ASTM) senders behind a serial-to-network converter that listens on a
// port. TCP keep-alive is on so a converter that lost power is noticed even when the line is idle.
import net from 'node:net';
import { Emitter } from './emitter';
import { describeError, type ByteTransport, type TransportEvents } from './types';

export interface TcpTransportOptions {
  host: string;
  port: number;
  /** Give up connecting after this long. Default 10 s. */
  connectTimeoutMs?: number;
  /** TCP keep-alive initial delay. Default 15 s. */
  keepAliveMs?: number;
}

export class TcpTransport extends Emitter<TransportEvents> implements ByteTransport {
  readonly kind = 'tcp' as const;
  private socket: net.Socket | undefined;
  private closing = false;

  constructor(private readonly options: TcpTransportOptions) {
    super();
  }

  get target(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  get isOpen(): boolean {
    return this.socket !== undefined && !this.socket.destroyed && this.socket.readyState === 'open';
  }

  async open(): Promise<void> {
    if (this.isOpen) return;
    const socket = net.createConnection({ host: this.options.host, port: this.options.port });
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error) => {
        socket.destroy();
        reject(
          new Error(
            `cannot connect to ${this.target}: ${describeError(err)}. Check that the converter is powered, on the ` +
              'network, and listening on that port.',
          ),
        );
      };
      socket.setTimeout(this.options.connectTimeoutMs ?? 10_000, () => fail(new Error('connection timed out')));
      socket.once('error', fail);
      socket.once('connect', () => {
        socket.off('error', fail);
        socket.setTimeout(0);
        resolve();
      });
    });
    socket.setKeepAlive(true, this.options.keepAliveMs ?? 15_000);
    socket.setNoDelay(true);
    this.socket = socket;
    this.closing = false;
    socket.on('data', (chunk: Buffer) => this.emit('data', new Uint8Array(chunk)));
    let lastError: Error | undefined;
    socket.on('error', (err) => {
      lastError = err;
      this.emit('error', err);
    });
    socket.on('close', () => {
      if (this.socket === socket) this.socket = undefined;
      const expected = this.closing;
      this.closing = false;
      this.emit('close', lastError && !expected ? { expected, error: lastError } : { expected });
    });
  }

  async write(bytes: Uint8Array): Promise<void> {
    const socket = this.socket;
    if (!socket || !this.isOpen) throw new Error(`${this.target} is not connected`);
    await new Promise<void>((resolve, reject) => socket.write(bytes, (err) => (err ? reject(err) : resolve())));
  }

  async close(): Promise<void> {
    const socket = this.socket;
    if (!socket || socket.destroyed) return;
    this.closing = true;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.end();
      // a peer that never answers our FIN must not hold close() forever
      setTimeout(() => socket.destroy(), 1000).unref();
    });
  }
}
