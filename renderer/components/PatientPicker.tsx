// Choose a patient: search as you type ('patients.search'), then pick one of the
// results. Recent patients are offered while the box is empty.
import { useId, useState } from 'react';
import type { PatientSummary } from '../../main/api';
import { formatCalendarDate } from '../format/dates';
import { fullName } from '../format/names';
import { useDebouncedValue } from '../hooks/useDebouncedValue';
import { useHostData } from '../hooks/useHostData';
import { useI18n } from '../i18n/LanguageContext';
import { ErrorAlert } from './ErrorAlert';

const SEARCH_DELAY_MS = 200;
const RESULT_LIMIT = 8;

interface PatientPickerProps {
  label: string;
  /** data-testid of the search box; each result button gets `${testId}-option`. */
  testId: string;
  onPick: (patient: PatientSummary) => void;
  autoFocus?: boolean;
  error?: string;
}

export function PatientPicker({ label, testId, onPick, autoFocus, error }: PatientPickerProps) {
  const { t, locale } = useI18n();
  const id = useId();
  const [query, setQuery] = useState('');
  const settled = useDebouncedValue(query.trim(), SEARCH_DELAY_MS);
  const search = useHostData('patients.search', { query: settled, limit: RESULT_LIMIT });
  const patients = search.data?.patients ?? [];
  return (
    <div className={error ? 'patient-picker field--invalid' : 'patient-picker'}>
      <label htmlFor={id} className="field__label">
        {label}
      </label>
      <input
        id={id}
        type="search"
        data-testid={testId}
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        placeholder={t('patientPicker.placeholder')}
        autoComplete="off"
        autoFocus={autoFocus}
        dir="auto"
        aria-invalid={Boolean(error)}
      />
      {error && (
        <p className="field__error" role="alert">
          {error}
        </p>
      )}
      <ErrorAlert error={search.failure} />
      {search.data && patients.length === 0 && <p className="empty">{t('patients.none')}</p>}
      {patients.length > 0 && (
        <ul className="patient-picker__results" aria-busy={search.loading} aria-label={t('patientPicker.results')}>
          {patients.map((p) => (
            <li key={p.id}>
              <button
                type="button"
                className="patient-picker__option"
                data-testid={`${testId}-option`}
                data-patient-id={p.id}
                onClick={() => onPick(p)}
              >
                <span className="patient-name" dir="auto">
                  {fullName(p)}
                </span>
                <span className="patient-picker__details">
                  <span className="mono">{p.mrn}</span> · {formatCalendarDate(p.birthDate, locale)}
                  {p.latinName && (
                    <>
                      {' '}
                      · <span dir="ltr">{p.latinName}</span>
                    </>
                  )}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A chosen patient, with a way to choose another. */
export function ChosenPatient({
  patient,
  onChange,
  testId,
}: {
  patient: PatientSummary;
  onChange: () => void;
  testId?: string;
}) {
  const { t } = useI18n();
  return (
    <p className="chosen-patient" data-testid={testId} data-patient-id={patient.id}>
      <span className="patient-name" dir="auto">
        {fullName(patient)}
      </span>{' '}
      <span className="mono">({patient.mrn})</span>{' '}
      <button type="button" className="button button--small" onClick={onChange}>
        {t('patientPicker.change')}
      </button>
    </p>
  );
}
