// The real host stack against a real local EVM, for the fault tests: a chain (anvil +
// SijillAnchor), a clinic on an initialised data directory with recorded entries, a
// driver that steps the host's queue, and the two properties every fault scenario must
// end with: each checkpoint anchored exactly once, and no leaf lost.
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, expect, onTestFinished } from 'vitest';
import type { PublicClient } from 'viem';
import {
  deployAnchorContract,
  startLocalEvm,
  verifyReceipt,
  type Hex,
  type LocalEvm,
  type LocalEvmAccount,
  type OutboxBatch,
} from '../../../anchor-queue';
import { auditRecordHash } from '../../../main/access/audit-log';
import { createUser, getUserByUsername, type UserRow } from '../../../main/access/users';
import { Clinic } from '../../../main/host/clinic';
import { verifyStore } from '../../../main/store/anchor-log/verify-store';
import { SqliteOutboxStore } from '../../../main/store/anchor-log/sqlite-outbox-store';
import { latestCheckpoint } from '../../../main/store/anchor-log/checkpoints';
import { dbPath, type OpenStore } from '../../../main/store/data-dir';
import { openEncryptedDatabase } from '../../../main/store/database';
import { samplePatient } from '../../helpers/store';
import { anchoredEvents, mine, readerFor } from '../ledger/evm-helpers';

export interface Chain {
  evm: LocalEvm;
  reader: PublicClient;
  /** A fresh SijillAnchor deployment (one per test keeps the tests apart). */
  deploy(): Promise<Hex>;
  /** A funded account no other test of the file uses: its nonce counts its transactions. */
  account(): LocalEvmAccount;
}

/** One anvil per test file, stopped in afterAll whatever happens. */
export function useChain(accounts = 10): () => Chain {
  let chain: Chain | undefined;
  let next = 1; // account 0 deploys
  beforeAll(async () => {
    const evm = await startLocalEvm({ accounts });
    const deployer = evm.accounts[0]!.privateKey;
    chain = {
      evm,
      reader: readerFor(evm.rpcUrl),
      deploy: async () => (await deployAnchorContract(evm.rpcUrl, deployer)).address,
      account: () => {
        const a = evm.accounts[next++];
        if (!a) throw new Error('out of anvil accounts: start the chain with more');
        return a;
      },
    };
  }, 60_000);
  afterAll(async () => {
    await chain?.evm.stop();
  });
  return () => {
    if (!chain) throw new Error('chain not ready');
    return chain;
  };
}

export interface ClinicUnderTest {
  clinic: Clinic;
  user: UserRow;
  patientId: string;
  entryIds: string[];
}

/** Opens the clinic on `store`, makes a doctor (createUser) and a patient, records `entries` entries. */
export async function clinicWithEntries(store: OpenStore, entries: number): Promise<ClinicUnderTest> {
  await createUser(
    store.db,
    store.dataKey,
    { username: 'doc', displayName: 'Doctor', role: 'doctor', password: 'doctor-password' },
    null,
  );
  const clinic = await Clinic.open(store);
  const user = getUserByUsername(store.db, 'doc')!;
  const patient = await clinic.registerPatient(user, samplePatient());
  const cut: ClinicUnderTest = { clinic, user, patientId: patient.id, entryIds: [] };
  recordEntries(cut, entries);
  return cut;
}

export function recordEntries(cut: ClinicUnderTest, n: number): void {
  for (let i = 0; i < n; i++) {
    const entry = cut.clinic.recordEntry(cut.user, cut.patientId, 'vitals', {
      heartRate: 60 + (i % 40),
      spo2Scale: 1,
      supplementalOxygen: false,
    });
    cut.entryIds.push(entry.id);
  }
}

export const outboxOf = (clinic: Clinic) => new SqliteOutboxStore(clinic.db);

/** The outbox rows of a closed data directory, read without starting a host. */
export function readOutbox(dataDir: string, dataKey: Uint8Array): OutboxBatch[] {
  const db = openEncryptedDatabase(dbPath(dataDir), dataKey, { create: false });
  try {
    return new SqliteOutboxStore(db).listInStates(['sealed', 'submitted', 'included', 'final', 'superseded', 'failed']);
  } finally {
    db.close();
  }
}

/**
 * Steps the host's queue until `done()` holds. `between` runs after each round (mine a
 * block, move the clock). Fails with the outbox and status when time runs out.
 */
export async function driveUntil(
  clinic: Clinic,
  done: () => boolean,
  options: { timeoutMs?: number; pauseMs?: number; between?: () => Promise<void> | void } = {},
): Promise<number> {
  // performance.now, not Date.now: a test may move the wall clock the queue reads.
  const deadline = performance.now() + (options.timeoutMs ?? 30_000);
  let rounds = 0;
  for (;;) {
    await clinic.anchoring.stepQueue();
    rounds++;
    if (done()) return rounds;
    if (performance.now() > deadline) {
      throw new Error(
        `not done after ${rounds} rounds: ${JSON.stringify({ status: clinic.anchoring.status(), outbox: outboxOf(clinic).listInStates(['sealed', 'submitted', 'included', 'failed']) })}`,
      );
    }
    await options.between?.();
    await new Promise((resolve) => setTimeout(resolve, options.pauseMs ?? 50));
  }
}

