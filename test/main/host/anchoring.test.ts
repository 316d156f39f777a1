// Anchoring wired into the clinic: every entry and audit record is a leaf; checkpoints
// are sealed and signed; a receipt verifies offline, fails on any changed byte, and
// after anchoring to a real local EVM (anvil from npm) it carries the anchor, which is
// found on chain. verify-store names a record changed after its leaf was written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deployAnchorContract,
  startLocalEvm,
  verifyReceipt,
  EvmLedgerAdapter,
  type LocalEvm,
  type Hex,
} from '../../../anchor-queue';
import { auditRecordHash } from '../../../main/access/audit-log';
import { getUserByUsername, createUser } from '../../../main/access/users';
import { Clinic } from '../../../main/host/clinic';
import { verifyStore } from '../../../main/store/anchor-log/verify-store';
import { cloneStore, samplePatient, useStoreTemplate } from '../../helpers/store';

const template = useStoreTemplate();

async function clinicWithEntries() {
  const store = cloneStore(template());
  await createUser(
    store.db,
    store.dataKey,
    { username: 'doc', displayName: 'Doctor', role: 'doctor', password: 'doctor-password' },
    null,
  );
  const clinic = await Clinic.open(store);
  const user = getUserByUsername(store.db, 'doc')!;
  const patient = await clinic.registerPatient(user, samplePatient());
  const vitals = clinic.recordEntry(user, patient.id, 'vitals', {
    heartRate: 72,
    spo2Scale: 1,
    supplementalOxygen: false,
  });
  const note = clinic.recordEntry(user, patient.id, 'note', { text: 'Well.' });
  return { clinic, user, patient, vitals, note };
}

describe('Merkle log, checkpoints and receipts', () => {
  it('makes one leaf per entry and per audit record', async () => {
    const { clinic } = await clinicWithEntries();
    const s = clinic.stats();
    expect(s.leaves).toBe(s.entries + s.auditRecords);
    await clinic.close();
  });

  it('refuses a receipt before a checkpoint covers the entry, then gives one that verifies offline', async () => {
    const { clinic, vitals } = await clinicWithEntries();
    expect(() => clinic.entryReceipt(null, vitals.id)).toThrow(/not yet covered by a sealed checkpoint/);
    expect(clinic.anchoring.sealNow()).not.toBeNull();
    expect(clinic.anchoring.sealNow()).toBeNull(); // nothing new to seal
    const receipt = clinic.entryReceipt(null, vitals.id);
    const result = verifyReceipt(JSON.parse(JSON.stringify(receipt)));
    expect(result.checks.filter((c) => !c.ok)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.summary?.recordId).toBe(vitals.id);
    await clinic.close();
  });

  it('fails verification when any part of a receipt is changed', async () => {
    const { clinic, note } = await clinicWithEntries();
    clinic.anchoring.sealNow();
    const good = JSON.parse(JSON.stringify(clinic.entryReceipt(null, note.id)));
    const flipHex = (h: string) => (h[0] === 'a' ? 'b' : 'a') + h.slice(1);
    const tamper: ((r: typeof good) => void)[] = [
      (r) => (r.leaf.salt = flipHex(r.leaf.salt)),
      (r) => (r.leaf.index = r.leaf.index + 1),
      (r) => (r.record.canonical = r.record.canonical.replace('Well.', 'Sick.')),
      (r) => (r.inclusionProof[0] = flipHex(r.inclusionProof[0])),
      (r) =>
        (r.checkpoint.note = r.checkpoint.note.replace(/\n(\d+)\n/, (_m: string, n: string) => `\n${Number(n) + 1}\n`)),
    ];
    for (const t of tamper) {
      const r = structuredClone(good);
      t(r);
      expect(verifyReceipt(r).ok).toBe(false);
    }
    expect(verifyReceipt({ format: 'something else' }).ok).toBe(false);
    await clinic.close();
  });

  it('verify-store names the first record changed after its leaf was written', async () => {
    const { clinic, note } = await clinicWithEntries();
    clinic.anchoring.sealNow();
    const db = clinic.db;
    expect(verifyStore(db, (seq) => auditRecordHash(db, seq)).ok).toBe(true);
    db.exec('DROP TRIGGER entries_no_update');
    db.prepare("UPDATE entries SET canonical = replace(canonical, 'Well.', 'Sick.') WHERE id = ?").run(note.id);
    const r = verifyStore(db, (seq) => auditRecordHash(db, seq));
    expect(r.ok).toBe(false);
    expect(r.firstMismatch).toMatchObject({
      recordKind: 'entry',
      recordId: note.id,
      reason: expect.stringMatching(/changed/),
    });
    await clinic.close();
  });
});

