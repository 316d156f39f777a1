// The hub's share decisions without a network: which frames need a chart's facts,
// what is read and kept, and when it is read again. The reader is a stand-in that
// counts reads; real sync messages come from Automerge.
import * as A from '@automerge/automerge';
import type { Message } from '@automerge/automerge-repo';
import { describe, expect, it } from 'vitest';
import type { AuthenticatedPeer, Roster } from '../../../../sync';
import {
  chartFactsOf,
  createHubSharePolicy,
  frameContent,
  type ChartFacts,
} from '../../../../main/host/sync/hub-share-facts';

const CLINIC = 'clinic-1';
const im = (s: string) => new A.ImmutableString(s);

function chart(patientId: string, teams: string[], fieldCopies = true) {
  return A.from<Record<string, unknown>>({
    schema: 1,
    patientId: im(patientId),
    sharing: { fieldTeams: Object.fromEntries(teams.map((t) => [t, true])), fieldCopies, regionalHub: false },
  });
}

/** A sync message that carries the document's changes, and one that carries only heads. */
function messages(doc: A.Doc<unknown>) {
  const [, headsOnly] = A.generateSyncMessage(doc, A.initSyncState());
  const [, ask] = A.generateSyncMessage(A.init(), A.initSyncState());
  const [, state] = A.receiveSyncMessage(doc, A.initSyncState(), ask!);
  const [, withChanges] = A.generateSyncMessage(doc, state);
  return { headsOnly: headsOnly!, withChanges: withChanges!, heads: A.getHeads(doc) };
}

const peer = (deviceId: string) => ({ deviceId, peerId: `peer-${deviceId}` }) as AuthenticatedPeer;
const frame = (type: string, documentId: string, data?: Uint8Array) =>
  ({ type, documentId, senderId: 'hub', targetId: 'x', ...(data ? { data } : {}) }) as unknown as Message;

function setup(facts: Record<string, ChartFacts | null | undefined>) {
  const devices = new Map<string, { role: string; teamIds: string[]; revokedAt: string | null }>([
    ['desk', { role: 'clinic', teamIds: [], revokedAt: null }],
    ['tablet', { role: 'field', teamIds: ['T1'], revokedAt: null }],
    ['gone', { role: 'clinic', teamIds: [], revokedAt: '2025-01-01' }],
  ]);
  const reads: { documentId: string; heads: readonly string[] | undefined }[] = [];
  let release: (() => void) | undefined;
  let hold = false;
  const policy = createHubSharePolicy({
    clinicId: CLINIC,
    clinicDocs: new Set(['roster-doc', 'catalog-doc']),
    isActive: (id) => devices.get(id)?.revokedAt === null,
    roster: () => ({ devices }) as unknown as Roster,
    readFacts: async (documentId, heads) => {
      reads.push({ documentId, heads });
      if (hold) await new Promise<void>((r) => (release = r));
      return facts[documentId];
    },
  });
  return {
    policy,
    reads,
    devices,
    holdReads: () => (hold = true),
    releaseRead: () => release?.(),
  };
}

const patient = (teams: string[], fieldCopies = true): ChartFacts => ({
  kind: 'patient',
  patientId: 'p',
  facilityId: CLINIC,
  fieldTeamIds: teams,
  consent: { fieldCopies, regionalHub: false },
});