/** The newest checkpoint is final and nothing is pending. */
export function allAnchored(clinic: Clinic): boolean {
  const s = clinic.anchoring.status();
  return s.pendingAnchors === 0 && s.lastAnchored !== null && s.lastAnchored.treeSize === s.lastCheckpoint?.treeSize;
}

/** Drives until allAnchored, mining a block after each round (for confirmations > 1). */
export async function driveToAnchored(clinic: Clinic, chain: Chain, timeoutMs = 30_000): Promise<number> {
  return driveUntil(clinic, () => allAnchored(clinic), { timeoutMs, between: () => mine(chain.evm.rpcUrl) });
}

/**
 * Each checkpoint ends anchored exactly once: every final batch has exactly one
 * Anchored event on the canonical chain, with its root and size, where the outbox says;
 * superseded batches (covered by a newer one) have none; nothing is pending or failed;
 * and the account sent exactly one transaction per final batch (no duplicate anchor
 * transaction was ever mined, not even an idempotent no-op). Returns the final batches.
 */
export async function expectAnchoredExactlyOnce(
  clinic: Clinic,
  chain: Chain,
  contract: Hex,
  account: LocalEvmAccount,
): Promise<OutboxBatch[]> {
  const outbox = outboxOf(clinic);
  const counts = outbox.countByState();
  expect(counts).toMatchObject({ sealed: 0, submitted: 0, included: 0, failed: 0 });
  const finals = outbox.listInStates(['final']);
  expect(finals.length).toBeGreaterThan(0);
  // The newest sealed checkpoint is among them.
  expect(finals.map((b) => b.treeSize)).toContain(latestCheckpoint(clinic.db)!.treeSize);
  for (const batch of finals) {
    const events = await anchoredEvents(chain.reader, contract, batch.batchId);
    expect(events, `events for batch of size ${batch.treeSize}`).toHaveLength(1);
    const [event] = events;
    expect(event!.args.root).toBe(batch.root);
    expect(event!.args.treeSize).toBe(BigInt(batch.treeSize));
    expect(event!.blockHash).toBe(batch.blockHash);
    expect(event!.transactionHash).toBe(batch.anchorTxHash);
    const tx = await chain.reader.getTransaction({ hash: event!.transactionHash! });
    expect(tx.from.toLowerCase()).toBe(account.address.toLowerCase());
  }
  for (const batch of outbox.listInStates(['superseded'])) {
    expect(await anchoredEvents(chain.reader, contract, batch.batchId)).toHaveLength(0);
  }
  expect(await chain.reader.getTransactionCount({ address: account.address })).toBe(finals.length);
  return finals;
}

/**
 * No leaf is lost: verify-store recomputes every leaf from the stored records and the
 * newest checkpoint's root; the log has one leaf per entry and per audit record; and
 * every entry given here has a receipt that verifies offline and carries an anchor.
 */
export function expectNothingLost(clinic: Clinic, entryIds: readonly string[]): void {
  const stats = clinic.stats();
  expect(stats.leaves).toBe(stats.entries + stats.auditRecords);
  expect(stats.entries).toBeGreaterThanOrEqual(entryIds.length);
  const verified = verifyStore(clinic.db, (seq) => auditRecordHash(clinic.db, seq));
  expect(verified.firstMismatch).toBeNull();
  expect(verified).toMatchObject({
    ok: true,
    leaves: stats.leaves,
    checkpoint: { rootMatches: true, signatureValid: true },
  });
  const anchor = clinic.anchoring.latestAnchor();
  expect(anchor).not.toBeNull();
  for (const id of entryIds) {
    const receipt = clinic.entryReceipt(null, id);
    const result = verifyReceipt(JSON.parse(JSON.stringify(receipt)));
    expect(result.checks.filter((c) => !c.ok)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(receipt.anchored?.anchor.batchId).toBe(anchor!.batchId);
  }
}

export interface LedgerTarget {
  rpcUrl: string;
  contract: Hex;
  account: LocalEvmAccount;
  confirmations: number;
}

/** configureLedger, then wait for the host to have started its queue on it. */
export async function configure(clinic: Clinic, chain: Chain, target: LedgerTarget): Promise<void> {
  clinic.anchoring.configureLedger({
    rpcUrl: target.rpcUrl,
    chainId: chain.evm.chainId,
    contractAddress: target.contract,
    confirmations: target.confirmations,
    privateKey: target.account.privateKey,
  });
  await expect
    .poll(() => clinic.anchoring.status().ledger?.rpcUrl, { timeout: 5_000, interval: 10 })
    .toBe(target.rpcUrl);
}

/** Closes the clinic at the end of the test unless the test already did. */
export function closeLater(clinic: Clinic): () => Promise<void> {
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await clinic.close();
  };
  onTestFinished(close);
  return close;
}
