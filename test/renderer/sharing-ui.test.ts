// The sharing controls' pure rules: team lists typed as text, device role forms and
// the chart's sharing form checked with the contract's own schemas, the chart's
// sharing summary, and their texts in both languages (the app dictionaries).
import type { ReactElement } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SHARING, DEVICE_ROLES, PatientChart, SyncPeer } from '../../main/api';
import { ar } from '../../renderer/i18n/ar';
import { en } from '../../renderer/i18n/en';
import { translate, type MessageKey } from '../../renderer/i18n/translate';
import {
  formatTeamList,
  parseTeamList,
  ROLE_OPTIONS,
  roleInput,
  roleIssues,
  roleShortKey,
  sharingDraft,
  sharingIssues,
  sharingSummary,
} from '../../renderer/peers/sharing-model';

/** A field device as the host reports it (SyncPeer.parse: the contract's own shape). */
const FIELD_PEER = SyncPeer.parse({
  deviceId: 'tab-1',
  name: 'Tablet',
  address: null,
  connected: false,
  lastSyncAt: null,
  unsent: 0,
  revoked: false,
  contactAfterRevocation: null,
  role: 'field',
  teamIds: ['T1'],
});

describe('team lists typed as text', () => {
  it('split on commas (Latin or Arabic) and spaces, keep the order, drop repeats and blanks', () => {
    expect(parseTeamList('T1, north-2  T3,T1')).toEqual(['T1', 'north-2', 'T3']);
    expect(parseTeamList('T1،T2')).toEqual(['T1', 'T2']);
    expect(parseTeamList('  ,, ')).toEqual([]);
    expect(formatTeamList(parseTeamList('T1 T2'))).toBe('T1, T2');
  });
});

describe('the device role form', () => {
  it('offers every role of the contract, each with a long and a short label', () => {
    expect(ROLE_OPTIONS.map((o) => o.value)).toEqual([...DEVICE_ROLES]);
    for (const r of DEVICE_ROLES) {
      const option = ROLE_OPTIONS.find((o) => o.value === r)!;
      for (const key of [option.key, roleShortKey(r)]) {
        expect(Object.keys(en), key).toContain(key);
        expect(Object.keys(ar), key).toContain(key);
      }
    }
  });

  it('sends teams only for a field device, and checks them like the host', () => {
    expect(roleInput('dev-1', 'field', 'T1, T2')).toEqual({ deviceId: 'dev-1', role: 'field', teamIds: ['T1', 'T2'] });
    // Teams typed before switching to another role are not sent.
    expect(roleInput('dev-1', 'clinic', 'T1')).toEqual({ deviceId: 'dev-1', role: 'clinic', teamIds: [] });
    expect(roleIssues('dev-1', 'field', 'T1 north-2')).toEqual([]);
    expect(roleIssues('dev-1', 'hub', 'anything at all')).toEqual([]);
    const bad = roleIssues('dev-1', 'field', 'T1 bad!team');
    expect(bad).toHaveLength(1);
    expect(bad[0]!.path).toBe('teamIds.1');
    expect(bad[0]!.message).toMatch(/team id/);
    const tooMany = roleIssues('dev-1', 'field', Array.from({ length: 33 }, (_, i) => `T${i}`).join(' '));
    expect(tooMany[0]!.path).toBe('teamIds');
  });

  it('reads the role and teams the host reports for each peer', () => {
    const peer = FIELD_PEER;
    expect(peer.role).toBe('field');
    expect(() => SyncPeer.parse({ ...peer, role: 'boss' })).toThrow();
  });
});

describe('the chart sharing form and summary', () => {
  it('builds what patients.setSharing takes and checks it like the host', () => {
    const draft = sharingDraft('T1, T2', false, true);
    expect(draft).toEqual({ fieldTeamIds: ['T1', 'T2'], fieldCopies: false, regionalHub: true });
    expect(sharingIssues(draft)).toEqual([]);
    expect(sharingIssues(sharingDraft('T1 no/slash', true, false))[0]!.path).toBe('fieldTeamIds.1');
  });

  it('says the teams, a refusal of field copies, and whether regional consent is recorded', () => {
    const say = (s: Parameters<typeof sharingSummary>[0]) => sharingSummary(s).map((l) => translate(en, l.key, l.vars));
    expect(say(DEFAULT_SHARING)).toEqual(['Not assigned to a field team.', 'No consent to regional storage recorded.']);
    expect(say({ fieldTeamIds: ['T1', 'T2'], fieldCopies: false, regionalHub: true })).toEqual([
      'Field teams: T1, T2',
      'Refused copies on field devices.',
      'Consented to storage at the regional hub.',
    ]);
  });

  it('a chart without sharing facts is refused by the contract (the host always sends them)', () => {
    const chart = {
      id: 'p1',
      mrn: 'M-1',
      givenName: 'A',
      fatherName: null,
      familyName: 'B',
      latinName: null,
      sex: 'female',
      birthDate: '1990-01-01',
      phone: null,
      nationalId: null,
      updatedAt: 'now',
      address: null,
      identifiers: [],
      allergies: [],
      problems: [],
      medications: [],
    };
    expect(PatientChart.safeParse(chart).success).toBe(false);
    expect(PatientChart.parse({ ...chart, sharing: DEFAULT_SHARING }).sharing).toEqual(DEFAULT_SHARING);
  });
});

