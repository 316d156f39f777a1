// What 'sync.status' means for a person: the status bar's one-line summary and the
// progress of a long first sync or a bundle import. Pure: no React, so the wording
// rules are tested on their own.
import type { SyncProgress, SyncStatus } from '../../main/api';
import { formatAgo } from '../devices/device-model';
import type { Text } from '../i18n/translate';

export type SyncTone = 'ok' | 'pending' | 'warning' | 'neutral';

export interface SyncIndicator {
  tone: SyncTone;
  /** Short parts, shown joined: "Sync online · 1 peer · 12 unsent · 2 conflicts". */
  parts: Text[];
}

/** Peers that still count: a revoked device is never "connected" in any sense that matters. */
export function activePeers(status: SyncStatus): SyncStatus['peers'] {
  return status.peers.filter((p) => !p.revoked);
}

export function connectedPeerCount(status: SyncStatus): number {
  return activePeers(status).filter((p) => p.connected).length;
}

export function syncIndicator(status: SyncStatus): SyncIndicator {
  if (!status.enrolled && status.listeningPort === null && status.peers.length === 0) {
    // A device that has never been part of a clinic's sync has nothing to report but that.
    return { tone: 'neutral', parts: [{ key: 'sync.indicator.notSetUp' }] };
  }
  const connected = connectedPeerCount(status);
  const parts: Text[] = [
    status.online ? { key: 'sync.indicator.online' } : { key: 'sync.indicator.offline' },
    { key: 'sync.indicator.peers', vars: { n: connected } },
  ];
  if (status.listeningPort !== null) parts.push({ key: 'sync.indicator.listening' });
  if (status.unsentChanges > 0) parts.push({ key: 'sync.indicator.unsent', vars: { n: status.unsentChanges } });
  if (status.conflicts > 0) parts.push({ key: 'sync.indicator.conflicts', vars: { n: status.conflicts } });
  let tone: SyncTone;
  if (status.conflicts > 0) tone = 'warning';
  else if (!status.online || status.unsentChanges > 0 || status.progress) tone = 'pending';
  else tone = 'ok';
  return { tone, parts };
}

/** "3 min ago", or null when this device has never synced with any peer. */
export function lastSyncAgo(lastSyncAt: string | null, nowMs: number): Text | null {
  return lastSyncAt === null ? null : formatAgo(lastSyncAt, nowMs);
}

export interface ProgressView {
  label: Text;
  /** For <progress value max>: null when the total is not known yet (indeterminate bar). */
  value: number | null;
  max: number;
  percent: number | null;
}

/** The progress bar's reading; totals of 0 or less are "not known yet", never a division by zero. */
export function progressView(progress: SyncProgress): ProgressView {
  if (progress.total <= 0) {
    return { label: { key: `sync.progress.${progress.phase}.start` }, value: null, max: 1, percent: null };
  }
  const done = Math.max(0, Math.min(progress.done, progress.total));
  return {
    label: { key: `sync.progress.${progress.phase}`, vars: { done, total: progress.total } },
    value: done,
    max: progress.total,
    percent: Math.floor((done / progress.total) * 100),
  };
}