describe('verify-store finds records that bypassed or left the log', () => {
  it('names the leaf of a record deleted from the database', async () => {
    const { clinic, note } = await clinicWithEntries();
    const db = clinic.db;
    const leafIndex = (db.prepare('SELECT leaf_index FROM entries WHERE id = ?').get(note.id) as { leaf_index: number })
      .leaf_index;
    db.exec('DROP TRIGGER entries_no_delete');
    db.prepare('DELETE FROM entries WHERE id = ?').run(note.id);
    const r = verifyStore(db, (seq) => auditRecordHash(db, seq));
    expect(r.ok).toBe(false);
    expect(r.firstMismatch).toMatchObject({ leafIndex, reason: expect.stringMatching(/deleted/) });
    await clinic.close();
  });

  it('names a record inserted behind Sijill, without a leaf', async () => {
    const { clinic, user, patient } = await clinicWithEntries();
    const db = clinic.db;
    db.prepare(
      `INSERT INTO entries (id, patient_id, kind, author_id, created_at, amends, canonical, content_hash, signature)
       VALUES ('forged', ?, 'note', ?, '2026-01-01T00:00:00.000Z', NULL, '{}', zeroblob(32), zeroblob(64))`,
    ).run(patient.id, user.id);
    const r = verifyStore(db, (seq) => auditRecordHash(db, seq));
    expect(r.ok).toBe(false);
    expect(r.firstMismatch).toMatchObject({
      leafIndex: null,
      recordId: 'forged',
      reason: expect.stringMatching(/no leaf/),
    });
    await clinic.close();
  });
});

describe('anchoring to a real local EVM', () => {
  let evm: LocalEvm;
  let contract: Hex;
  beforeAll(async () => {
    evm = await startLocalEvm();
    contract = (await deployAnchorContract(evm.rpcUrl, evm.accounts[0]!.privateKey)).address;
  }, 60_000);
  afterAll(async () => {
    await evm?.stop();
  });

  it('anchors the newest checkpoint, and receipts then carry an anchor that is on chain', async () => {
    const { clinic, vitals } = await clinicWithEntries();
    clinic.anchoring.configureLedger({
      rpcUrl: evm.rpcUrl,
      chainId: evm.chainId,
      contractAddress: contract,
      confirmations: 1,
      privateKey: evm.accounts[1]!.privateKey,
    });
    clinic.anchoring.sealNow();
    // More records after the anchored checkpoint's predecessor: the receipt needs a consistency proof.
    clinic.recordEntry(getUserByUsername(clinic.db, 'doc')!, vitals.patientId, 'note', { text: 'later' });
    clinic.anchoring.sealNow();
    await expect
      .poll(
        async () => {
          await clinic.anchoring.stepQueue();
          return clinic.anchoring.status().anchored;
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBeGreaterThan(0);
    const status = clinic.anchoring.status();
    expect(status.lastAnchored?.blockNumber).toBeGreaterThan(0);
    expect(status.pendingAnchors).toBe(0);

    const receipt = clinic.entryReceipt(null, vitals.id);
    expect(receipt.anchored).not.toBeNull();
    const result = verifyReceipt(JSON.parse(JSON.stringify(receipt)));
    expect(result.checks.filter((c) => !c.ok)).toEqual([]);
    expect(result.summary!.anchoredTreeSize).toBeGreaterThan(result.summary!.treeSize);

    const adapter = new EvmLedgerAdapter({
      rpcUrl: evm.rpcUrl,
      chainId: evm.chainId,
      contractAddress: contract,
      privateKey: evm.accounts[2]!.privateKey,
    });
    const onChain = await adapter.findAnchor(receipt.anchored!.anchor.batchId as Hex);
    expect(onChain?.treeSize).toBe(result.summary!.anchoredTreeSize);
    await clinic.close();
  }, 60_000);
});

describe('ledger reconfiguration', () => {
  it('lets the newest settings win and leaves no queue running after stop', async () => {
    const { clinic } = await clinicWithEntries();
    const key = `0x${'22'.repeat(32)}` as Hex;
    const contract = `0x${'33'.repeat(20)}` as Hex;
    // Two unreachable ledgers configured back to back (ports nothing listens on).
    clinic.anchoring.configureLedger({
      rpcUrl: 'http://127.0.0.1:9/b',
      chainId: 31337,
      contractAddress: contract,
      confirmations: 1,
      privateKey: key,
    });
    clinic.anchoring.configureLedger({
      rpcUrl: 'http://127.0.0.1:9/c',
      chainId: 31337,
      contractAddress: contract,
      confirmations: 1,
      privateKey: key,
    });
    await clinic.anchoring.stepQueue();
    expect(clinic.anchoring.status().ledger?.rpcUrl).toBe('http://127.0.0.1:9/c');
    await clinic.close(); // stop() waits for the reconfigurations: nothing left to run against a closed database
    expect(clinic.db.open).toBe(false);
  });
});
