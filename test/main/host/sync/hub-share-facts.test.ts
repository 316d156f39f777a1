// The hub's share decisions without a network: which frames need a chart's facts,
// what is read and kept, and when it is read again. The reader is a stand-in that
// counts reads; real sync messages come from Automerge.
import * as A from '@automerge/automerge';
import type { Message } from '@automerge/automerge-repo';
import { describe, expect, it } from 'vitest';
import type { AuthenticatedPeer, Roster } from '../../../../sync';
import {
  chartFactsOf,
  chartFactsOfFrame,
  createHubSharePolicy,
  frameContent,
  type ChartFacts,
  type ReadFacts,
} from '../../../../main/host/sync/hub-share-facts';

const CLINIC = 'clinic-1';
const im = (s: string) => new A.ImmutableString(s);

function chart(patientId: string, teams: string[], fieldCopies = true, regionalHub = false) {
  return A.from<Record<string, unknown>>({
    schema: 1,
    patientId: im(patientId),
    sharing: { fieldTeams: Object.fromEntries(teams.map((t) => [t, true])), fieldCopies, regionalHub },
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

/** A sync message from a document with nothing in it: what the server sends about a document it does not hold. */
const emptyHeads = () => A.generateSyncMessage(A.init(), A.initSyncState())[1]!;

/** `after`: a chart's facts once a frame's changes are added to the server's copy (by document). */
function setup(facts: Record<string, ReadFacts>, after: Record<string, ReadFacts> = {}) {
  const devices = new Map<string, { role: string; teamIds: string[]; revokedAt: string | null }>([
    ['desk', { role: 'clinic', teamIds: [], revokedAt: null }],
    ['tablet', { role: 'field', teamIds: ['T1'], revokedAt: null }],
    ['phone', { role: 'field', teamIds: ['T1'], revokedAt: null }],
    ['gone', { role: 'clinic', teamIds: [], revokedAt: '2025-01-01' }],
  ]);
  const reads: { documentId: string; heads: readonly string[] | undefined }[] = [];
  const readsAfter: string[] = [];
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
    readFactsAfter: async (documentId) => {
      readsAfter.push(documentId);
      return after[documentId];
    },
  });
  return {
    policy,
    reads,
    readsAfter,
    devices,
    holdReads: () => (hold = true),
    releaseRead: () => release?.(),
  };
}

/** A chart's facts; a chart on the sync server has its patient's consent to regional storage. */
const patient = (teams: string[], fieldCopies = true, regionalHub = true): ChartFacts => ({
  kind: 'patient',
  patientId: 'p',
  facilityId: CLINIC,
  fieldTeamIds: teams,
  consent: { fieldCopies, regionalHub },
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

  it('a change going to the server from any device forgets the chart’s facts; a read overtaken by a change is not kept', async () => {
    const { withChanges, headsOnly } = messages(chart('p1', ['T1']));
    const facts: Record<string, ChartFacts> = { moved: patient(['T2']) };
    const s = setup(facts);
    const judge = () => s.policy.judgeOutbound(peer('tablet'), frame('sync', 'moved', withChanges));
    expect(await judge()).toBe(false);
    // A sync message without changes does not touch the facts.
    s.policy.upstream(peer('desk'), frame('sync', 'moved', headsOnly));
    expect(judge()).toBe(false);
    // The desk sends a change (the patient moved to T1): read again at the next frame.
    facts.moved = patient(['T1']);
    s.policy.upstream(peer('desk'), frame('sync', 'moved', withChanges));
    expect(await judge()).toBe(true);
    expect(s.reads).toHaveLength(2);

    // A read still running when a change comes in: its answer serves the frame it was
    // for, but it is not kept, and the next frame reads again.
    s.holdReads();
    s.policy.invalidate('moved');
    const pending = judge();
    await new Promise((r) => setTimeout(r, 0));
    facts.moved = patient(['T2']);
    s.policy.upstream(peer('desk'), frame('sync', 'moved', withChanges));
    s.releaseRead();
    expect(await pending).toBe(false);
    expect(s.policy.cached).toBe(0);
    const again = judge();
    await new Promise((r) => setTimeout(r, 0));
    s.releaseRead();
    expect(await again).toBe(false);
    expect(s.reads).toHaveLength(4);
  });

  it('judges what a field device sends by the same facts; roster and catalog, and frames without content pass', async () => {
    const { withChanges, headsOnly } = messages(chart('p1', ['T1']));
    const s = setup({ mine: patient(['T1']), other: patient(['T2']), refused: patient(['T1'], false), odd: null });
    const judge = (id: string, deviceId = 'tablet', data = withChanges) =>
      s.policy.judgeInbound(peer(deviceId), frame('sync', id, data));
    expect(judge('any', 'gone')).toBe(false);
    expect(judge('roster-doc')).toBe(true);
    expect(judge('catalog-doc')).toBe(true);
    expect(judge('other', 'tablet', headsOnly)).toBe(true);
    expect(s.policy.judgeInbound(peer('tablet'), frame('request', 'other', headsOnly))).toBe(true);
    expect(s.reads).toHaveLength(0);

    expect(await judge('mine')).toBe(true);
    expect(await judge('other')).toBe(false);
    expect(await judge('refused')).toBe(false);
    expect(await judge('odd')).toBe(false);
    // Not readable (a timeout): refused.
    expect(await judge('unknown')).toBe(false);
    // The device's own changes are not on the server: the facts are read at no heads.
    expect(s.reads).toEqual(
      ['mine', 'other', 'refused', 'odd', 'unknown'].map((documentId) => ({ documentId, heads: undefined })),
    );
    // The same facts as outbound, kept for both directions.
    expect(s.policy.judgeOutbound(peer('tablet'), frame('sync', 'other', withChanges))).toBe(false);
    expect(judge('mine')).toBe(true);
    expect(s.reads).toHaveLength(5);
  });

  it('lets a device put a document the server does not hold yet in, on the server’s own word only', async () => {
    const { withChanges, headsOnly } = messages(chart('new', [], true, true));
    const s = setup({
      new: patient([]),
      seeded: patient(['T2']),
      later: patient(['T2']),
      fresh: 'absent',
      racing: 'absent',
    });
    const fromDevice = (id: string, deviceId = 'tablet') =>
      s.policy.judgeInbound(peer(deviceId), frame('sync', id, withChanges));
    const serverSays = (id: string, data: Uint8Array, deviceId = 'tablet') =>
      s.policy.judgeOutbound(peer(deviceId), frame('sync', id, data));

    // The server told the tablet it has nothing of "new" (as it answers a device
    // pushing a new chart): the tablet's changes go in without reading anything.
    expect(serverSays('new', emptyHeads())).toBe(true);
    expect(fromDevice('new')).toBe(true);
    expect(s.reads).toHaveLength(0);
    // Told to the tablet only: the phone's changes need the facts (a chart of T2: no).
    expect(await fromDevice('later', 'phone')).toBe(false);
    expect(s.reads.map((r) => r.documentId)).toEqual(['later']);
    // Once the tablet's changes have gone to the server, the chart's facts decide, for
    // the tablet too (a chart with no team is not a field device's).
    s.policy.upstream(peer('tablet'), frame('sync', 'new', withChanges));
    expect(await fromDevice('new')).toBe(false);

    // Told "nothing", but someone else's changes went in since: the facts decide.
    expect(serverSays('seeded', emptyHeads())).toBe(true);
    s.policy.upstream(peer('desk'), frame('sync', 'seeded', withChanges));
    expect(await fromDevice('seeded')).toBe(false);
    // Told "nothing", then the server sent the tablet heads: the facts decide.
    s.policy.invalidate('later');
    expect(serverSays('later', emptyHeads())).toBe(true);
    expect(serverSays('later', headsOnly)).toBe(true);
    expect(await fromDevice('later')).toBe(false);

    // Never told: the server is asked, and its "unavailable" lets the changes in; it is
    // not kept (the next frame asks again)...
    expect(await fromDevice('fresh')).toBe(true);
    expect(await fromDevice('fresh')).toBe(true);
    expect(s.reads.filter((r) => r.documentId === 'fresh')).toHaveLength(2);
    // ...unless changes of the document went in while it was being asked.
    s.holdReads();
    const racing = fromDevice('racing');
    await new Promise((r) => setTimeout(r, 0));
    s.policy.upstream(peer('desk'), frame('sync', 'racing', withChanges));
    s.releaseRead();
    expect(await racing).toBe(false);
  });

  it('keeps on the sync server only charts whose patients consented to regional storage, from a clinic device too', async () => {
    const consented = messages(chart('yes', [], true, true));
    const unconsented = messages(chart('no', [], true, false));
    const s = setup(
      {
        held: patient([]),
        heldNoConsent: patient([], true, false),
        regranted: patient([], true, false),
        fresh: 'absent',
        odd: null,
      },
      { regranted: patient([]), heldNoConsent: patient([], true, false) },
    );
    const fromDesk = (id: string, data = consented.withChanges) =>
      s.policy.judgeInbound(peer('desk'), frame('sync', id, data));
    // A chart the server holds: by its facts there.
    expect(await fromDesk('held')).toBe(true);
    expect(await fromDesk('heldNoConsent')).toBe(false);
    expect(await fromDesk('odd')).toBe(false);
    // Refused for want of consent only: a frame that records the consent goes in (the
    // facts with its changes added), one that does not stays out; the facts read for
    // it are not kept.
    expect(await fromDesk('regranted')).toBe(true);
    expect(s.readsAfter).toEqual(['heldNoConsent', 'regranted']);
    expect(await fromDesk('regranted')).toBe(true);
    expect(s.readsAfter).toHaveLength(3);
    expect(s.reads.filter((r) => r.documentId === 'held')).toHaveLength(1);
    // Frames without content pass without facts.
    expect(fromDesk('anything', consented.headsOnly)).toBe(true);
    // A chart the server has nothing of: by the facts of the chart the frame carries.
    expect(await fromDesk('fresh')).toBe(true);
    expect(await fromDesk('fresh', unconsented.withChanges)).toBe(false);
    expect(s.policy.judgeOutbound(peer('desk'), frame('sync', 'told', emptyHeads()))).toBe(true);
    expect(fromDesk('told', unconsented.withChanges)).toBe(false);
    expect(fromDesk('told')).toBe(true);
    // Changes whose dependencies are not in the frame make no chart: refused.
    const later = A.change(chart('yes', [], true, true), (d) => void (d.note = im('x')));
    expect(fromDesk('told', onlyLastChange(later))).toBe(false);
    // With the server's copy as the base, the same kind of frame is read whole.
    const withdrawn = chart('w', [], true, false);
    const regranted = A.change(
      A.clone(withdrawn),
      (d) => void ((d.sharing as { regionalHub: boolean }).regionalHub = true),
    );
    const regrant = frame('sync', 'w', onlyLastChange(regranted));
    expect(chartFactsOfFrame(regrant, CLINIC)).toBeNull();
    expect(chartFactsOfFrame(regrant, CLINIC, withdrawn)?.consent.regionalHub).toBe(true);
    expect(chartFactsOf(withdrawn, CLINIC)?.consent.regionalHub).toBe(false);
  });
});

/** A sync message carrying only the last change of `doc` (as to a peer holding all the rest). */
function onlyLastChange(doc: A.Doc<unknown>): Uint8Array {
  const [, msg] = A.generateSyncMessage(doc, A.initSyncState());
  return A.encodeSyncMessage({ ...A.decodeSyncMessage(msg!), changes: [A.getLastLocalChange(doc)!] });
}
