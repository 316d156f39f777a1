// A TCP proxy on loopback that counts the bytes crossing it both ways: the Sijill
// side of the sync benchmark connects through it, so its "bytes on the wire" are
// counted like the PouchDB side's (every byte of the connection: handshake, frames).
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface CountingProxy {
  port: number;
  /** Bytes forwarded in both directions since start (or the last reset). */
  bytes(): number;
  reset(): void;
  close(): Promise<void>;
}

export async function startCountingProxy(targetPort: number): Promise<CountingProxy> {
  let total = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      total += chunk.length;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      total += chunk.length;
      client.write(chunk);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    bytes: () => total,
    reset: () => {
      total = 0;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