describe('hub share facts', () => {
  it('reads a chart’s facts from the chart, with the defaults for a chart without sharing', () => {
    expect(chartFactsOf(chart('p1', ['T2', 'T1'], false), CLINIC)).toEqual({
      kind: 'patient',
      patientId: 'p1',
      facilityId: CLINIC,
      fieldTeamIds: ['T1', 'T2'],
      consent: { fieldCopies: false, regionalHub: false },
    });
    expect(chartFactsOf(A.from({ schema: 1, patientId: im('old') }), CLINIC)).toMatchObject({
      fieldTeamIds: [],
      consent: { fieldCopies: true, regionalHub: false },
    });
    expect(chartFactsOf(A.from({ kind: 'sijill-catalog', docs: {} }), CLINIC)).toBeNull();
  });

  it('tells frames with content from frames without', () => {
    const { headsOnly, withChanges, heads } = messages(chart('p1', ['T1']));
    expect(frameContent(frame('sync', 'd', headsOnly))).toEqual({ content: false, heads });
    expect(frameContent(frame('sync', 'd', withChanges))).toEqual({ content: true, heads });
    expect(frameContent(frame('doc-unavailable', 'd')).content).toBe(false);
    expect(frameContent(frame('ephemeral', 'd', new Uint8Array([1]))).content).toBe(true);
    expect(frameContent(frame('sync', 'd', new Uint8Array([9, 9, 9]))).content).toBe(true);
  });

  it('judges a field device by mayHold with the chart’s facts, read once and kept', async () => {
    const { withChanges, headsOnly, heads } = messages(chart('p1', ['T1']));
    const s = setup({ mine: patient(['T1']), other: patient(['T2']), refused: patient(['T1'], false), odd: null });
    const judge = (id: string, deviceId = 'tablet', data = withChanges) =>
      s.policy.judgeOutbound(peer(deviceId), frame('sync', id, data));
    expect(await judge('mine')).toBe(true);
    expect(await judge('other')).toBe(false);
    expect(await judge('refused')).toBe(false);
    // Not a chart, or not readable: no content for a field device.
    expect(await judge('odd')).toBe(false);
    expect(await judge('unknown')).toBe(false);
    expect(s.reads.map((r) => r.documentId)).toEqual(['mine', 'other', 'refused', 'odd', 'unknown']);
    expect(s.reads[0]!.heads).toEqual(heads);
    // Kept: answered at once, without reading again (an unreadable one is read again).
    expect(judge('mine')).toBe(true);
    expect(judge('other')).toBe(false);
    expect(s.policy.cached).toBe(4);
    // No content: passes without facts, even for a chart the device may not hold.
    expect(judge('other', 'tablet', headsOnly)).toBe(true);
    expect(s.policy.judgeOutbound(peer('tablet'), frame('request', 'never-read', headsOnly))).toBe(true);
    expect(s.policy.judgeOutbound(peer('tablet'), frame('doc-unavailable', 'never-read'))).toBe(true);
    // Roster and catalog: every active device.
    expect(judge('roster-doc')).toBe(true);
    expect(judge('catalog-doc')).toBe(true);
    expect(s.reads).toHaveLength(5);
  });

  it('a clinic device needs no facts; a revoked or unknown device gets nothing', () => {
    const { withChanges } = messages(chart('p1', ['T1']));
    const s = setup({});
    expect(s.policy.judgeOutbound(peer('desk'), frame('sync', 'any', withChanges))).toBe(true);
    expect(s.policy.judgeOutbound(peer('gone'), frame('sync', 'any', withChanges))).toBe(false);
    expect(s.policy.judgeOutbound(peer('stranger'), frame('sync', 'roster-doc', withChanges))).toBe(false);
    expect(s.reads).toHaveLength(0);
    expect(s.policy.guard.inbound(peer('gone'), frame('request', 'any'))).toBe(false);
    expect(s.policy.guard.outbound(peer('gone'), frame('request', 'any'))).toBe(false);
  });

  it('a change sent by any device forgets the chart’s facts; a read overtaken by a change is not kept', async () => {
    const { withChanges, headsOnly } = messages(chart('p1', ['T1']));
    const facts: Record<string, ChartFacts> = { moved: patient(['T2']) };
    const s = setup(facts);
    const judge = () => s.policy.judgeOutbound(peer('tablet'), frame('sync', 'moved', withChanges));
    expect(await judge()).toBe(false);
    // A sync message without changes does not touch the facts.
    s.policy.guard.inbound(peer('desk'), frame('sync', 'moved', headsOnly));
    expect(judge()).toBe(false);
    // The desk sends a change (the patient moved to T1): read again at the next frame.
    facts.moved = patient(['T1']);
    expect(s.policy.guard.inbound(peer('desk'), frame('sync', 'moved', withChanges))).toBe(true);
    expect(await judge()).toBe(true);
    expect(s.reads).toHaveLength(2);

    // A read still running when a change comes in: its answer serves the frame it was
    // for, but it is not kept, and the next frame reads again.
    s.holdReads();
    s.policy.invalidate('moved');
    const pending = judge();
    await new Promise((r) => setTimeout(r, 0));
    facts.moved = patient(['T2']);
    s.policy.guard.inbound(peer('desk'), frame('sync', 'moved', withChanges));
    s.releaseRead();
    expect(await pending).toBe(false);
    expect(s.policy.cached).toBe(0);
    const again = judge();
    await new Promise((r) => setTimeout(r, 0));
    s.releaseRead();
    expect(await again).toBe(false);
    expect(s.reads).toHaveLength(4);
  });
});
