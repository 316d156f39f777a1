// USB bundles: signed by the exporting device, encrypted to the clinic, holding the
// changes the receiver lacks plus signed entries. Import is all-or-nothing: every
// refusal is a BundleError with a clear message, and nothing is changed.
import * as A from '@automerge/automerge';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import {
  BundleError,
  exportBundle,
  openBundle,
  type BundleEntry,
  type BundleImportContext,
  type DeviceIdentity,
} from '../../../sync';
import { assemble, encodeHeader } from '../../../sync/bundles/format';
import { sealTo } from '../../../sync/identity/sealed-box';
import { addItem, im, newChart, replica, type ChartDoc } from '../conflicts/chart-fixture';
import { makeClinic, strangerDevice, type TestClinic } from '../identity/clinic-fixture';

// A user signing entries the way the host does: canonical JSON, SHA-256, Ed25519.
const userKey = ed25519.keygen();
function signedEntry(id: string, body: Record<string, unknown>): BundleEntry {
  const canonical = JSON.stringify({ v: 1, id, body });
  const bytes = new TextEncoder().encode(canonical);
  return {
    id,
    contentHash: bytesToHex(sha256(bytes)),
    canonical,
    signature: bytesToHex(ed25519.sign(bytes, userKey.secretKey)),
  };
}
function verifyEntry(row: BundleEntry): true | string {
  const bytes = new TextEncoder().encode(String(row.canonical));
  if (bytesToHex(sha256(bytes)) !== row.contentHash) return 'content hash does not match';
  return ed25519.verify(Buffer.from(String(row.signature), 'hex'), bytes, userKey.publicKey)
    ? true
    : 'signature does not verify';
}

const DOC = 'chart-doc-1';

function receiver(
  clinic: TestClinic,
  docs: Map<string, A.Doc<unknown>>,
  over: Partial<BundleImportContext> = {},
): BundleImportContext {
  const imported = new Set<string>();
  const held = new Map<string, string>();
  return {
    clinicId: clinic.clinicId,
    clinicSecretKey: clinic.clinicSecretKey,
    roster: clinic.roster(),
    seen: (b) => imported.has(`${b.fromDevice}/${b.bundleId}`),
    verifyEntry,
    existingEntryHash: (id) => held.get(id),
    loadDoc: (id) => docs.get(id),
    ...over,
  };
}

function scenario() {
  const clinic = makeClinic(['desk', 'lap']);
  const deskDoc = newChart();
  let lapDoc = replica(deskDoc);
  const known = A.getHeads(deskDoc);
  lapDoc = A.change(lapDoc, addItem('allergies', 'al-2', 'latex'));
  lapDoc = A.change(lapDoc, (d) => void (d.demographics.phone = im('07701234567')));
  const docs = new Map<string, A.Doc<unknown>>([[DOC, deskDoc]]);
  const entries = [
    signedEntry('e-1', { kind: 'vitals', pulse: 72 }),
    signedEntry('e-2', { kind: 'note', text: 'seen at home' }),
  ];
  const make = (from: DeviceIdentity = clinic.devices.lap!, over: Partial<Parameters<typeof exportBundle>[0]> = {}) =>
    exportBundle({
      identity: from,
      to: { clinicId: clinic.clinicId, clinicKey: clinic.roster().clinicKey },
      docs: [{ documentId: DOC, doc: lapDoc, receiverHeads: known }],
      entries,
      sequence: 1,
      created: new Date('2025-03-02T12:00:00Z'),
      ...over,
    });
  return { clinic, deskDoc, lapDoc, docs, entries, make, known };
}

