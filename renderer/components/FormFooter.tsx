// The bottom of a small form: its problems, then its submit and cancel buttons.
import type { FormSubmit } from '../hooks/useFormSubmit';
import { useI18n } from '../i18n/LanguageContext';
import { ErrorAlert, GeneralErrors } from './ErrorAlert';

export function FormFooter<F extends string>({
  form,
  submitLabel,
  testIdPrefix,
  onCancel,
  danger = false,
  actionsClassName = 'form-actions',
}: {
  form: FormSubmit<F>;
  submitLabel: string;
  /** The buttons' test ids are `${prefix}-submit` and `${prefix}-cancel`. */
  testIdPrefix: string;
  onCancel: () => void;
  danger?: boolean;
  actionsClassName?: string;
}) {
  const { t } = useI18n();
  return (
    <>
      <GeneralErrors messages={form.errors.general} />
      <ErrorAlert error={form.failure} />
      <div className={actionsClassName}>
        <button
          type="submit"
          className={danger ? 'button button--danger' : 'button'}
          data-testid={`${testIdPrefix}-submit`}
          disabled={form.busy}
        >
          {submitLabel}
        </button>
        <button type="button" className="button" data-testid={`${testIdPrefix}-cancel`} onClick={onCancel}>
          {t('form.cancel')}
        </button>
      </div>
    </>
  );
}
