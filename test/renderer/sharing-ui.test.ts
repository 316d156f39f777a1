// The sharing controls' pure rules: team lists typed as text, device role forms and
// the chart's sharing form checked with the contract's own schemas, the chart's
// sharing summary, and their texts in both languages.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SHARING, DEVICE_ROLES, PatientChart, SyncPeer } from '../../main/api';
import { placeholdersOf } from '../../renderer/i18n/translate';
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
import { sharingAr, sharingEn, sharingText, type SharingKey } from '../../renderer/peers/sharing-text';

const ARABIC_LETTER = /[\u0600-\u06FF]/;

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
      expect(sharingEn[roleShortKey(r)]).toBeTruthy();
      expect(sharingEn[`role.${r}` as SharingKey]).toBeTruthy();
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
    const peer = SyncPeer.parse({
      deviceId: 'tab-1',
      name: 'Tablet',
      address: null,
      connected: false,
      lastSyncAt: null,
      unsent: 0,
      revoked: false,
      role: 'field',
      teamIds: ['T1'],
    });
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
    const say = (s: Parameters<typeof sharingSummary>[0]) =>
      sharingSummary(s).map((l) => sharingText('en', l.key, l.vars));
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
  it('exist in both languages with the same keys and placeholders, the Arabic in Arabic script', () => {
    expect(Object.keys(sharingAr).sort()).toEqual(Object.keys(sharingEn).sort());
    for (const key of Object.keys(sharingEn) as SharingKey[]) {
      expect(placeholdersOf(sharingAr[key]), key).toEqual(placeholdersOf(sharingEn[key]));
      expect(sharingEn[key].trim(), key).not.toBe('');
      expect(ARABIC_LETTER.test(sharingAr[key]), key).toBe(true);
    }
    expect(sharingText('ar', 'sharing.teams', { teams: 'T1' })).toBe('الفرق الميدانية: T1');
  });
});
