// Transports: serialport over socat ptys, TCP over loopback, the in-process pair.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createPtyPair,
  listSerialPorts,
  MemoryLink,
  serialOpenOptions,
  SerialPortTransport,
  TcpTransport,
  type LineSettings,
  type TransportCloseInfo,
} from '../../../device-bridge/index';
import { onCleanup, runCleanups, waitFor } from '../session/harness';

afterEach(runCleanups);

const line = (flowControl: LineSettings['flowControl'] = 'none'): LineSettings => ({
  baudRate: 19200,
  dataBits: 8,
  parity: 'odd',
  stopBits: 1,
  flowControl,
});

async function openPair(flowControl: LineSettings['flowControl'] = 'none') {
  const pair = await createPtyPair();
  const device = new SerialPortTransport({ path: pair.devicePath, line: line() });
  const host = new SerialPortTransport({ path: pair.hostPath, line: line(flowControl) });
  await device.open();
  await host.open();
  onCleanup(async () => {
    await host.close();
    await device.close();
  });
  const atHost: number[] = [];
  const atDevice: number[] = [];
  host.on('data', (b) => atHost.push(...b));
  device.on('data', (b) => atDevice.push(...b));
  return { pair, device, host, atHost, atDevice };
}

describe('SerialPortTransport over a pty pair', () => {
  it('carries every byte value both ways, intact, and reopens after close()', async () => {
    const { device, host, atHost, atDevice } = await openPair();
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const bulk = new Uint8Array(randomBytes(48 * 1024));
    await device.write(all);
    await device.write(bulk);
    await host.write(Uint8Array.of(0x06, 0x15, 0x11, 0x13));
    await waitFor(() => atHost.length === all.length + bulk.length && atDevice.length === 4, 'all bytes');
    expect(Buffer.from(atHost).equals(Buffer.concat([all, bulk]))).toBe(true);
    expect(atDevice).toEqual([0x06, 0x15, 0x11, 0x13]);

    const closes: TransportCloseInfo[] = [];
    host.on('close', (c) => closes.push(c));
    await host.close();
    expect(host.isOpen).toBe(false);
    await waitFor(() => closes.length === 1, 'close event');
    expect(closes[0]).toEqual({ expected: true });
    await expect(host.write(Uint8Array.of(1))).rejects.toThrow(/is not open/);
    await host.open();
    await device.write(Uint8Array.of(42));
    await waitFor(() => atHost.at(-1) === 42, 'data after reopen');
  });

  it('XON/XOFF flow control swallows 0x11 and 0x13: why binary device profiles never use it', async () => {
    const { device, atHost } = await openPair('xonxoff');
    await device.write(Uint8Array.of(0x10, 0x11, 0x12, 0x13, 0x14));
    await waitFor(() => atHost.includes(0x14), 'the last byte');
    expect(atHost).toEqual([0x10, 0x12, 0x14]);
    expect(serialOpenOptions(line('xonxoff'))).toMatchObject({ xon: true, xoff: true, rtscts: false });
    expect(serialOpenOptions(line('rtscts'))).toMatchObject({ xon: false, xoff: false, rtscts: true, parity: 'odd' });
  });

  it('an unplug (socat killed) closes with expected: false and says the device was disconnected', async () => {
    const { pair, host, device } = await openPair();
    const closes: TransportCloseInfo[] = [];
    const deviceCloses: TransportCloseInfo[] = [];
    host.on('close', (c) => closes.push(c));
    device.on('close', (c) => deviceCloses.push(c));
    await pair.close();
    await waitFor(() => closes.length === 1, 'close event');
    expect(closes[0]?.expected).toBe(false);
    expect(closes[0]?.error?.message).toMatch(/^device disconnected/);
    expect(host.isOpen).toBe(false);
    await waitFor(() => deviceCloses.length === 1, 'close at the other end');
    expect(deviceCloses[0]?.expected).toBe(false);
  });

  it('a missing port fails to open with the path and what to check', async () => {
    const t = new SerialPortTransport({ path: '/dev/serial/by-id/usb-nothing-here', line: line() });
    await expect(t.open()).rejects.toThrow(
      /cannot open serial port \/dev\/serial\/by-id\/usb-nothing-here: .*plugged in and switched on/,
    );
    expect(t.isOpen).toBe(false);
  });

  it('lists the serial ports the system reports', async () => {
    const ports = await listSerialPorts();
    expect(Array.isArray(ports)).toBe(true);
    for (const p of ports) expect(p.path).toMatch(/^\/dev\//);
  });
});

describe('TcpTransport', () => {
  async function server() {
    const sockets: net.Socket[] = [];
    const received: number[] = [];
    const srv = net.createServer((s) => {
      sockets.push(s);
      s.on('data', (b) => received.push(...b));
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    onCleanup(
      () =>
        new Promise<void>((r) => {
          for (const s of sockets) s.destroy();
          srv.close(() => r());
        }),
    );
    return { port: (srv.address() as net.AddressInfo).port, sockets, received };
  }

  it('talks to an MLLP sender behind a converter, notices the converter dropping, reconnects', async () => {
    const srv = await server();
    const t = new TcpTransport({ host: '127.0.0.1', port: srv.port });
    onCleanup(() => t.close());
    const got: number[] = [];
    const closes: TransportCloseInfo[] = [];
    t.on('data', (b) => got.push(...b));
    t.on('close', (c) => closes.push(c));
    await t.open();
    expect(t.target).toBe(`127.0.0.1:${srv.port}`);
    await waitFor(() => srv.sockets.length === 1, 'accept');
    srv.sockets[0]?.write(Buffer.from([0x0b, 0x41, 0x1c, 0x0d]));
    await t.write(Uint8Array.of(0x0b, 0x42, 0x1c, 0x0d));
    await waitFor(() => got.length === 4 && srv.received.length === 4, 'both directions');
    expect(got).toEqual([0x0b, 0x41, 0x1c, 0x0d]);

    srv.sockets[0]?.destroy();
    await waitFor(() => closes.length === 1, 'close');
    expect(closes[0]?.expected).toBe(false);
    expect(t.isOpen).toBe(false);
    await t.open();
    await waitFor(() => srv.sockets.length === 2, 'second accept');
    await t.close();
    await waitFor(() => closes.length === 2, 'second close');
    expect(closes[1]).toEqual({ expected: true });
  });

  it('a refused connection says where it tried and what to check', async () => {
    const srv = await server();
    const port = srv.port;
    await runCleanups(); // the server is gone now
    const t = new TcpTransport({ host: '127.0.0.1', port, connectTimeoutMs: 2000 });
    await expect(t.open()).rejects.toThrow(new RegExp(`cannot connect to 127.0.0.1:${port}: .*listening on that port`));
  });
});

describe('MemoryLink', () => {
  it('delivers asynchronously, refuses to open while unplugged, hangs both ends up', async () => {
    const link = new MemoryLink('m');
    await link.a.open();
    await link.b.open();
    const got: number[] = [];
    link.b.on('data', (b) => got.push(...b));
    const written = link.a.write(Uint8Array.of(1, 2));
    expect(got).toEqual([]); // not synchronously, like a real line
    await written;
    expect(got).toEqual([1, 2]);
    const closes: TransportCloseInfo[] = [];
    link.a.on('close', (c) => closes.push(c));
    link.unplug();
    expect(closes).toEqual([{ expected: false, error: new Error('device disconnected') }]);
    await expect(link.a.open()).rejects.toThrow(/not present/);
    link.replug();
    await link.a.open();
    expect(link.a.isOpen).toBe(true);
  });
});
