// A pseudo-terminal pair joined by socat: whatever is written to one end comes out of the other, through the
// kernel's tty layer, so simulators and tests exercise the real serial stack (termios, serialport's poller,
// hang-up on close) without hardware. Killing socat is an unplug: both ends hang up.
import { spawn, type ChildProcess } from 'node:child_process';

export interface PtyPair {
  /** The end the simulated device writes to. */
  devicePath: string;
  /** The end the bridge opens. */
  hostPath: string;
  pid: number;
  /** Resolves when socat has exited (after close(), or if it was killed). */
  exited: Promise<void>;
  /** Kills socat and waits for it to exit. Idempotent. */
  close(): Promise<void>;
}

export interface PtyPairOptions {
  /** Default /usr/bin/socat. */
  socatPath?: string;
  /** Give up waiting for socat to report both ptys. Default 5 s. */
  timeoutMs?: number;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // a test runner that dies mid-test must not leave socat processes behind
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/** Starts `socat -d -d pty,raw,echo=0 pty,raw,echo=0` and reads the two pty paths from its log. */
export function createPtyPair(options: PtyPairOptions = {}): Promise<PtyPair> {
  installExitHook();
  const child = spawn(options.socatPath ?? '/usr/bin/socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  live.add(child);
  const exited = new Promise<void>((resolve) => {
    const done = () => {
      live.delete(child);
      resolve();
    };
    child.once('exit', done);
    child.once('error', done); // spawn failed: there will be no 'exit'
  });
  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise<PtyPair>((resolve, reject) => {
    let log = '';
    let settled = false;
    const fail = (message: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void close().then(() => reject(new Error(message)));
    };
    const timer = setTimeout(
      () => fail(`socat did not report two ptys within ${options.timeoutMs ?? 5000} ms: ${log.trim()}`),
      options.timeoutMs ?? 5000,
    );
    child.once('error', (e) => fail(`cannot start socat (${e.message}); install it (apt-get install socat)`));
    child.once('exit', (code) => fail(`socat exited (code ${code}) before reporting its ptys: ${log.trim()}`));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      // keep draining after the paths are known: a full stderr pipe would block socat
      if (settled) return;
      log += chunk;
      const paths = [...log.matchAll(/PTY is (\S+)/g)].map((m) => m[1] as string);
      // socat sets the ptys' termios (raw, echo=0) after naming them; once its transfer loop starts it is done,
      // and nothing it does can overwrite the settings our open applies afterwards
      if (paths.length < 2 || !log.includes('starting data transfer loop')) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        devicePath: paths[0] as string,
        hostPath: paths[1] as string,
        pid: child.pid as number,
        exited,
        close,
      });
    });
  });
}

/** Kills every socat started by this process (test teardown). */
export async function closeAllPtyPairs(): Promise<void> {
  const waits = [...live].map(
    (child) =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  );
  await Promise.all(waits);
}

/** How many socat processes started here are still running. */
export function livePtyPairCount(): number {
  return live.size;
}