function refusal(f: () => unknown): BundleError {
  try {
    f();
  } catch (e) {
    if (e instanceof BundleError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('export and import', () => {
  it('carries exactly the missing changes and the entries; the plan merges without touching the stored document', () => {
    const s = scenario();
    const { file, manifest } = s.make();
    expect(manifest.docs).toEqual([{ documentId: DOC, heads: A.getHeads(s.lapDoc), changes: 2 }]);
    const headsBefore = A.getHeads(s.deskDoc);
    const plan = openBundle(file, receiver(s.clinic, s.docs));
    expect(plan).toMatchObject({
      fromDevice: s.clinic.devices.lap!.deviceId,
      fromDeviceName: 'lap',
      sequence: 1,
      alreadyHeld: 0,
    });
    expect(plan.entries.map((e) => e.id)).toEqual(['e-1', 'e-2']);
    const d = plan.docs[0]!;
    expect(d).toMatchObject({ documentId: DOC, isNew: false, before: headsBefore, conflicts: [] });
    expect(A.getHeads(d.doc)).toEqual(A.getHeads(s.lapDoc));
    expect((d.doc as ChartDoc).allergies.map((x) => x.text)).toEqual(['penicillin', 'latex']);
    expect(A.getHeads(s.deskDoc)).toEqual(headsBefore); // the plan is not a commit
  });

  it('a receiver without the document gets the whole history (isNew)', () => {
    const s = scenario();
    const { file } = s.make(undefined, { docs: [{ documentId: 'fresh', doc: s.lapDoc, receiverHeads: [] }] });
    const plan = openBundle(file, receiver(s.clinic, new Map()));
    expect(plan.docs[0]).toMatchObject({ documentId: 'fresh', isNew: true, before: [] });
    expect(A.toJS(plan.docs[0]!.doc)).toEqual(A.toJS(s.lapDoc));
  });

  it('receiver heads the sender does not know are ignored; nothing to send leaves the document out', () => {
    const s = scenario();
    const { manifest } = s.make(undefined, {
      docs: [{ documentId: DOC, doc: s.lapDoc, receiverHeads: [...s.known, 'ab'.repeat(32)] }],
    });
    expect(manifest.docs[0]!.changes).toBe(2);
    const none = s.make(undefined, { docs: [{ documentId: DOC, doc: s.lapDoc, receiverHeads: A.getHeads(s.lapDoc) }] });
    expect(none.manifest.docs).toEqual([]);
  });

  it('concurrent edits on the receiver are detected in the plan for the review queue', () => {
    const s = scenario();
    s.docs.set(
      DOC,
      A.change(s.deskDoc, (d) => void (d.demographics.phone = im('07800000000'))),
    );
    const plan = openBundle(s.make().file, receiver(s.clinic, s.docs));
    expect(plan.docs[0]!.conflicts.map((c) => c.path)).toEqual([['demographics', 'phone']]);
  });

  it('a lost stick reveals no patient and no document id', () => {
    const s = scenario();
    const file = Buffer.from(s.make().file);
    for (const needle of [DOC, 'Layla', 'latex', 'e-1', 'seen at home'])
      expect(file.includes(Buffer.from(needle))).toBe(false);
  });
});

describe('refusals change nothing', () => {
  it('any altered byte is refused', () => {
    const s = scenario();
    const { file } = s.make();
    const ctx = receiver(s.clinic, s.docs);
    const positions = new Set<number>();
    for (let i = 0; i < 140; i++) positions.add(i); // magic, length, header
    for (let i = file.length - 80; i < file.length; i++) positions.add(i); // end of payload, signature
    for (let i = 140; i < file.length - 80; i += 23) positions.add(i); // sealed payload
    for (const at of positions) {
      const bad = new Uint8Array(file);
      bad[at]! ^= 0x20;
      const e = refusal(() => openBundle(bad, ctx));
      expect(['not-a-bundle', 'bad-signature', 'foreign-clinic', 'unknown-sender', 'unsupported-version']).toContain(
        e.code,
      );
    }
    expect(refusal(() => openBundle(file.subarray(0, file.length - 1), ctx)).code).toMatch(
      /not-a-bundle|bad-signature/,
    );
    expect(refusal(() => openBundle(new Uint8Array([1, 2, 3]), ctx)).message).toMatch(/not a Sijill bundle/);
  });

  it('a replayed bundle is refused', () => {
    const s = scenario();
    const { file } = s.make();
    const e = refusal(() => openBundle(file, receiver(s.clinic, s.docs, { seen: () => true })));
    expect(e.code).toBe('replayed');
    expect(e.message).toMatch(/already imported/);
  });

  it('a bundle for another clinic, or encrypted with a key that is not this clinic’s, is refused', () => {
    const s = scenario();
    const other = makeClinic(['desk'], 'clinic-b');
    const foreign = refusal(() => openBundle(s.make().file, receiver(other, s.docs)));
    expect(foreign.code).toBe('foreign-clinic');
    expect(foreign.message).toMatch(/another clinic \(clinic-a\)/);
    const wrongKey = s.make(undefined, { to: { clinicId: s.clinic.clinicId, clinicKey: other.roster().clinicKey } });
    expect(refusal(() => openBundle(wrongKey.file, receiver(s.clinic, s.docs))).code).toBe('undecryptable');
  });

  it('a revoked or unenrolled sender is refused', () => {
    const s = scenario();
    const { file } = s.make();
    s.clinic.revoke('lap');
    const e = refusal(() => openBundle(file, receiver(s.clinic, s.docs)));
    expect(e.code).toBe('revoked-sender');
    expect(e.message).toMatch(/“lap”.*revoked/);
    const stranger = s.make(strangerDevice('usb-stranger'));
    expect(refusal(() => openBundle(stranger.file, receiver(s.clinic, s.docs))).code).toBe('unknown-sender');
  });

  it('a sender forging another device’s bundle is refused (signature)', () => {
    const s = scenario();
    const posing: DeviceIdentity = { ...s.clinic.devices.desk!, sign: s.clinic.devices.lap!.sign };
    expect(refusal(() => openBundle(s.make(posing).file, receiver(s.clinic, s.docs))).code).toBe('bad-signature');
  });

  it('an entry whose hash or signature does not verify: the whole bundle is refused and the entry reported', () => {
    const s = scenario();
    const forged = {
      ...signedEntry('e-3', { kind: 'note', text: 'x' }),
      canonical: JSON.stringify({ v: 1, id: 'e-3', body: { text: 'changed' } }),
    };
    const badSig = { ...signedEntry('e-4', { a: 1 }), signature: '00'.repeat(64) };
    const e = refusal(() =>
      openBundle(s.make(undefined, { entries: [...s.entries, forged, badSig] }).file, receiver(s.clinic, s.docs)),
    );
    expect(e.code).toBe('bad-entries');
    expect(e.details).toEqual([
      { id: 'e-3', reason: 'content hash does not match' },
      { id: 'e-4', reason: 'signature does not verify' },
    ]);
    expect(e.message).toMatch(/nothing was imported/);
  });

  it('entries are append-only: an existing id with other content is refused, the same content is skipped', () => {
    const s = scenario();
    const { file } = s.make();
    const same = openBundle(
      file,
      receiver(s.clinic, s.docs, { existingEntryHash: (id) => (id === 'e-1' ? s.entries[0]!.contentHash : undefined) }),
    );
    expect(same.alreadyHeld).toBe(1);
    expect(same.entries.map((x) => x.id)).toEqual(['e-2']);
    const e = refusal(() =>
      openBundle(
        file,
        receiver(s.clinic, s.docs, { existingEntryHash: (id) => (id === 'e-1' ? 'ff'.repeat(32) : undefined) }),
      ),
    );
    expect(e.details).toEqual([{ id: 'e-1', reason: expect.stringMatching(/append-only/) }]);
  });

  it('a bundle built on changes the receiver does not have is refused (import the earlier one first)', () => {
    const s = scenario();
    const ahead = A.change(s.lapDoc, (d) => void (d.demographics.address = im('Mosul')));
    const e = refusal(() =>
      openBundle(
        s.make(undefined, { docs: [{ documentId: DOC, doc: ahead, receiverHeads: A.getHeads(s.lapDoc) }] }).file,
        receiver(s.clinic, s.docs),
      ),
    );
    expect(e.code).toBe('missing-base');
    expect(e.message).toMatch(/earlier bundles from “lap”/);
  });

  it('a future format version is refused with a clear message', () => {
    const s = scenario();
    const header = encodeHeader({
      format: 'sijill-bundle',
      version: 2,
      bundleId: 'ab'.repeat(16),
      fromDevice: s.clinic.devices.lap!.deviceId,
      toClinic: s.clinic.clinicId,
      created: '2025-03-02T12:00:00Z',
      sequence: 1,
    });
    const file = assemble(
      header,
      sealTo(s.clinic.roster().clinicKey, new Uint8Array([0xa0]), 'bundle-payload', header),
      s.clinic.devices.lap!.sign,
    );
    const e = refusal(() => openBundle(file, receiver(s.clinic, s.docs)));
    expect(e.code).toBe('unsupported-version');
    expect(e.message).toMatch(/version 2/);
  });
});
