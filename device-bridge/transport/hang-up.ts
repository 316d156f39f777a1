// Hang-up detection for serialport's Unix binding.
//
// After a tty is hung up (USB adapter pulled, pty peer gone) read() returns 0 bytes at once. The binding
// (@serialport/bindings-cpp 12, unixRead) answers a 0-byte read by reading again, immediately and for ever: the
// port never closes and a thread-pool thread spins. It only notices the hang-up if the read happened to be
// waiting on its poller at that moment. Reproduced with socat ptys (test/device-bridge/transport). This
// replaces the binding port's read with one that treats end-of-file as the disconnect it is; everything else
// (EAGAIN → wait on the binding's own poller) behaves as before.
import { read } from 'node:fs';
import { promisify } from 'node:util';

const readAsync = promisify(read);

interface UnixBindingPort {
  fd: number | null;
  readonly isOpen: boolean;
  poller: { once(event: 'readable', callback: (err: Error | null) => void): unknown };
  read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }>;
}

function isUnixBindingPort(p: unknown): p is UnixBindingPort {
  const o = p as Partial<UnixBindingPort> | null;
  return (
    typeof o === 'object' &&
    o !== null &&
    typeof o.fd === 'number' &&
    typeof o.poller?.once === 'function' &&
    typeof o.read === 'function'
  );
}

const flagged = (message: string, flags: { canceled?: boolean; disconnect?: boolean }): Error =>
  Object.assign(new Error(message), flags);

/** Installs the end-of-file-aware read on an open serialport binding port. No-op on other bindings. */
export function detectHangUp(bindingPort: unknown): boolean {
  if (!isUnixBindingPort(bindingPort)) return false;
  const port = bindingPort;
  const waitReadable = () =>
    new Promise<void>((resolve, reject) => port.poller.once('readable', (err) => (err ? reject(err) : resolve())));
  port.read = async (buffer, offset, length) => {
    for (;;) {
      if (!port.isOpen || port.fd === null) throw flagged('Port is not open', { canceled: true });
      try {
        const { bytesRead } = await readAsync(port.fd, buffer, offset, length, null);
        if (bytesRead === 0) throw flagged('hang-up: end of file on the tty', { disconnect: true });
        return { buffer, bytesRead };
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK' && code !== 'EINTR') throw e;
        if (!port.isOpen) throw flagged('Port is not open', { canceled: true });
        await waitReadable();
      }
    }
  };
  return true;
}
