// The field teams typed as text, as the role form (a device's teams) and the chart's
// sharing form (a patient's teams) both take them: the same label, left-to-right ids,
// no autocomplete; parsed by sharing-model's parseTeamList.
import { TextInput } from '../components/TextInput';
import { useI18n } from '../i18n/LanguageContext';

export function TeamIdsInput({
  testId,
  value,
  onChange,
  error,
  hint,
}: {
  testId: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  /** Replaces the usual hint (how to type the ids). */
  hint?: string;
}) {
  const { t } = useI18n();
  return (
    <TextInput
      label={t('peers.role.teams')}
      hint={hint ?? t('peers.role.teamsHint')}
      testId={testId}
      dir="ltr"
      autoComplete="off"
      value={value}
      onChange={onChange}
      error={error}
    />
  );
}
