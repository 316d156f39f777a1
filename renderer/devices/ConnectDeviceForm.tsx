// Connect a device: a detected port (or a stable path typed in), a device profile,
// a label, and for a bedside device the patient its readings go to.
import { useState, type FormEvent } from 'react';
import {
  contract,
  type DeviceConnection,
  type DeviceProfileSummary,
  type Input,
  type PatientSummary,
} from '../../main/api';
import type { Issue } from '../api/issues';
import { useClient } from '../app/ClientContext';
import { ErrorAlert, GeneralErrors } from '../components/ErrorAlert';
import { Field } from '../components/Field';
import { ChosenPatient, PatientPicker } from '../components/PatientPicker';
import { TextInput } from '../components/TextInput';
import { validateWith } from '../forms/validate';
import { useFormSubmit } from '../hooks/useFormSubmit';
import { useHostData } from '../hooks/useHostData';
import { useI18n } from '../i18n/LanguageContext';
import { portLabel } from './device-model';

const FIELDS = ['path', 'profileId', 'label', 'patientId'] as const;

export function ConnectDeviceForm({ onConnected }: { onConnected: (connection: DeviceConnection) => void }) {
  const client = useClient();
  const { t } = useI18n();
  const profiles = useHostData('devices.profiles', {});
  const ports = useHostData('devices.ports', {});
  const [path, setPath] = useState('');
  const [profileId, setProfileId] = useState('');
  const [label, setLabel] = useState('');
  const [patient, setPatient] = useState<PatientSummary | null>(null);
  const form = useFormSubmit(FIELDS);
  const e = form.errors.fields;

  const profileList = profiles.data?.profiles ?? [];
  const portList = ports.data?.ports ?? [];
  const profile = profileList.find((p) => p.id === profileId);
  const bedside = profile?.kind === 'bedside';
  const detectedPort = portList.some((p) => p.path === path.trim()) ? path.trim() : '';

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const params: Input<'devices.connect'> = {
      profileId,
      path,
      ...(label.trim() ? { label } : {}),
      ...(bedside && patient ? { patientId: patient.id } : {}),
    };
    const localIssues: Issue[] = [];
    if (profileId === '') localIssues.push({ path: 'profileId', message: t('devices.connect.profileRequired') });
    if (path.trim() === '') localIssues.push({ path: 'path', message: t('devices.connect.pathRequired') });
    let connected: DeviceConnection | undefined;
    await form.submit({
      localIssues:
        localIssues.length > 0
          ? localIssues
          : validateWith(contract['devices.connect'].input, params, t('form.required')),
      send: async () => {
        connected = await client.call('devices.connect', params);
      },
    });
    if (!connected) return;
    setPath('');
    setLabel('');
    setPatient(null);
    onConnected(connected);
  }

  return (
    <section className="card" aria-labelledby="device-connect-title">
      <h2 id="device-connect-title">{t('devices.connect.title')}</h2>
      <ErrorAlert error={profiles.failure ?? ports.failure} />
      <form className="connect-form" onSubmit={onSubmit} noValidate data-testid="device-connect-form">
        <div className="connect-form__port">
          <Field
            label={t('devices.connect.port')}
            hint={portList.length === 0 && ports.data ? t('devices.connect.noPorts') : undefined}
          >
            {(control) => (
              <select
                {...control}
                data-testid="device-port"
                value={detectedPort}
                onChange={(ev) => {
                  if (ev.target.value !== '') setPath(ev.target.value);
                }}
              >
                <option value="">{t('devices.connect.portChoose')}</option>
                {portList.map((port) => (
                  <option key={port.path} value={port.path}>
                    {portLabel(port)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <button
            type="button"
            className="button button--small"
            data-testid="device-ports-refresh"
            onClick={ports.reload}
            disabled={ports.loading}
          >
            {t('devices.connect.refreshPorts')}
          </button>
        </div>
        <TextInput
          label={t('devices.connect.path')}
          hint={t('devices.connect.pathHint')}
          testId="device-path"
          dir="ltr"
          autoComplete="off"
          value={path}
          onChange={setPath}
          error={e.path}
        />
        <Field label={t('devices.connect.profile')} error={e.profileId}>
          {(control) => (
            <select
              {...control}
              data-testid="device-profile"
              value={profileId}
              onChange={(ev) => setProfileId(ev.target.value)}
            >
              <option value="">{t('devices.connect.profileChoose')}</option>
              {profileList.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.displayName}
                </option>
              ))}
            </select>
          )}
        </Field>
        {profile && <ProfileFacts profile={profile} />}
        <TextInput
          label={t('devices.connect.label')}
          hint={t('devices.connect.labelHint')}
          optional={t('form.optional')}
          testId="device-label"
          dir="auto"
          autoComplete="off"
          value={label}
          onChange={setLabel}
          error={e.label}
        />
        {bedside &&
          (patient ? (
            <div className="field">
              <span className="field__label">{t('devices.connect.patient')}</span>
              <ChosenPatient patient={patient} onChange={() => setPatient(null)} testId="device-patient-chosen" />
            </div>
          ) : (
            <div className="field">
              <PatientPicker
                label={`${t('devices.connect.patient')} (${t('form.optional')})`}
                testId="device-patient"
                onPick={setPatient}
                error={e.patientId}
              />
              <p className="field__hint">{t('devices.connect.patientHint')}</p>
            </div>
          ))}
        <GeneralErrors messages={form.errors.general} />
        <ErrorAlert error={form.failure} />
        <button type="submit" className="button button--primary" data-testid="device-connect" disabled={form.busy}>
          {form.busy ? t('devices.connect.connecting') : t('devices.connect.submit')}
        </button>
      </form>
    </section>
  );
}

function ProfileFacts({ profile }: { profile: DeviceProfileSummary }) {
  const { t } = useI18n();
  return (
    <dl className="facts profile-facts" data-testid="device-profile-details" data-kind={profile.kind}>
      <div className="facts__item">
        <dt>{t('devices.connect.protocol')}</dt>
        <dd dir="ltr">{profile.protocol}</dd>
      </div>
      <div className="facts__item">
        <dt>{t('devices.connect.kind')}</dt>
        <dd>{t(`devices.kind.${profile.kind}`)}</dd>
      </div>
      <div className="facts__item">
        <dt>{t('devices.connect.line')}</dt>
        <dd className="mono" dir="ltr">
          {profile.line}
        </dd>
      </div>
    </dl>
  );
}
