// The status bar's anchoring indicator: "Anchored ✓ · 3 pending · ledger offline".
// Reads 'anchor.status' when shown (at login), on 'anchor.changed', and every 30 s;
// a link to the Ledger screen, which says the rest.
import { anchorIndicator } from '../anchor/status-model';
import { useAnchorStatus } from '../anchor/useAnchorStatus';
import { useI18n } from '../i18n/LanguageContext';
import { routeHash } from './routes';

const REFRESH_MS = 30_000;

export function AnchorIndicator() {
  const { t } = useI18n();
  const status = useAnchorStatus(REFRESH_MS);
  const href = routeHash({ screen: 'ledger' });
  if (!status.data) {
    const text = status.failure ? t('anchor.indicator.unavailable') : t('anchor.indicator.loading');
    return (
      <a
        href={href}
        className="anchor-indicator anchor-indicator--neutral"
        data-testid="status-anchor"
        data-tone="unknown"
      >
        <span className="anchor-indicator__dot" aria-hidden="true" />
        {text}
      </a>
    );
  }
  const model = anchorIndicator(status.data);
  const text = model.parts.map((p) => t(p.key, p.vars)).join(' · ');
  const detail = t(model.detail.key, model.detail.vars);
  return (
    <a
      href={href}
      className={`anchor-indicator anchor-indicator--${model.tone}`}
      data-testid="status-anchor"
      data-tone={model.tone}
      title={detail}
      aria-label={`${t('anchor.indicator.label')}: ${text}. ${detail}`}
    >
      <span className="anchor-indicator__dot" aria-hidden="true" />
      {text}
    </a>
  );
}
