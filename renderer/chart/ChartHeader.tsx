// Who this patient is: name, MRN, age, sex and identifiers, at the top of the chart.
import type { ReactNode } from 'react';
import type { PatientChart } from '../../main/api';
import { BirthDateWithAge } from '../components/PatientTable';
import { fullName } from '../format/names';
import { useI18n } from '../i18n/LanguageContext';

export function ChartHeader({ chart }: { chart: PatientChart }) {
  const { t } = useI18n();
  return (
    <header className="card chart-header" aria-label={t('chart.demographics')}>
      <h1 className="chart-header__name" data-testid="chart-name">
        <bdi>{fullName(chart)}</bdi>
      </h1>
      {chart.latinName && (
        <p className="chart-header__latin" dir="ltr" lang="en">
          {chart.latinName}
        </p>
      )}
      <dl className="facts">
        <Fact label={t('chart.mrn')}>
          <span className="mono" data-testid="chart-mrn">
            {chart.mrn}
          </span>
        </Fact>
        <Fact label={t('chart.sex')}>{t(`sex.${chart.sex}`)}</Fact>
        <Fact label={t('chart.birthDate')}>
          <BirthDateWithAge birthDate={chart.birthDate} />
        </Fact>
        {chart.nationalId && (
          <Fact label={t('chart.nationalId')}>
            <span className="mono">{chart.nationalId}</span>
          </Fact>
        )}
        {chart.phone && (
          <Fact label={t('chart.phone')}>
            <span className="mono" dir="ltr">
              {chart.phone}
            </span>
          </Fact>
        )}
        {chart.address && (
          <Fact label={t('chart.address')}>
            <span dir="auto">{chart.address}</span>
          </Fact>
        )}
        {chart.identifiers.length > 0 && (
          <Fact label={t('chart.identifiers')}>
            {chart.identifiers.map((id) => (
              <span key={`${id.system}|${id.value}`} className="identifier" dir="ltr">
                {id.system}: <span className="mono">{id.value}</span>
              </span>
            ))}
          </Fact>
        )}
      </dl>
    </header>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="facts__item">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}
