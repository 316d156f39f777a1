// The status bar's sync indicator: "Sync online · 1 peer · 12 unsent · 2 conflicts",
// when the device last synced, and a progress bar during a long first sync or a
// bundle import. A link to the screen that says the rest, for those who may see it.
import { useI18n } from '../i18n/LanguageContext';
import { useNow } from '../hooks/useNow';
import { SyncProgressBar } from '../peers/SyncProgressBar';
import { lastSyncAgo, syncIndicator } from '../peers/status-model';
import { useSyncStatus } from '../peers/useSyncStatus';
import { routeHash } from './routes';

const REFRESH_MS = 30_000;

export function SyncIndicator({ permissions }: { permissions: readonly string[] }) {
  const { t } = useI18n();
  const status = useSyncStatus(REFRESH_MS);
  const now = useNow(15_000);
  const href = permissions.includes('sync.enrollmentCode')
    ? routeHash({ screen: 'peers' })
    : permissions.includes('conflicts.list')
      ? routeHash({ screen: 'conflicts' })
      : undefined;
  if (!status.data) {
    const text = status.failure ? t('sync.indicator.unavailable') : t('sync.indicator.loading');
    return (
      <a href={href} className="sync-indicator sync-indicator--neutral" data-testid="status-sync" data-tone="unknown">
        <span className="sync-indicator__dot" aria-hidden="true" />
        {text}
      </a>
    );
  }
  const s = status.data;
  const model = syncIndicator(s);
  const text = model.parts.map((p) => t(p.key, p.vars)).join(' · ');
  const ago = lastSyncAgo(s.lastSyncAt, now);
  const last = ago ? t('sync.lastSync.ago', { ago: t(ago.key, ago.vars) }) : t('sync.lastSync.never');
  return (
    <>
      <a
        href={href}
        className={`sync-indicator sync-indicator--${model.tone}`}
        data-testid="status-sync"
        data-tone={model.tone}
        data-online={s.online}
        data-listening={s.listeningPort !== null}
        data-peers={s.peers.filter((p) => p.connected && !p.revoked).length}
        data-unsent={s.unsentChanges}
        data-conflicts={s.conflicts}
        title={last}
        aria-label={`${t('sync.indicator.label')}: ${text}. ${last}`}
      >
        <span className="sync-indicator__dot" aria-hidden="true" />
        {text}
        <span className="sync-indicator__last" data-testid="status-sync-last">
          {last}
        </span>
      </a>
      {s.progress && <SyncProgressBar progress={s.progress} testId="status-sync-progress" />}
    </>
  );
}
