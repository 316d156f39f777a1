// The share policy, both ways: who may hold which document, and how the Repo's
// announce/access and the adapters' message guard apply it.
import type { DocumentId, Message, PeerId } from '@automerge/automerge-repo';
import { describe, expect, it } from 'vitest';
import {
  createSharePolicy,
  mayHold,
  type AuthenticatedPeer,
  type DeviceFacts,
  type DocumentFacts,
} from '../../../sync';

const desk: DeviceFacts = { deviceId: 'desk', role: 'clinic', facilityIds: ['F1'], teamIds: [] };
const deskF2: DeviceFacts = { deviceId: 'desk2', role: 'clinic', facilityIds: ['F2'], teamIds: [] };
const lap: DeviceFacts = { deviceId: 'lap', role: 'field', facilityIds: [], teamIds: ['T1'] };
const hub: DeviceFacts = { deviceId: 'hub', role: 'hub', facilityIds: ['F1', 'F2'], teamIds: [] };
const patient = (over: Partial<Extract<DocumentFacts, { kind: 'patient' }>> = {}): DocumentFacts => ({
  kind: 'patient',
  patientId: 'p',
  facilityId: 'F1',
  fieldTeamIds: ['T1'],
  consent: { fieldCopies: true, regionalHub: true },
  ...over,
});

describe('mayHold', () => {
  it.each([
    ['clinic device, same facility', desk, patient(), true],
    ['clinic device, other facility', deskF2, patient(), false],
    ['field device, assigned team', lap, patient(), true],
    ['field device, not assigned', lap, patient({ fieldTeamIds: ['T2'] }), false],
    [
      'field device, patient refused field copies',
      lap,
      patient({ consent: { fieldCopies: false, regionalHub: true } }),
      false,
    ],
    ['hub serving the facility, consent given', hub, patient(), true],
    ['hub, no regional consent', hub, patient({ consent: { fieldCopies: true, regionalHub: false } }), false],
    ['hub not serving the facility', { ...hub, facilityIds: ['F9'] }, patient(), false],
    ['roster: every device', lap, { kind: 'roster' } as DocumentFacts, true],
  ])('%s → %s', (_label, device, doc, allow) => {
    const d = mayHold(device as DeviceFacts, doc as DocumentFacts);
    expect(d.allow).toBe(allow);
    expect(d.reason).toBeTruthy();
  });
});

describe('createSharePolicy', () => {
  const docs = new Map<string, DocumentFacts>([
    ['doc-assigned', patient()],
    ['doc-other', patient({ fieldTeamIds: [] })],
    ['roster', { kind: 'roster' }],
  ]);
  const devices: Record<string, DeviceFacts> = { desk, lap };
  const revoked = new Set<string>();
  const peers: Record<string, string> = { 'device-desk': 'desk', 'device-lap': 'lap' };
  const p = createSharePolicy({
    peers: { deviceIdOf: (peerId) => peers[peerId] },
    facts: { device: (id) => devices[id], document: (id) => docs.get(id) },
    isActive: (id) => !revoked.has(id),
  });
  const peer = (deviceId: string) => ({ deviceId, peerId: `device-${deviceId}` }) as AuthenticatedPeer;
  const msg = (type: string, documentId?: string): Message =>
    ({
      type,
      senderId: 'x' as PeerId,
      targetId: 'y' as PeerId,
      ...(documentId ? { documentId: documentId as DocumentId } : {}),
      data: new Uint8Array([1]),
    }) as Message;

  it('announce and access follow the rules; unknown peers and unknown devices get nothing', async () => {
    const { announce, access } = p.shareConfig;
    expect(await announce('device-lap' as PeerId, 'doc-assigned' as DocumentId)).toBe(true);
    expect(await announce('device-lap' as PeerId, 'doc-other' as DocumentId)).toBe(false);
    expect(await access('device-lap' as PeerId, 'doc-other' as DocumentId)).toBe(false);
    expect(await announce('device-desk' as PeerId, 'doc-other' as DocumentId)).toBe(true);
    expect(await announce('device-lap' as PeerId, 'roster' as DocumentId)).toBe(true);
    expect(await announce('someone-else' as PeerId, 'roster' as DocumentId)).toBe(false);
    expect(await access('someone-else' as PeerId, 'unknown-doc' as DocumentId)).toBe(false);
    expect(await announce('device-lap' as PeerId)).toBe(false);
    expect(p.sharePolicy).toBe(announce);
  });

  it('a document with no facts yet: not announced, but a peer may hand it to us', async () => {
    expect(p.decide('device-lap', 'brand-new')).toBe('unknown');
    expect(await p.shareConfig.announce('device-lap' as PeerId, 'brand-new' as DocumentId)).toBe(false);
    expect(await p.shareConfig.access('device-lap' as PeerId, 'brand-new' as DocumentId)).toBe(true);
  });

  it('guard: nothing outside the policy leaves; unknown documents only back to a peer that holds them', () => {
    const g = p.guard;
    expect(g.outbound(peer('lap'), msg('sync', 'doc-assigned'))).toBe(true);
    expect(g.outbound(peer('lap'), msg('sync', 'doc-other'))).toBe(false);
    expect(g.outbound(peer('lap'), msg('ephemeral', 'doc-other'))).toBe(false);
    expect(g.inbound(peer('lap'), msg('sync', 'doc-other'))).toBe(false);
    expect(g.outbound(peer('lap'), msg('remote-subscription-change'))).toBe(true);
    // unknown document
    expect(g.outbound(peer('desk'), msg('sync', 'fresh'))).toBe(false);
    expect(g.outbound(peer('desk'), msg('request', 'fresh'))).toBe(true);
    expect(g.inbound(peer('desk'), msg('sync', 'fresh'))).toBe(true);
    expect(g.outbound(peer('desk'), msg('sync', 'fresh'))).toBe(true);
    expect(g.outbound(peer('lap'), msg('sync', 'fresh'))).toBe(false); // another peer did not show it holds it
  });

  it('a revoked device is denied everything at once', async () => {
    revoked.add('lap');
    expect(await p.shareConfig.announce('device-lap' as PeerId, 'doc-assigned' as DocumentId)).toBe(false);
    expect(await p.shareConfig.access('device-lap' as PeerId, 'brand-new' as DocumentId)).toBe(false);
    expect(p.guard.outbound(peer('lap'), msg('sync', 'roster'))).toBe(false);
    revoked.delete('lap');
  });
});
