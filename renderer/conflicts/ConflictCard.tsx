// One open conflict: the field, the competing values and where each came from; the
// clinician picks one and says why. Nothing is sent without both; the host writes
// the choice to the chart with who chose it and why.
import { useId, useState, type FormEvent } from 'react';
import { ApiError, type ConflictSummary } from '../../main/api';
import { useClient } from '../app/ClientContext';
import { ErrorAlert } from '../components/ErrorAlert';
import { TextArea } from '../components/TextInput';
import { formatDateTime } from '../format/dates';
import { useI18n } from '../i18n/LanguageContext';
import { conflictField, conflictKindText, originText, resolveProblem, valueView } from './conflict-model';

export function ConflictCard({ conflict, onResolved }: { conflict: ConflictSummary; onResolved: () => void }) {
  const client = useClient();
  const { t, locale } = useI18n();
  const name = useId();
  const [choice, setChoice] = useState<number | null>(null);
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<ReturnType<typeof resolveProblem>>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const field = conflictField(conflict);
  const kind = conflictKindText(conflict);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const local = resolveProblem(choice, reason);
    setProblem(local);
    setFailure(null);
    if (local || choice === null) return;
    setBusy(true);
    try {
      await client.call('conflicts.resolve', { id: conflict.id, choice: { choose: choice }, reason });
      onResolved();
    } catch (error) {
      setFailure(error);
      // Resolved meanwhile on another screen or device: the list must drop it.
      if (error instanceof ApiError && (error.code === 'CONFLICT' || error.code === 'NOT_FOUND')) onResolved();
    } finally {
      setBusy(false);
    }
  }

  return (
    <li className="conflict" data-testid="conflict" data-conflict-id={conflict.id} data-kind={conflict.kind}>
      <form onSubmit={onSubmit} noValidate>
        <fieldset className="conflict__values" aria-invalid={problem === 'chooseValue'}>
          <legend className="conflict__field">
            <strong data-testid="conflict-field">{t(field.key, field.vars)}</strong>{' '}
            <span className="muted">— {t(kind.key)}</span>
          </legend>
          <p className="field__hint">{t('conflict.detected', { at: formatDateTime(conflict.detectedAt, locale) })}</p>
          {conflict.values.map((v, i) => {
            const view = valueView(v.value, conflict.kind);
            const origin = originText(v.side);
            return (
              <label key={i} className="conflict__value" data-testid="conflict-value">
                <input
                  type="radio"
                  name={name}
                  value={i}
                  checked={choice === i}
                  onChange={() => setChoice(i)}
                  data-testid={`conflict-choose-${i}`}
                />
                <span className="conflict__value-text" dir="auto">
                  {view.kind === 'text' ? view.text : <em>{t(view.label.key)}</em>}
                </span>
                <span className="conflict__origin muted">{t(origin.key)}</span>
              </label>
            );
          })}
          {problem === 'chooseValue' && (
            <p className="field__error" role="alert">
              {t('conflict.chooseValue')}
            </p>
          )}
        </fieldset>
        {conflict.merged !== null && conflict.merged !== undefined && (
          <p className="conflict__merged">
            {t('conflict.merged')}{' '}
            <span dir="auto" data-testid="conflict-merged">
              {(() => {
                const merged = valueView(conflict.merged, conflict.kind);
                return merged.kind === 'text' ? merged.text : t(merged.label.key);
              })()}
            </span>
          </p>
        )}
        <TextArea
          label={t('conflict.reason')}
          hint={t('conflict.reasonHint')}
          testId="conflict-reason"
          dir="auto"
          value={reason}
          onChange={setReason}
          error={problem === 'giveReason' ? t('conflict.giveReason') : undefined}
          rows={2}
        />
        <ErrorAlert error={failure} />
        <button type="submit" className="button button--primary" data-testid="conflict-resolve" disabled={busy}>
          {t('conflict.resolve')}
        </button>
      </form>
    </li>
  );
}
