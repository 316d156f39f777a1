// The sync UI's pure rules: the status bar's summary and progress, bundle files
// (base64 both ways, size limit, what a refusal means), conflicts in words, and the
// new routes. Every status and conflict is checked against the contract's own schema.
import { describe, expect, it } from 'vitest';
import {
  ApiError,
  BUNDLE_PIECE_BYTES,
  ConflictSummary,
  MAX_BUNDLE_UPLOAD_BYTES,
  MAX_MESSAGE_BYTES,
  SyncProgress,
  SyncStatus,
} from '../../main/api';
import { parseRoute, routeHash } from '../../renderer/app/routes';
import {
  conflictField,
  conflictKindText,
  groupByPatient,
  originText,
  resolveProblem,
  valueView,
} from '../../renderer/conflicts/conflict-model';
import { ar } from '../../renderer/i18n/ar';
import { en } from '../../renderer/i18n/en';
import { translate, type Dictionary, type Text } from '../../renderer/i18n/translate';
import {
  base64ToBytes,
  bundleRefusal,
  bundleRefusalText,
  bytesToBase64,
  checkBundleFileSize,
  MAX_WHOLE_BUNDLE_BYTES,
  bundlePieces,
} from '../../renderer/peers/bundle-file';
import { connectedPeerCount, lastSyncAgo, progressView, syncIndicator } from '../../renderer/peers/status-model';

const say = (text: Text, dict: Dictionary = en) => translate(dict, text.key, text.vars);
const line = (status: SyncStatus, dict: Dictionary = en) =>
  syncIndicator(status)
    .parts.map((p) => say(p, dict))
    .join(' · ');

const PEER = {
  deviceId: 'laptop-1',
  name: 'Field laptop',
  address: 'ws://192.168.1.20:8471',
  connected: true,
  lastSyncAt: '2026-03-01T08:00:00.000Z',
  unsent: 0,
  revoked: false,
  contactAfterRevocation: null,
  role: 'clinic' as const,
  teamIds: [] as string[],
};

function status(over: Partial<SyncStatus> = {}): SyncStatus {
  return SyncStatus.parse({
    enrolled: true,
    clinicId: 'clinic-1',
    deviceId: 'desk-1',
    online: true,
    listeningPort: null,
    peers: [PEER],
    lastSyncAt: '2026-03-01T08:00:00.000Z',
    unsentChanges: 0,
    conflicts: 0,
    progress: null,
    ...over,
  });
}

function conflict(over: Partial<ConflictSummary> = {}): ConflictSummary {
  return ConflictSummary.parse({
    id: 'a'.repeat(32),
    patientId: 'p1',
    kind: 'concurrent-value',
    path: ['demographics', 'phone'],
    itemId: null,
    values: [
      { value: '0770 111 2222', side: null },
      { value: '0780 333 4444', side: null },
    ],
    merged: '0780 333 4444',
    detectedAt: '2026-03-01T09:00:00.000Z',
    status: 'open',
    resolvedBy: null,
    resolvedAt: null,
    reason: null,
    ...over,
  });
}

describe('the status bar sync indicator', () => {
  it('says online, peers connected, and nothing else when all is sent', () => {
    const model = syncIndicator(status());
    expect(model.tone).toBe('ok');
    expect(line(status())).toBe('Sync online · 1 peers connected');
    expect(line(status(), ar)).toBe('المزامنة متصلة · 1 أجهزة متصلة');
  });

  it('adds listening, unsent changes and conflicts, and warns about conflicts first', () => {
    const s = status({ listeningPort: 8471, unsentChanges: 12, conflicts: 2 });
    expect(line(s)).toBe('Sync online · 1 peers connected · listening · 12 not sent · 2 conflicts');
    expect(syncIndicator(s).tone).toBe('warning');
    expect(syncIndicator(status({ unsentChanges: 3 })).tone).toBe('pending');
  });

  it('is offline without a connected peer, and counts neither disconnected nor revoked peers', () => {
    const s = status({
      online: false,
      peers: [
        { ...PEER, connected: false },
        { ...PEER, deviceId: 'old', connected: true, revoked: true },
      ],
    });
    expect(connectedPeerCount(s)).toBe(0);
    expect(line(s)).toBe('Sync offline · 0 peers connected');
    expect(syncIndicator(s).tone).toBe('pending');
  });

  it('says "not set up" for a device that has never joined, listened or met a peer', () => {
    const s = status({ enrolled: false, clinicId: null, peers: [], lastSyncAt: null, online: false });
    expect(syncIndicator(s)).toEqual({ tone: 'neutral', parts: [{ key: 'sync.indicator.notSetUp' }] });
    // Listening alone already makes it part of sync.
    expect(syncIndicator({ ...s, listeningPort: 9000 }).tone).not.toBe('neutral');
  });

  it('says when the last sync was, or that there was none', () => {
    const now = Date.parse('2026-03-01T08:03:10.000Z');
    expect(lastSyncAgo(null, now)).toBeNull();
    expect(say(lastSyncAgo('2026-03-01T08:00:00.000Z', now)!)).toBe('3 min ago');
  });
});

