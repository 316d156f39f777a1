// Which devices may hold copies of this chart: the field teams the patient is
// assigned to, whether the patient allows copies on field devices, and consent to
// storage at the regional hub. Everyone who sees the chart sees this; clinicians
// (patients.setSharing) change it. Each device applies a change at its next sync.
import { useState, type FormEvent } from 'react';
import type { PatientChart } from '../../main/api';
import { useClient } from '../app/ClientContext';
import { useCurrentSession } from '../app/SessionContext';
import { SuccessNotice } from '../components/ErrorAlert';
import { CheckboxField } from '../components/Field';
import { FormFooter } from '../components/FormFooter';
import { useFormSubmit } from '../hooks/useFormSubmit';
import { formatTeamList, sharingDraft, sharingIssues, sharingSummary } from '../peers/sharing-model';
import { useI18n } from '../i18n/LanguageContext';
import { TeamIdsInput } from '../peers/TeamIdsInput';

const FIELDS = ['fieldTeamIds', 'fieldCopies', 'regionalHub'] as const;

export function SharingPanel({ chart, onChanged }: { chart: PatientChart; onChanged: (chart: PatientChart) => void }) {
  const { permissions } = useCurrentSession();
  const { t } = useI18n();
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(false);
  const mayEdit = permissions.includes('patients.setSharing');
  return (
    <section className="card sharing" aria-labelledby="sharing-title" data-testid="chart-sharing">
      <h2 id="sharing-title">{t('chart.sharing.title')}</h2>
      {editing ? (
        <SharingForm
          chart={chart}
          onCancel={() => setEditing(false)}
          onSaved={(updated) => {
            setEditing(false);
            setSaved(true);
            onChanged(updated);
          }}
        />
      ) : (
        <>
          <ul className="plain-list sharing__summary" data-testid="chart-sharing-summary">
            {sharingSummary(chart.sharing).map((line) => (
              <li key={line.key}>{t(line.key, line.vars)}</li>
            ))}
          </ul>
          <SuccessNotice message={saved ? t('chart.sharing.saved') : null} />
          {mayEdit && (
            <button
              type="button"
              className="button button--small"
              data-testid="chart-sharing-edit"
              onClick={() => {
                setSaved(false);
                setEditing(true);
              }}
            >
              {t('chart.sharing.edit')}
            </button>
          )}
        </>
      )}
    </section>
  );
}

function SharingForm({
  chart,
  onCancel,
  onSaved,
}: {
  chart: PatientChart;
  onCancel: () => void;
  onSaved: (chart: PatientChart) => void;
}) {
  const client = useClient();
  const { t } = useI18n();
  const [teams, setTeams] = useState(formatTeamList(chart.sharing.fieldTeamIds));
  const [fieldCopies, setFieldCopies] = useState(chart.sharing.fieldCopies);
  const [regionalHub, setRegionalHub] = useState(chart.sharing.regionalHub);
  const form = useFormSubmit(FIELDS);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const sharing = sharingDraft(teams, fieldCopies, regionalHub);
    let updated: PatientChart | undefined;
    await form.submit({
      localIssues: sharingIssues(sharing),
      hostPrefix: 'sharing',
      send: async () => {
        updated = await client.call('patients.setSharing', { patientId: chart.id, sharing });
      },
    });
    if (updated) onSaved(updated);
  }

  return (
    <form className="sharing__form" onSubmit={onSubmit} noValidate data-testid="chart-sharing-form">
      <TeamIdsInput
        testId="chart-sharing-teams"
        value={teams}
        onChange={setTeams}
        error={form.errors.fields.fieldTeamIds}
      />
      <CheckboxField
        label={t('chart.sharing.fieldCopies')}
        testId="chart-sharing-field-copies"
        checked={fieldCopies}
        onChange={setFieldCopies}
        error={form.errors.fields.fieldCopies}
      />
      <CheckboxField
        label={t('chart.sharing.regionalHub')}
        testId="chart-sharing-regional-hub"
        checked={regionalHub}
        onChange={setRegionalHub}
        error={form.errors.fields.regionalHub}
      />
      <FormFooter form={form} submitLabel={t('chart.sharing.save')} testIdPrefix="chart-sharing" onCancel={onCancel} />
    </form>
  );
}
