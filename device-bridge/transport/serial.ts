// Serial transport over the `serialport` package. Opened by path, preferably a stable one
// (/dev/serial/by-id/…, or a symlink a test re-points): each open() resolves the path again, so after an
// unplug the same transport reopens whichever tty the stable path names now.
import { SerialPort } from 'serialport';
import { Emitter } from './emitter';
import { detectHangUp } from './hang-up';
import { describeError, type ByteTransport, type LineSettings, type TransportEvents } from './types';

export interface SerialTransportOptions {
  path: string;
  line: LineSettings;
  /** Exclusive open (TIOCEXCL): another program cannot open the port while we hold it. Default true. */
  lock?: boolean;
}

/** serialport open options for a profile's line settings. */
export function serialOpenOptions(line: LineSettings): {
  baudRate: number;
  dataBits: 5 | 6 | 7 | 8;
  parity: LineSettings['parity'];
  stopBits: 1 | 1.5 | 2;
  rtscts: boolean;
  xon: boolean;
  xoff: boolean;
} {
  return {
    baudRate: line.baudRate,
    dataBits: line.dataBits,
    parity: line.parity,
    stopBits: line.stopBits,
    rtscts: line.flowControl === 'rtscts',
    xon: line.flowControl === 'xonxoff',
    xoff: line.flowControl === 'xonxoff',
  };
}

export class SerialPortTransport extends Emitter<TransportEvents> implements ByteTransport {
  readonly kind = 'serial' as const;
  private port: SerialPort | undefined;
  private closing = false;

  constructor(private readonly options: SerialTransportOptions) {
    super();
  }

  get target(): string {
    return this.options.path;
  }

  get isOpen(): boolean {
    return this.port?.isOpen ?? false;
  }

  async open(): Promise<void> {
    if (this.port?.isOpen) return;
    const port = new SerialPort({
      path: this.options.path,
      ...serialOpenOptions(this.options.line),
      lock: this.options.lock ?? true,
      autoOpen: false,
    });
    await new Promise<void>((resolve, reject) =>
      port.open((err) =>
        err
          ? reject(
              new Error(
                `cannot open serial port ${this.options.path}: ${describeError(err)}. Check that the device is ` +
                  'plugged in and switched on, that the path exists, and that no other program holds the port.',
              ),
            )
          : resolve(),
      ),
    );
    this.port = port;
    this.closing = false;
    // before the first read starts (it starts when the 'data' listener below is attached)
    detectHangUp((port as unknown as { port?: unknown }).port);
    // copy: listeners keep the bytes (raw log, framers), serialport's read pool is not ours
    port.on('data', (chunk: Buffer) => this.emit('data', new Uint8Array(chunk)));
    port.on('error', (err: Error) => this.emit('error', err));
    port.on('close', (err: Error | null) => {
      if (this.port === port) this.port = undefined;
      const expected = this.closing;
      this.closing = false;
      if (expected || !err) {
        this.emit('close', { expected });
        return;
      }
      // serialport marks a read failing with EIO/EBADF after a hang-up (unplug, pty peer gone) as `disconnected`
      const disconnected = (err as Error & { disconnected?: boolean }).disconnected === true;
      const error = disconnected ? new Error(`device disconnected (${err.message})`) : err;
      this.emit('close', { expected, error });
    });
  }

  async write(bytes: Uint8Array): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) throw new Error(`serial port ${this.options.path} is not open`);
    await new Promise<void>((resolve, reject) =>
      port.write(Buffer.from(bytes), (err) => {
        if (err) reject(err);
        else port.drain((e) => (e ? reject(e) : resolve()));
      }),
    );
  }

  async close(): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) return;
    this.closing = true;
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}

export interface SerialPortInfo {
  path: string;
  manufacturer?: string;
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
  pnpId?: string;
}

/** Serial ports the operating system reports (USB adapters, built-in UARTs). Pseudo-terminals are not listed. */
export async function listSerialPorts(): Promise<SerialPortInfo[]> {
  const ports = await SerialPort.list();
  return ports.map((p) => {
    const info: SerialPortInfo = { path: p.path };
    if (p.manufacturer) info.manufacturer = p.manufacturer;
    if (p.serialNumber) info.serialNumber = p.serialNumber;
    if (p.vendorId) info.vendorId = p.vendorId;
    if (p.productId) info.productId = p.productId;
    if (p.pnpId) info.pnpId = p.pnpId;
    return info;
  });
}
