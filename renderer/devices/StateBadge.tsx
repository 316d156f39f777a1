import { useI18n } from '../i18n/LanguageContext';
import type { DeviceStateView } from './device-model';

/** The coloured state of a connection: connected (green), connecting (blue), lost (red)… */
export function StateBadge({ view }: { view: DeviceStateView }) {
  const { t } = useI18n();
  return (
    <span
      className={`badge badge--${view.tone}`}
      data-testid="device-state"
      data-state={view.state}
      data-tone={view.tone}
    >
      <span className="badge__dot" aria-hidden="true" />
      {t(view.label)}
    </span>
  );
}
