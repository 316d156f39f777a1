// A device's role and field teams (administrators): a clinic device holds every
// patient of the clinic, a field device the patients of its teams who allow field
// copies, a regional hub those who consented to regional storage. Saved as a signed
// roster operation of this device; other devices apply it at their next sync.
import { useState, type FormEvent } from 'react';
import type { DeviceRole, SyncPeer, SyncStatus } from '../../main/api';
import { useClient } from '../app/ClientContext';
import { Select } from '../components/TextInput';
import { FormFooter } from '../components/FormFooter';
import { useFormSubmit } from '../hooks/useFormSubmit';
import { formatTeamList, parseTeamList, ROLE_OPTIONS, roleInput, roleIssues, roleShortKey } from './sharing-model';
import { useI18n } from '../i18n/LanguageContext';
import { TeamIdsInput } from './TeamIdsInput';

const FIELDS = ['role', 'teamIds'] as const;

export function RoleForm({
  peer,
  onCancel,
  onSaved,
}: {
  peer: SyncPeer;
  onCancel: () => void;
  onSaved: (status: SyncStatus, message: string) => void;
}) {
  const client = useClient();
  const { t } = useI18n();
  const [role, setRole] = useState<DeviceRole>(peer.role);
  const [teams, setTeams] = useState(formatTeamList(peer.teamIds));
  const form = useFormSubmit(FIELDS);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    let next: SyncStatus | undefined;
    await form.submit({
      localIssues: roleIssues(peer.deviceId, role, teams),
      send: async () => {
        next = await client.call('peers.setRole', roleInput(peer.deviceId, role, teams));
      },
    });
    if (next) onSaved(next, t('peers.role.saved', { name: peer.name ?? peer.deviceId, role: t(roleShortKey(role)) }));
  }

  return (
    <form className="peer__role" onSubmit={onSubmit} noValidate data-testid="peer-role-form">
      <Select
        label={t('peers.role.label')}
        testId="peer-role-select"
        value={role}
        onChange={setRole}
        error={form.errors.fields.role}
        options={ROLE_OPTIONS.map((o) => ({ value: o.value, label: t(o.key) }))}
      />
      {role === 'field' && (
        <TeamIdsInput
          hint={parseTeamList(teams).length === 0 ? t('peers.role.fieldWithoutTeam') : undefined}
          testId="peer-role-teams"
          value={teams}
          onChange={setTeams}
          error={form.errors.fields.teamIds}
        />
      )}
      <FormFooter form={form} submitLabel={t('peers.role.save')} testIdPrefix="peer-role" onCancel={onCancel} />
    </form>
  );
}
