// The official automerge-repo sync server, run as shipped in its own process on a free
// loopback port with its own data directory (the hub tests put it behind the gateway).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunningSyncServer {
  url: string;
  /** Where the server stores documents. */
  dataDir: string;
  stop(): void;
}

/** A TCP port nothing listens on at the moment (on 127.0.0.1). */
export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

export async function startSyncServer(name: string): Promise<RunningSyncServer> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), `sijill-${name}-`));
  const server = spawn(process.execPath, ['node_modules/@automerge/automerge-repo-sync-server/src/index.js'], {
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    server.stdout!.on('data', (b: Buffer) => {
      if (b.toString().includes('Listening')) resolve();
    });
    server.once('exit', (code) => reject(new Error(`sync server exited (${code})`)));
  });
  return {
    url: `ws://127.0.0.1:${port}`,
    dataDir,
    stop() {
      server.kill();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
