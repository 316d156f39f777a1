// `sijill serve` (browser mode) and `sijill start` (the desktop app, falling back
// to browser mode where the Electron binary is missing).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Host } from '../host/host';
import { prepareDemo } from '../host/demo/prepare';
import { startHttpServer } from '../host/transports/http-server';
import { CliError } from './prompt';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const RENDERER_DIR = join(PROJECT_ROOT, 'dist', 'renderer');
export const DEFAULT_PORT = 8470;

export function defaultDataDir(demo: boolean): string {
  if (process.env.SIJILL_DATA_DIR) return process.env.SIJILL_DATA_DIR;
  const base = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, demo ? 'sijill-demo' : 'sijill');
}

interface ServeArgs {
  'data-dir'?: string;
  port?: string;
  demo?: boolean;
  bind?: string;
  'listen-peers'?: boolean;
  'peer-port'?: string;
  'peer-bind'?: string;
}

/**
 * The Electron binary's path, downloading it on first use (electron@45 fetches its
 * binary lazily) — or null with the reason when it cannot be had. The lookup runs
 * in a child process so a failed download's noise does not reach the user.
 */
function electronBinary(): { path: string } | { reason: string } {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(require("electron")))'], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    timeout: 10 * 60_000,
  });
  const path = r.stdout?.trim();
  if (r.status === 0 && path && existsSync(path)) return { path };
  const why = /fetch failed|ENOTFOUND|EAI_AGAIN|ECONNREFUSED/.test(`${r.stderr}`)
    ? 'it could not be downloaded: no connection to its release site'
    : 'it is not installed';
  return { reason: why };
}

export async function serveCommand(args: ServeArgs, mode: { electron: boolean }): Promise<number> {
  const demo = args.demo ?? false;
  const dataDir = resolve(args['data-dir'] ?? defaultDataDir(demo));
  const port = args.port === undefined ? DEFAULT_PORT : Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new CliError('--port must be a number from 0 to 65535', 2);
  const bind = args.bind ?? '127.0.0.1';
  if (bind !== '127.0.0.1' && bind !== 'localhost' && bind !== '::1') {
    console.warn(
      `WARNING: serving on ${bind}, not only on this computer. Anyone on that network can reach the login page.`,
    );
  }

  if (mode.electron) {
    const electron = electronBinary();
    if ('path' in electron) {
      const launcher = join(PROJECT_ROOT, 'main', 'electron', 'launch.mjs');
      const child = spawn(electron.path, [launcher, '--data-dir', dataDir, ...(demo ? ['--demo'] : [])], {
        stdio: 'inherit',
      });
      return new Promise((done) => child.on('exit', (code) => done(code ?? 1)));
    }
    console.log(`Electron is not available on this machine (${electron.reason}), so Sijill starts in browser mode.`);
  }

  const host = new Host(dataDir);
  let stopDemo = async () => {};
  if (demo) stopDemo = await prepareDemo(host, (line) => console.log(line));
  else if (host.state === 'locked' && process.env.SIJILL_PASSPHRASE) await host.unlock(process.env.SIJILL_PASSPHRASE);

  if (!existsSync(join(RENDERER_DIR, 'index.html'))) {
    console.warn('The user interface has not been built yet: run "npm run build" (npm start does it for you).');
  }
  const server = await startHttpServer({
    host,
    rendererDir: RENDERER_DIR,
    port,
    bindAddress: bind,
    log: (m) => console.error(m),
  }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE')
      throw new CliError(`Port ${port} is already in use. Choose another with --port N (0 picks a free one).`);
    throw err;
  });
  console.log(
    `Data directory: ${dataDir} (${host.state === 'uninitialized' ? 'new: the first-run setup will create it' : host.state})`,
  );
  console.log(`Sijill is serving on ${server.url}`);
  if (args['listen-peers']) {
    if (host.state !== 'ready')
      throw new CliError('--listen-peers needs the database unlocked at start: set SIJILL_PASSPHRASE.', 2);
    const peerPort = args['peer-port'] === undefined ? 8471 : Number(args['peer-port']);
    if (!Number.isInteger(peerPort) || peerPort < 0 || peerPort > 65535)
      throw new CliError('--peer-port must be a number from 0 to 65535', 2);
    const peerBind = args['peer-bind'] ?? '0.0.0.0';
    const listening = await host.clinic.sync
      .listen({ port: peerPort, host: peerBind })
      .catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'EADDRINUSE')
          throw new CliError(`Peer port ${peerPort} is already in use. Choose another with --peer-port N.`);
        throw err;
      });
    console.log(`Listening for peers on ws://${peerBind}:${listening} (device ${host.clinic.deviceId})`);
  }
  console.log('Open that address in a browser on this computer. Press Ctrl+C to stop.');

  return new Promise((done) => {
    let stopping = false;
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      await server.close();
      await host.close();
      await stopDemo();
      done(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
