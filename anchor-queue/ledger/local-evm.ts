// A throwaway local EVM node (anvil, from npm) for the tests and `sijill serve --demo`:
// listens on 127.0.0.1 only, on a free port, with anvil's well-known funded dev accounts.
// Never point a real deployment at it: its keys are public.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hex } from './adapter';
import { anvilBinaryPath } from './anvil-binary';

export interface LocalEvmOptions {
  /** TCP port; default: a free one chosen by the node. */
  port?: number;
  chainId?: number;
  /** How many funded dev accounts; default 4. */
  accounts?: number;
  /** E.g. 'london', or 'berlin' for a chain without EIP-1559 base fees. Default: anvil's. */
  hardfork?: string;
  /** Starting base fee in wei (0 mimics Besu networks with free gas). Default: anvil's. */
  baseFee?: bigint;
  /**
   * Seconds between blocks. Default: none, anvil mines one block per transaction, so
   * confirmations beyond 1 only come with evm_mine (tests) or this option (demo).
   */
  blockTimeSeconds?: number;
  startTimeoutMs?: number;
}

export interface LocalEvmAccount {
  address: Hex;
  privateKey: Hex;
}

export interface LocalEvm {
  rpcUrl: string;
  chainId: number;
  accounts: LocalEvmAccount[];
  /** Stops the node; its chain is gone afterwards. */
  stop(): Promise<void>;
}

const LISTENING = /Listening on 127\.0\.0\.1:(\d+)/;

export async function startLocalEvm(options: LocalEvmOptions = {}): Promise<LocalEvm> {
  const chainId = options.chainId ?? 31337;
  const folder = mkdtempSync(join(tmpdir(), 'sijill-anvil-'));
  const configFile = join(folder, 'anvil.json');
  const args = [
    '--host',
    '127.0.0.1',
    '--port',
    String(options.port ?? 0),
    '--chain-id',
    String(chainId),
    '--accounts',
    String(options.accounts ?? 4),
    '--config-out',
    configFile,
    ...(options.hardfork ? ['--hardfork', options.hardfork] : []),
    ...(options.baseFee !== undefined ? ['--base-fee', options.baseFee.toString()] : []),
    ...(options.blockTimeSeconds !== undefined ? ['--block-time', String(options.blockTimeSeconds)] : []),
  ];
  const child = spawn(anvilBinaryPath(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  // If the test runner or the host exits without stop(), the node must not outlive it.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const cleanup = (): void => {
    process.removeListener('exit', killOnExit);
    rmSync(folder, { recursive: true, force: true });
  };

  try {
    const port = await waitForListening(child, options.startTimeoutMs ?? 20_000);
    const rpcUrl = `http://127.0.0.1:${port}`;
    await waitForJsonRpc(rpcUrl, chainId, options.startTimeoutMs ?? 20_000);
    const accounts = readAccounts(configFile);
    return {
      rpcUrl,
      chainId,
      accounts,
      stop: async () => {
        await stopProcess(child);
        cleanup();
      },
    };
  } catch (error) {
    await stopProcess(child);
    cleanup();
    throw error;
  }
}

/** Resolves with the port anvil reports; rejects if it exits or stays silent. */
function waitForListening(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-4000);
      const match = LISTENING.exec(output);
      if (match?.[1]) {
        finish();
        resolve(Number(match[1]));
      }
    };
    const onExit = (code: number | null): void => {
      finish();
      reject(new Error(`anvil exited (code ${code}) before listening:\n${output}`));
    };
    const onError = (error: Error): void => {
      finish();
      reject(error);
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`anvil did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const finish = (): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
      // Keep draining: anvil logs every call, and a full pipe would stall it.
      child.stdout?.resume();
      child.stderr?.resume();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

async function waitForJsonRpc(rpcUrl: string, chainId: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      });
      const body = (await response.json()) as { result?: string };
      if (body.result !== undefined && Number(body.result) === chainId) return;
      lastError = new Error(`unexpected eth_chainId answer ${JSON.stringify(body)}`);
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`anvil at ${rpcUrl} does not answer JSON-RPC: ${String(lastError)}`);
}

function readAccounts(configFile: string): LocalEvmAccount[] {
  const config = JSON.parse(readFileSync(configFile, 'utf8')) as {
    available_accounts?: string[];
    private_keys?: string[];
  };
  const addresses = config.available_accounts ?? [];
  const keys = config.private_keys ?? [];
  if (addresses.length === 0 || addresses.length !== keys.length)
    throw new Error(`anvil wrote no usable accounts to ${configFile}`);
  return addresses.map((address, i) => ({ address: address as Hex, privateKey: keys[i] as Hex }));
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}
