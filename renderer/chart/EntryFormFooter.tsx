// The bottom of a clinical entry form: the amendment reason (when amending), the
// form's problems, and its buttons.
import { ErrorAlert, GeneralErrors, SuccessNotice } from '../components/ErrorAlert';
import { TextArea } from '../components/TextInput';
import { useI18n } from '../i18n/LanguageContext';
import type { EntryTarget } from './entry-target';
import type { EntryForm } from './useEntryForm';

interface EntryFormFooterProps<F extends string> {
  target: EntryTarget;
  entryForm: EntryForm<F>;
  submitTestId: string;
  submitLabel: string;
  onCancel?: () => void;
}

export function EntryFormFooter<F extends string>({
  target,
  entryForm,
  submitTestId,
  submitLabel,
  onCancel,
}: EntryFormFooterProps<F>) {
  const { t } = useI18n();
  const { form, reason, setReason, savedMessage } = entryForm;
  const amending = target.type === 'amend';
  return (
    <>
      {amending && (
        <TextArea
          label={t('amend.reason')}
          testId="amend-reason"
          value={reason}
          onChange={setReason}
          error={form.errors.fields.amendReason}
          dir="auto"
          rows={2}
        />
      )}
      <GeneralErrors messages={form.errors.general} />
      <ErrorAlert error={form.failure} />
      <SuccessNotice message={savedMessage && t(savedMessage)} />
      <div className="form-actions">
        <button
          type="submit"
          className="button button--primary"
          data-testid={amending ? 'amend-submit' : submitTestId}
          disabled={form.busy}
        >
          {form.busy ? t('form.saving') : amending ? t('amend.submit') : submitLabel}
        </button>
        {onCancel && (
          <button type="button" className="button" onClick={onCancel}>
            {t('form.cancel')}
          </button>
        )}
      </div>
    </>
  );
}
