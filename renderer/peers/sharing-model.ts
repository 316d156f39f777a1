// The pure rules of the sharing controls: team lists typed as text, device role
// choices, the chart's sharing summary, and validation with the contract's own
// schemas (so the form and the host say the same thing).
import { contract, DEVICE_ROLES, type DeviceRole, type PatientSharing } from '../../main/api';
import type { Issue } from '../api/issues';
import { validateWith } from '../forms/validate';
import type { MessageKey, Text } from '../i18n/translate';

/** "T1, north-2 T3" → ['T1', 'north-2', 'T3']: commas (Latin or Arabic) or spaces, once each. */
export function parseTeamList(text: string): string[] {
  const out: string[] = [];
  for (const t of text.split(/[\s,،]+/)) if (t !== '' && !out.includes(t)) out.push(t);
  return out;
}

export const formatTeamList = (teamIds: readonly string[]): string => teamIds.join(', ');

// Typed without a cast: a device role the dictionaries do not name does not compile.
export const ROLE_OPTIONS: readonly { value: DeviceRole; key: MessageKey }[] = DEVICE_ROLES.map((r) => ({
  value: r,
  key: `peers.role.${r}` satisfies MessageKey,
}));

export const roleShortKey = (role: DeviceRole): MessageKey => `peers.role.short.${role}` satisfies MessageKey;

/** Problems with a role form (before anything is sent); paths are the form's fields. */
export function roleIssues(deviceId: string, role: DeviceRole, teamsText: string): Issue[] {
  const teamIds = role === 'field' ? parseTeamList(teamsText) : [];
  return validateWith(contract['peers.setRole'].input, { deviceId, role, teamIds });
}

/** What peers.setRole is sent: teams only for a field device (the text is kept while editing). */
export function roleInput(deviceId: string, role: DeviceRole, teamsText: string) {
  return { deviceId, role, teamIds: role === 'field' ? parseTeamList(teamsText) : [] };
}

/** Teams typed as text plus the two choices, as patients.setSharing takes them. */
export function sharingDraft(teamsText: string, fieldCopies: boolean, regionalHub: boolean): PatientSharing {
  return { fieldTeamIds: parseTeamList(teamsText), fieldCopies, regionalHub };
}

export function sharingIssues(draft: PatientSharing): Issue[] {
  return validateWith(contract['patients.setSharing'].input.shape.sharing, draft);
}

/** The chart's sharing in a few lines: teams, and each choice that limits a copy. */
export function sharingSummary(s: PatientSharing): Text[] {
  const lines: Text[] = [
    s.fieldTeamIds.length > 0
      ? { key: 'chart.sharing.teams', vars: { teams: formatTeamList(s.fieldTeamIds) } }
      : { key: 'chart.sharing.noTeams' },
  ];
  if (!s.fieldCopies) lines.push({ key: 'chart.sharing.fieldRefused' });
  lines.push({ key: s.regionalHub ? 'chart.sharing.hubConsented' : 'chart.sharing.hubNoConsent' });
  return lines;
}
