// Browser mode: the built renderer over HTTP and the API over a WebSocket at /api,
// on the loopback interface only (unless told otherwise). Requests from a page of
// another origin are refused at the upgrade, so a web site the clinic visits cannot
// talk to the host; there is no CORS at all.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_MESSAGE_BYTES, type EventMessage } from '../../api';
import { dispatch, type Caller } from '../dispatcher';
import { mayReceive } from '../../access/permissions';
import type { Host } from '../host';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*",
  "img-src 'self' data:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export interface ServeOptions {
  host: Host;
  rendererDir: string;
  port?: number;
  /** Loopback by default; anything else must be asked for explicitly. */
  bindAddress?: string;
  log?: (msg: string) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

function securityHeaders(res: ServerResponse) {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

function serveStatic(rendererDir: string, req: IncomingMessage, res: ServerResponse) {
  securityHeaders(res);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  const index = join(rendererDir, 'index.html');
  if (!existsSync(index)) {
    res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('The Sijill user interface has not been built. Run "npm run build", then reload.\n');
    return;
  }
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  } catch {
    res.writeHead(400).end();
    return;
  }
  const root = resolve(rendererDir);
  let file = resolve(root, `.${normalize(pathname)}`);
  if (file !== root && !file.startsWith(root + sep)) {
    res.writeHead(404).end();
    return;
  }
  if (!existsSync(file) || !statSync(file).isFile()) file = index; // client-side routes
  res.writeHead(200, {
    'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
    'Cache-Control': file === index ? 'no-store' : 'public, max-age=3600',
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
}

export function startHttpServer(options: ServeOptions): Promise<RunningServer> {
  const { host, rendererDir, log = () => {} } = options;
  const bindAddress = options.bindAddress ?? '127.0.0.1';
  const server: Server = createServer((req, res) => serveStatic(rendererDir, req, res));
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const clients = new Map<WebSocket, Caller>();

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const origin = req.headers.origin;
    const port = (server.address() as AddressInfo).port;
    const allowedOrigins = new Set([
      `http://127.0.0.1:${port}`,
      `http://localhost:${port}`,
      `http://${bindAddress}:${port}`,
    ]);
    if (url.pathname !== '/api' || (origin !== undefined && !allowedOrigins.has(origin))) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    const caller: Caller = { userId: null, role: null };
    clients.set(ws, caller);
    ws.on('message', async (data, isBinary) => {
      let parsed: unknown;
      try {
        if (isBinary) throw new Error('binary');
        parsed = JSON.parse(data.toString());
      } catch {
        parsed = null;
      }
      const response = await dispatch(host, parsed, caller, log);
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(response));
    });
    ws.on('close', () => clients.delete(ws));
    ws.on('error', () => clients.delete(ws));
  });

  const unsubscribe = host.onEvent((event, data) => {
    const msg: EventMessage = { type: 'event', event, data };
    const text = JSON.stringify(msg);
    for (const [ws, caller] of clients) {
      // Each event goes only to connections whose user's role may receive it (permissions.ts).
      if (mayReceive(caller.role, event) && ws.readyState === ws.OPEN) ws.send(text);
    }
  });

  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, bindAddress, () => {
      const port = (server.address() as AddressInfo).port;
      const hostPart = bindAddress.includes(':') ? `[${bindAddress}]` : bindAddress;
      resolvePromise({
        url: `http://${hostPart}:${port}/`,
        port,
        close: () =>
          new Promise<void>((done) => {
            unsubscribe();
            for (const ws of clients.keys()) ws.terminate();
            wss.close();
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
