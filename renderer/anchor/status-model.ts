// What 'anchor.status' means for a person: the state of the national ledger, what
// is still waiting to be anchored, and the one-line indicator of the status bar.
// Pure: no React, so the wording rules are tested on their own.
import type { AnchorStatus } from '../../main/api';
import type { MessageKey, Vars } from '../i18n/translate';

/** The outbox states, in the order a batch goes through them (then the two ends). */
export const QUEUE_STATES = ['sealed', 'submitted', 'included', 'final', 'superseded', 'failed'] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

/** A text to show: a dictionary key and what fills its placeholders. */
export interface Text {
  key: MessageKey;
  vars?: Vars;
}

export type LedgerState = 'notConfigured' | 'reachable' | 'unreachable' | 'unknown';

export interface LedgerView {
  state: LedgerState;
  /** One plain sentence about the ledger. */
  text: Text;
  /** The ledger's last error, as the host reported it (only when there is one). */
  lastError: string | null;
  network: { chainId: number; contract: string; rpcUrl: string } | null;
}

export function ledgerView(status: AnchorStatus): LedgerView {
  const ledger = status.ledger;
  if (!status.ledgerConfigured || ledger === null) {
    return { state: 'notConfigured', text: { key: 'anchor.ledger.notConfigured' }, lastError: null, network: null };
  }
  const network = { chainId: ledger.chainId, contract: ledger.contract, rpcUrl: ledger.rpcUrl };
  const lastError = ledger.lastError !== null && ledger.lastError.trim() !== '' ? ledger.lastError : null;
  if (ledger.reachable === true)
    return { state: 'reachable', text: { key: 'anchor.ledger.reachable' }, lastError, network };
  if (ledger.reachable === false) {
    return { state: 'unreachable', text: { key: 'anchor.ledger.unreachable' }, lastError, network };
  }
  return { state: 'unknown', text: { key: 'anchor.ledger.unknown' }, lastError, network };
}

/** Count per outbox state, every known state present (0 when missing), unknown ones after. */
export function queueCounts(status: AnchorStatus): { state: string; count: number }[] {
  const counts = status.counts ?? {};
  const known: { state: string; count: number }[] = QUEUE_STATES.map((state) => ({ state, count: counts[state] ?? 0 }));
  const others = Object.keys(counts)
    .filter((s) => !(QUEUE_STATES as readonly string[]).includes(s))
    .sort()
    .map((state) => ({ state, count: counts[state] ?? 0 }));
  return [...known, ...others];
}

export function isQueueState(state: string): state is QueueState {
  return (QUEUE_STATES as readonly string[]).includes(state);
}

export function pendingText(status: AnchorStatus): Text {
  if (!status.ledgerConfigured) {
    return status.checkpoints === 0
      ? { key: 'anchor.pending.noLedgerNone' }
      : { key: 'anchor.pending.noLedger', vars: { n: status.checkpoints } };
  }
  return status.pendingAnchors === 0
    ? { key: 'anchor.pending.none' }
    : { key: 'anchor.pending.some', vars: { n: status.pendingAnchors } };
}

export interface Coverage {
  /** Records of the log covered by the newest final anchor. */
  anchored: number;
  /** Records covered by the newest sealed checkpoint. */
  sealed: number;
  leaves: number;
}

export function coverage(status: AnchorStatus): Coverage {
  const clamp = (n: number) => Math.max(0, Math.min(n, status.leaves));
  return {
    anchored: clamp(status.lastAnchored?.treeSize ?? 0),
    sealed: clamp(status.lastCheckpoint?.treeSize ?? 0),
    leaves: status.leaves,
  };
}

export type IndicatorTone = 'ok' | 'pending' | 'warning' | 'neutral';

export interface AnchorIndicator {
  tone: IndicatorTone;
  /** Short parts, shown joined: "Anchored ✓ · 3 pending · ledger offline". */
  parts: Text[];
  /** The longer explanation (tooltip and accessible name). */
  detail: Text;
}

/** The status bar's compact anchoring indicator. */
export function anchorIndicator(status: AnchorStatus): AnchorIndicator {
  const cover = coverage(status);
  const detail: Text = { key: 'anchor.indicator.coverage', vars: { anchored: cover.anchored, leaves: cover.leaves } };
  const ledger = ledgerView(status);
  if (ledger.state === 'notConfigured') {
    return {
      tone: 'neutral',
      parts: [{ key: 'anchor.indicator.noLedger' }],
      detail: { key: 'anchor.ledger.notConfigured' },
    };
  }
  const failed = status.counts?.failed ?? 0;
  const parts: Text[] = [
    status.lastAnchored ? { key: 'anchor.indicator.anchored' } : { key: 'anchor.indicator.notYet' },
  ];
  if (status.pendingAnchors > 0) parts.push({ key: 'anchor.indicator.pending', vars: { n: status.pendingAnchors } });
  if (failed > 0) parts.push({ key: 'anchor.indicator.failed', vars: { n: failed } });
  if (ledger.state === 'unreachable') parts.push({ key: 'anchor.indicator.offline' });
  let tone: IndicatorTone;
  if (ledger.state === 'unreachable' || failed > 0) tone = 'warning';
  else if (status.pendingAnchors > 0 || !status.lastAnchored) tone = 'pending';
  else tone = 'ok';
  return { tone, parts, detail };
}

/** A long hash shortened for display: 0x1234abcd…89ef0123. Short texts are left whole. */
export function shortHash(hash: string, head = 10, tail = 8): string {
  if (hash.length <= head + tail + 1) return hash;
  return `${hash.slice(0, head)}…${hash.slice(-tail)}`;
}