describe('sync progress', () => {
  it('reads done of total, clamped, as a percentage', () => {
    const view = progressView(SyncProgress.parse({ phase: 'bundle-import', done: 30, total: 120 }));
    expect([view.value, view.max, view.percent]).toEqual([30, 120, 25]);
    expect(say(view.label)).toBe('Importing bundle: 30 of 120 charts');
    expect(progressView({ phase: 'receiving', done: 500, total: 100 }).value).toBe(100);
    expect(progressView({ phase: 'sending', done: -3, total: 10 }).value).toBe(0);
  });

  it('is indeterminate while the total is not known, never a division by zero', () => {
    const view = progressView({ phase: 'receiving', done: 0, total: 0 });
    expect([view.value, view.percent]).toEqual([null, null]);
    expect(say(view.label)).toBe('Getting ready to receive changes…');
    expect(say(view.label, ar)).not.toMatch(/\{/);
  });

  it('has a label in both languages for every phase of the contract', () => {
    for (const phase of SyncProgress.shape.phase.options) {
      expect(en[`sync.progress.${phase}`], phase).toMatch(/\{done\}.*\{total\}/);
      expect(ar[`sync.progress.${phase}.start`], phase).toBeTruthy();
    }
  });
});

describe('bundle files', () => {
  it('turn bytes into base64 and back, every byte value, across the slicing boundary', () => {
    const bytes = new Uint8Array(0x8000 * 2 + 7).map((_, i) => (i * 31 + 7) % 256);
    const text = bytesToBase64(bytes);
    expect(text).toBe(Buffer.from(bytes).toString('base64'));
    expect([...base64ToBytes(text)]).toEqual([...bytes]);
    expect(bytesToBase64(new Uint8Array(0))).toBe('');
  });

  it('are checked for size before they are read: empty, or larger than the browser may upload', () => {
    expect(checkBundleFileSize(0)).toEqual({ key: 'bundle.file.empty' });
    expect(checkBundleFileSize(1024)).toBeNull();
    expect(checkBundleFileSize(MAX_BUNDLE_UPLOAD_BYTES)).toBeNull();
    const big = checkBundleFileSize(MAX_BUNDLE_UPLOAD_BYTES + 1)!;
    expect(big.key).toBe('bundle.file.tooLarge');
    expect(say(big)).toMatch(/sijill bundle import FILE/);
    // The largest file sent whole still fits one message once base64-encoded.
    expect(Math.ceil(MAX_WHOLE_BUNDLE_BYTES / 3) * 4 + 1024).toBeLessThan(MAX_MESSAGE_BYTES);
  });

  it('larger ones go in pieces that each fit a message and put the file back together in order', () => {
    const bytes = new Uint8Array(BUNDLE_PIECE_BYTES * 2 + 1234).map((_, i) => (i * 13) % 251);
    const pieces = [...bundlePieces(bytes)];
    expect(pieces).toHaveLength(3);
    for (const p of pieces) expect(p.length + 1024).toBeLessThan(MAX_MESSAGE_BYTES);
    expect(Buffer.concat(pieces.map((p) => Buffer.from(p, 'base64')))).toEqual(Buffer.from(bytes));
  });

  it('name a tampered, replayed, foreign or revoked refusal from the host’s message', () => {
    const refused = (message: string) => bundleRefusal(new ApiError('VALIDATION', message));
    // The sentences of sync/bundles/import.ts, as the host passes them on.
    expect(
      refused(
        'This bundle has been altered since device “laptop” wrote it (its signature does not match). It is refused.',
      ),
    ).toBe('tampered');
    expect(refused('This file is not a Sijill bundle, or it is damaged.')).toBe('tampered');
    expect(refused('This bundle cannot be decrypted with this clinic’s key.')).toBe('tampered');
    expect(refused('This bundle (number 3 from “laptop”) was already imported. Nothing was changed.')).toBe('replayed');
    expect(refused('This bundle was made for another clinic (c2), not this one (c1).')).toBe('foreign');
    expect(refused('This bundle was written by device d9, which is not enrolled in this clinic.')).toBe('foreign');
    expect(
      refused('This bundle was written by device “old” (d1), which was revoked on 2026-03-01. It is refused.'),
    ).toBe('revoked');
    expect(refused('This bundle builds on earlier changes this device does not have yet.')).toBe('missingBase');
    expect(refused('Something new')).toBe('other');
    // Not a refusal of the bundle: shown as the ordinary error it is.
    expect(bundleRefusal(new ApiError('FORBIDDEN', 'altered'))).toBeNull();
    expect(bundleRefusal(new Error('already imported'))).toBeNull();
    expect(say(bundleRefusalText('replayed'), ar)).toBe('مرفوضة: سبق استيراد هذه الحزمة');
  });
});

describe('conflicts in words', () => {
  it('name the chart field with the labels the chart uses, and show unknown paths as they are', () => {
    expect(say(conflictField(conflict()))).toBe('Phone');
    expect(say(conflictField(conflict({ path: ['demographics', 'familyName'] })), ar)).toBe(ar['register.family']);
    expect(say(conflictField(conflict({ path: ['mrn'] })))).toBe('MRN');
    expect(say(conflictField(conflict({ kind: 'concurrent-list-edit', path: ['allergies', 'text'] })))).toBe('Allergy');
    expect(say(conflictField(conflict({ path: ['medications', 'text'] })))).toBe('Medication');
    expect(say(conflictField(conflict({ path: ['demographics', 'eyeColour'] })))).toBe('Field demographics.eyeColour');
  });

  it('show each value, "removed" for an item removed on one side and "empty" for a cleared value', () => {
    expect(valueView('Penicillin', 'concurrent-list-edit')).toEqual({ kind: 'text', text: 'Penicillin' });
    expect(valueView(null, 'removed-vs-edited')).toEqual({ kind: 'none', label: { key: 'conflict.value.removed' } });
    expect(valueView(null, 'concurrent-value')).toEqual({ kind: 'none', label: { key: 'conflict.value.empty' } });
    expect(valueView(42, 'concurrent-value')).toEqual({ kind: 'text', text: '42' });
    expect(valueView({ a: 1 }, 'concurrent-value')).toEqual({ kind: 'text', text: '{"a":1}' });
  });

  it('say where a value came from, and name every kind of the contract in both languages', () => {
    expect(say(originText('ours'))).toBe('this device');
    expect(say(originText('theirs'), ar)).toBe('الجهاز الآخر');
    expect(say(originText(null))).toBe('one of the devices');
    for (const kind of ConflictSummary.shape.kind.options) {
      expect(say(conflictKindText({ kind }))).not.toMatch(/^conflict\./);
      expect(ar[`conflict.kind.${kind}`]).toBeTruthy();
    }
  });

  it('group open conflicts by patient, oldest first, leaving resolved ones out', () => {
    const groups = groupByPatient([
      conflict({ id: 'b'.repeat(32), patientId: 'p2', detectedAt: '2026-03-01T10:00:00.000Z' }),
      conflict({ id: 'c'.repeat(32), patientId: 'p1', detectedAt: '2026-03-01T11:00:00.000Z' }),
      conflict({ id: 'd'.repeat(32), patientId: 'p1', detectedAt: '2026-03-01T09:00:00.000Z' }),
      conflict({ id: 'e'.repeat(32), patientId: 'p1', status: 'resolved' }),
    ]);
    expect(groups.map((g) => [g.patientId, g.conflicts.map((c) => c.id[0])])).toEqual([
      ['p1', ['d', 'c']],
      ['p2', ['b']],
    ]);
  });

  it('send nothing until a value is chosen and a reason given', () => {
    expect(resolveProblem(null, 'reason')).toBe('chooseValue');
    expect(resolveProblem(0, '   ')).toBe('giveReason');
    expect(resolveProblem(1, 'Confirmed with the patient')).toBeNull();
  });
});

describe('routes of the sync screens', () => {
  it('parse and print #/peers and #/conflicts', () => {
    expect(parseRoute('#/peers')).toEqual({ screen: 'peers' });
    expect(parseRoute('#/conflicts')).toEqual({ screen: 'conflicts' });
    expect(parseRoute('#/peers/extra')).toEqual({ screen: 'patients' });
    expect(routeHash({ screen: 'peers' })).toBe('#/peers');
    expect(routeHash({ screen: 'conflicts' })).toBe('#/conflicts');
  });
});