describe('sharing texts', () => {
  it('live in the app dictionaries, so the language switch and its checks cover them', () => {
    const keys: MessageKey[] = [
      'peers.role.label',
      'peers.role.teams',
      'peers.role.teamsHint',
      'peers.role.fieldWithoutTeam',
      'peers.role.saved',
      'chart.sharing.title',
      'chart.sharing.fieldCopies',
      'chart.sharing.regionalHub',
      'chart.sharing.saved',
    ];
    for (const key of keys) {
      expect(Object.keys(en), key).toContain(key);
      expect(Object.keys(ar), key).toContain(key);
    }
    const summary = sharingSummary({ fieldTeamIds: ['T1'], fieldCopies: false, regionalHub: false });
    expect(summary.map((l) => translate(ar, l.key, l.vars))).toEqual([
      'الفرق الميدانية: T1',
      'رفض النسخ على الأجهزة الميدانية.',
      'لا توجد موافقة مسجلة على التخزين الإقليمي.',
    ]);
    expect(translate(en, 'peers.role.saved', { name: 'Tablet', role: translate(en, roleShortKey('field')) })).toBe(
      'Tablet is now: Field device. Other devices apply it at their next sync.',
    );
  });
});

describe('the sharing controls drawn in the chosen language', () => {
  afterEach(() => vi.unstubAllGlobals());

  async function draw(lang: 'en' | 'ar', node: (h: typeof import('react').createElement) => ReactElement) {
    vi.stubGlobal('window', { localStorage: { getItem: () => lang, setItem: () => {} } });
    const { renderToStaticMarkup } = await import('react-dom/server');
    const { createElement } = await import('react');
    const { LanguageProvider } = await import('../../renderer/i18n/LanguageContext');
    const { ClientProvider } = await import('../../renderer/app/ClientContext');
    const { SessionProvider } = await import('../../renderer/app/SessionContext');
    const session = { permissions: ['patients.setSharing'] } as unknown as Parameters<
      typeof SessionProvider
    >[0]['session'];
    const client = {} as Parameters<typeof ClientProvider>[0]['client'];
    const inSession = createElement(SessionProvider, { session, children: node(createElement) });
    const withClient = createElement(ClientProvider, { client, children: inSession });
    return renderToStaticMarkup(createElement(LanguageProvider, { children: withClient }));
  }

  const fieldPeer: SyncPeer = { ...FIELD_PEER, teamIds: [] };

  it('the role form: labels, the team field and its warning, in Arabic', async () => {
    const { RoleForm } = await import('../../renderer/peers/RoleForm');
    const html = await draw('ar', (h) => h(RoleForm, { peer: fieldPeer, onCancel: () => {}, onSaved: () => {} }));
    for (const key of [
      'peers.role.label',
      'peers.role.teams',
      'peers.role.fieldWithoutTeam',
      'peers.role.save',
    ] as const)
      expect(html, key).toContain(ar[key]);
    expect(html).toContain(ar['peers.role.field']);
    expect(html).not.toContain(en['peers.role.teams']);
    // A team typed: the usual hint instead of the warning, ids left to right.
    const withTeam = await draw('en', (h) =>
      h(RoleForm, { peer: { ...fieldPeer, teamIds: ['T1'] }, onCancel: () => {}, onSaved: () => {} }),
    );
    expect(withTeam).toContain(en['peers.role.teamsHint']);
    expect(withTeam).not.toContain(en['peers.role.fieldWithoutTeam']);
    expect(withTeam).toMatch(/<input[^>]*value="T1"[^>]*dir="ltr"|<input[^>]*dir="ltr"[^>]*value="T1"/);
  });

  it("the chart's sharing panel: title, summary and edit button, in Arabic", async () => {
    const { SharingPanel } = await import('../../renderer/chart/SharingPanel');
    const chart = {
      id: 'p1',
      sharing: { fieldTeamIds: ['T1'], fieldCopies: false, regionalHub: true },
    } as PatientChart;
    const html = await draw('ar', (h) => h(SharingPanel, { chart, onChanged: () => {} }));
    for (const key of ['chart.sharing.title', 'chart.sharing.fieldRefused', 'chart.sharing.hubConsented'] as const)
      expect(html, key).toContain(ar[key]);
    expect(html).toContain(translate(ar, 'chart.sharing.teams', { teams: 'T1' }));
    expect(html).toContain(ar['chart.sharing.edit']);
  });

  it('the peer list warns of a contact with a revoked device after its revocation, and only then', async () => {
    const { PeerList } = await import('../../renderer/peers/PeerList');
    const revoked = { ...fieldPeer, revoked: true };
    const at = '2026-03-01T08:00:00.000Z';
    const warned = await draw('en', (h) =>
      h(PeerList, { peers: [{ ...revoked, contactAfterRevocation: at }], onChanged: () => {} }),
    );
    expect(warned).toContain('data-testid="peer-contact-after-revocation"');
    const [before, after] = en['peers.contactAfterRevocation'].split('{time}');
    expect(warned).toContain(before);
    expect(warned).toContain(after);
    const arabic = await draw('ar', (h) =>
      h(PeerList, { peers: [{ ...revoked, contactAfterRevocation: at }], onChanged: () => {} }),
    );
    expect(arabic).toContain(ar['peers.contactAfterRevocation'].split('{time}')[0]!);
    const quiet = await draw('en', (h) => h(PeerList, { peers: [revoked], onChanged: () => {} }));
    expect(quiet).not.toContain('peer-contact-after-revocation');
  });
});
