import type { PatientSummary } from '../../main/api';
import { ageAt } from '../format/age';
import { formatCalendarDate } from '../format/dates';
import { fullName } from '../format/names';
import { navigate } from '../hooks/useHashRoute';
import { useI18n } from '../i18n/LanguageContext';
import { routeHash } from '../app/routes';

export function PatientTable({ patients, busy }: { patients: readonly PatientSummary[]; busy: boolean }) {
  const { t } = useI18n();
  return (
    <table className="table table--clickable" aria-busy={busy}>
      <thead>
        <tr>
          <th scope="col">{t('patients.col.name')}</th>
          <th scope="col">{t('patients.col.latin')}</th>
          <th scope="col">{t('patients.col.mrn')}</th>
          <th scope="col">{t('patients.col.sex')}</th>
          <th scope="col">{t('patients.col.birth')}</th>
          <th scope="col">{t('patients.col.phone')}</th>
        </tr>
      </thead>
      <tbody>
        {patients.map((p) => (
          <PatientRow key={p.id} patient={p} />
        ))}
      </tbody>
    </table>
  );
}

function PatientRow({ patient }: { patient: PatientSummary }) {
  const { t } = useI18n();
  const chart = { screen: 'chart', patientId: patient.id } as const;
  return (
    <tr data-testid="patient-row" data-patient-id={patient.id} onClick={() => navigate(chart)}>
      <td>
        <a href={routeHash(chart)} lang="ar" dir="auto" className="patient-name">
          {fullName(patient)}
        </a>
      </td>
      <td dir="ltr" lang="en">
        {patient.latinName ?? ''}
      </td>
      <td className="mono">{patient.mrn}</td>
      <td>{t(`sex.${patient.sex}`)}</td>
      <td>
        <BirthDateWithAge birthDate={patient.birthDate} />
      </td>
      <td dir="ltr" className="mono">
        {patient.phone ?? ''}
      </td>
    </tr>
  );
}

export function BirthDateWithAge({ birthDate }: { birthDate: string }) {
  const { locale } = useI18n();
  const age = ageAt(birthDate, new Date());
  return (
    <>
      {formatCalendarDate(birthDate, locale)}
      {age && <> ({<AgeText value={age.value} unit={age.unit} />})</>}
    </>
  );
}

export function AgeText({ value, unit }: { value: number; unit: 'years' | 'months' | 'days' }) {
  const { t } = useI18n();
  return <>{t(`age.${unit}`, { n: value })}</>;
}
