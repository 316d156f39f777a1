// A host served over its real HTTP + WebSocket transport for API tests: a temporary
// data directory, a stub renderer page, and the WebSocket API address.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Host } from '../../../main/host/host';
import { startHttpServer } from '../../../main/host/transports/http-server';

export async function startApiHost(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const rendererDir = join(dir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Sijill</title>');
  const host = new Host(join(dir, 'data'));
  const server = await startHttpServer({ host, rendererDir, port: 0 });
  return {
    host,
    server,
    wsUrl: `${server.url.replace('http', 'ws')}api`,
    async close() {
      await server.close();
      await host.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
