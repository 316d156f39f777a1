// The clinic host killed with SIGKILL at the two dangerous moments of an anchor:
// between persisting the signed transaction and broadcasting it, and between the
// broadcast and recording its inclusion (the reply lost with the process, or the
// process gone while it asks for the receipt). The host runs in a child process
// (anchor-worker.ts) that records entries while it anchors; the fault proxy holds the
// exact JSON-RPC call, the test kills the child there, then a fresh host on the same
// data directory must finish the job: one anchor per batch id, nothing lost.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { keccak256, type Hex } from 'viem';
import { Clinic } from '../../../main/host/clinic';
import { cloneStore, openWithKey, useStoreTemplate } from '../../helpers/store';
import { anchoredEvents } from '../ledger/evm-helpers';
import { FaultProxy, type RpcCall } from './fault-proxy';
import {
  clinicWithEntries,
  closeLater,
  driveToAnchored,
  expectAnchoredExactlyOnce,
  expectNothingLost,
  readOutbox,
  useChain,
  type Chain,
} from './harness';

const template = useStoreTemplate();
const chainOf = useChain();
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Where the child dies. */
type KillPoint =
  | 'persisted, not broadcast' // eth_sendRawTransaction held before it reaches the node
  | 'broadcast, reply lost' // the node took it; the child dies before hearing so
  | 'broadcast, asking for the receipt'; // 'pending' recorded; dies polling for inclusion

interface Worker {
  child: ChildProcess;
  entries: string[];
  exited: Promise<void>;
}

function startWorker(
  dataDir: string,
  chain: Chain,
  proxyUrl: string,
  contract: Hex,
  key: Hex,
  patientId: string,
): Promise<Worker> {
  const child = spawn(
    process.execPath,
    [
      'bin/run-ts.js',
      'test/anchor-queue/faults/anchor-worker.ts',
      dataDir,
      proxyUrl,
      String(chain.evm.chainId),
      contract,
      '1',
      patientId,
    ],
    {
      cwd: repoRoot,
      env: { ...process.env, SIJILL_PASSPHRASE: template().passphrase, SIJILL_LEDGER_KEY: key },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const worker: Worker = { child, entries: [], exited };
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (line === 'ready') resolve(worker);
        else if (line.startsWith('entry ')) worker.entries.push(line.slice(6));
      }
    });
    child.once('exit', (code, signal) => reject(new Error(`worker exited early (${code ?? signal}):\n${stderr}`)));
  });
}

/** A promise and its resolver, for holding a proxied call until the test says. */
function held<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)),
  ]);
}

async function killAndResume(point: KillPoint): Promise<void> {
  const chain = chainOf();
  const contract = await chain.deploy();
  const account = chain.account();
  const proxy = await FaultProxy.start(chain.evm.rpcUrl);
  onTestFinished(() => proxy.stop());

  // The clinic records and seals; then the host moves to a child process.
  const store = cloneStore(template());
  const cut = await clinicWithEntries(store, 4);
  const sealed = cut.clinic.anchoring.sealNow()!;
  await cut.clinic.close();

  const reached = held<RpcCall>();
  const release = { before: held<'drop'>(), after: held<'drop'>() };
  proxy.before = (call) => {
    if (point === 'persisted, not broadcast' && call.method === 'eth_sendRawTransaction') {
      reached.resolve(call);
      return release.before.promise;
    }
    if (point === 'broadcast, asking for the receipt' && call.method === 'eth_getTransactionReceipt') {
      reached.resolve(call);
      return release.before.promise;
    }
    return 'forward';
  };
  proxy.after = (call) => {
    if (point === 'broadcast, reply lost' && call.method === 'eth_sendRawTransaction') {
      reached.resolve(call);
      return release.after.promise;
    }
    return 'reply';
  };

  const worker = await startWorker(store.dataDir, chain, proxy.url, contract, account.privateKey, cut.patientId);
  const call = await within(reached.promise, 20_000, `${point}: the call to hold`);
  // Let it record a little more while its anchor is stuck: recording never waits.
  const recordedBefore = worker.entries.length;
  await expect.poll(() => worker.entries.length, { timeout: 5_000, interval: 10 }).toBeGreaterThan(recordedBefore + 2);
  worker.child.kill('SIGKILL');
  await worker.exited;
  expect(worker.child.signalCode).toBe('SIGKILL');
  release.before.resolve('drop');
  release.after.resolve('drop');
  proxy.before = null;
  proxy.after = null;

  // What the killed host left on disk: the signed transaction, persisted before any broadcast.
  const rows = readOutbox(store.dataDir, template().dataKey);
  expect(rows).toHaveLength(1);
  const left = rows[0]!;
  expect(left).toMatchObject({
    treeSize: sealed.treeSize,
    state: 'submitted',
    submission: point === 'broadcast, asking for the receipt' ? 'pending' : 'signed',
  });
  expect(keccak256(left.rawTx!)).toBe(left.txHash);
  if (call.method === 'eth_sendRawTransaction') expect(call.params[0]).toBe(left.rawTx);
  else expect(call.params[0]).toBe(left.txHash);
  const onChainBefore = point === 'persisted, not broadcast' ? 0 : 1;
  expect(await anchoredEvents(chain.reader, contract, left.batchId)).toHaveLength(onChainBefore);
  expect(await chain.reader.getTransactionCount({ address: account.address })).toBe(onChainBefore);

  // A fresh host on the same data directory resumes from the stored ledger settings.
  const clinic = await Clinic.open(openWithKey(store.dataDir, template().dataKey));
  const close = closeLater(clinic);
  expect(clinic.anchoring.status().ledger?.rpcUrl).toBe(proxy.url);
  await driveToAnchored(clinic, chain);
  const [resumed] = await expectAnchoredExactlyOnce(clinic, chain, contract, account);
  expect(resumed!.batchId).toBe(left.batchId);
  expect(resumed!.txHash).toBe(left.txHash); // the persisted bytes, never a second signature

  // Every entry the child reported committed is there, and a new checkpoint covering
  // them anchors too: one more transaction, no more.
  const childEntries = worker.entries;
  expect(childEntries.length).toBeGreaterThan(2);
  const next = clinic.anchoring.sealNow()!;
  expect(next.treeSize).toBeGreaterThan(sealed.treeSize);
  await driveToAnchored(clinic, chain);
  const finals = await expectAnchoredExactlyOnce(clinic, chain, contract, account);
  expect(finals.map((b) => b.treeSize).sort((a, b) => a - b)).toEqual([sealed.treeSize, next.treeSize]);
  expectNothingLost(clinic, [...cut.entryIds, ...childEntries]);
  await close();
}

describe('the host killed (SIGKILL) around the broadcast, on a real EVM', () => {
  it('between persisting the signed transaction and broadcasting it: resumed, the same bytes land once', async () => {
    await killAndResume('persisted, not broadcast');
  }, 60_000);

  it('after the node took the broadcast, before the host heard back: resumed, no second transaction', async () => {
    await killAndResume('broadcast, reply lost');
  }, 60_000);

  it('after the broadcast was recorded, while polling for inclusion: resumed, included and final once', async () => {
    await killAndResume('broadcast, asking for the receipt');
  }, 60_000);
});
