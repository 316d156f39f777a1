// Find a patient: search as you type (recent patients when the box is empty).
import { useState } from 'react';
import { ErrorAlert } from '../components/ErrorAlert';
import { PatientTable } from '../components/PatientTable';
import { useDebouncedValue } from '../hooks/useDebouncedValue';
import { useHostData } from '../hooks/useHostData';
import { useHostEvent } from '../hooks/useHostEvent';
import { useI18n } from '../i18n/LanguageContext';

const SEARCH_DELAY_MS = 150;
const RESULT_LIMIT = 50;

export function PatientListScreen() {
  const { t } = useI18n();
  const [query, setQuery] = useState('');
  const settledQuery = useDebouncedValue(query.trim(), SEARCH_DELAY_MS);
  const search = useHostData('patients.search', { query: settledQuery, limit: RESULT_LIMIT });
  useHostEvent('patient.changed', search.reload);
  useHostEvent('entry.recorded', search.reload);

  const patients = search.data?.patients ?? [];
  return (
    <section className="screen" aria-labelledby="patients-title">
      <div className="screen__header">
        <h1 id="patients-title">{t('patients.title')}</h1>
        <a className="button button--primary" href="#/register">
          {t('patients.registerNew')}
        </a>
      </div>
      <div className="search">
        <label htmlFor="patient-search" className="field__label">
          {t('patients.searchLabel')}
        </label>
        <input
          id="patient-search"
          type="search"
          className="search__input"
          data-testid="patient-search"
          placeholder={t('patients.searchPlaceholder')}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          autoComplete="off"
          autoFocus
          dir="auto"
        />
      </div>
      <h2 className="screen__subtitle">{settledQuery === '' ? t('patients.recent') : t('patients.results')}</h2>
      <ErrorAlert error={search.failure} />
      {search.data && patients.length === 0 ? (
        <p className="empty">{t('patients.none')}</p>
      ) : (
        <PatientTable patients={patients} busy={search.loading} />
      )}
    </section>
  );
}
