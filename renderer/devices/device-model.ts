// What a device connection means for a person: a coloured state badge, "last data
// 12 s ago", its error counts; and the small formatting rules of live numerics.
// Pure: no React, so the rules are tested on their own.
import type { DeviceConnection, SerialPortInfo } from '../../main/api';
import type { MessageKey, Text, Translate } from '../i18n/translate';

export type DeviceState = DeviceConnection['state'];

/** Badge colours: ok green, busy blue, warning amber, alert red, off grey. */
export type BadgeTone = 'ok' | 'busy' | 'warning' | 'alert' | 'off';

export interface DeviceStateView {
  state: DeviceState;
  tone: BadgeTone;
  label: MessageKey;
  /** The host's explanation (why it is lost, stopped…), when it gave one. */
  reason: string | null;
}

/** A connected bedside device silent for longer than this is shown as silent. */
export const SILENT_BEDSIDE_MS = 30_000;

const STATE_VIEW: Record<DeviceState, { tone: BadgeTone; label: MessageKey }> = {
  connecting: { tone: 'busy', label: 'devices.state.connecting' },
  negotiating: { tone: 'busy', label: 'devices.state.negotiating' },
  connected: { tone: 'ok', label: 'devices.state.connected' },
  lost: { tone: 'alert', label: 'devices.state.lost' },
  stopped: { tone: 'off', label: 'devices.state.stopped' },
};

export function deviceStateView(
  connection: Pick<DeviceConnection, 'state' | 'stateReason' | 'lastDataAt' | 'kind'>,
  nowMs: number,
): DeviceStateView {
  const reason = connection.stateReason?.trim() ? connection.stateReason.trim() : null;
  const base = STATE_VIEW[connection.state];
  if (connection.state === 'connected' && connection.kind === 'bedside') {
    const last = parseTime(connection.lastDataAt);
    // A lab analyzer is silent between runs; a bedside monitor should not be.
    if (last !== null && nowMs - last > SILENT_BEDSIDE_MS) {
      return { state: connection.state, tone: 'warning', label: 'devices.state.silent', reason };
    }
  }
  return { state: connection.state, tone: base.tone, label: base.label, reason };
}

/** "12 s ago", "3 min ago"…; "never" without a time. A time slightly ahead (clock skew) is "just now". */
export function formatAgo(iso: string | null, nowMs: number): Text {
  const at = parseTime(iso);
  if (at === null) return { key: 'devices.ago.never' };
  const seconds = Math.floor((nowMs - at) / 1000);
  if (seconds < 1) return { key: 'devices.ago.now' };
  if (seconds < 60) return { key: 'devices.ago.seconds', vars: { n: seconds } };
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return { key: 'devices.ago.minutes', vars: { n: minutes } };
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return { key: 'devices.ago.hours', vars: { n: hours } };
  return { key: 'devices.ago.days', vars: { n: Math.floor(hours / 24) } };
}

export interface ErrorSummary {
  total: number;
  /** Non-zero counts, largest first (then by name). */
  parts: { kind: string; count: number }[];
}

export function errorSummary(counts: Readonly<Record<string, number>>): ErrorSummary {
  const parts = Object.entries(counts)
    .filter(([, count]) => Number.isFinite(count) && count > 0)
    .map(([kind, count]) => ({ kind, count }))
    .sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind));
  return { total: parts.reduce((sum, p) => sum + p.count, 0), parts };
}

/** A detected port as the port list shows it: its path, then who made it and its serial number. */
export function portLabel(port: SerialPortInfo): string {
  const maker = port.manufacturer?.trim();
  const serial = port.serialNumber?.trim();
  return `${port.path}${maker ? ` — ${maker}` : ''}${serial ? ` (${serial})` : ''}`;
}

/** The bedside devices whose live data belong in this patient's chart. */
export function liveConnectionsOf(connections: readonly DeviceConnection[], patientId: string): DeviceConnection[] {
  return connections.filter((c) => c.patientId === patientId && c.kind === 'bedside' && c.state !== 'stopped');
}

// ---- Signals ----

/** Signals whose code (from the device's standard) says more than the label the host passes on. */
const KNOWN_SIGNALS: Readonly<Record<string, MessageKey>> = {
  MDC_PULS_OXIM_PLETH: 'signal.pleth',
  'MDC:150452': 'signal.pleth',
  '150452': 'signal.pleth',
};

/** A waveform's name for people: a known signal by its usual name, otherwise its label (or code). */
export function signalName(code: string, label: string | null): { key: MessageKey } | { text: string } {
  const known = KNOWN_SIGNALS[code.trim()] ?? (label ? KNOWN_SIGNALS[label.trim()] : undefined);
  if (known) return { key: known };
  return { text: label?.trim() || code };
}

/** signalName, translated. */
export function signalText(code: string, label: string | null, t: Translate): string {
  const name = signalName(code, label);
  return 'key' in name ? t(name.key) : name.text;
}

// ---- Live numerics ----

/** After this long without a 'device.live' event, the live panel says the device is silent. */
export const LIVE_SILENCE_MS = 10_000;

export type LiveStatus = { kind: 'waiting' } | { kind: 'live' } | { kind: 'silent'; seconds: number };

/** Whether live data is flowing, given when the last event came (null: none yet). */
export function liveStatus(lastEventMs: number | null, nowMs: number): LiveStatus {
  if (lastEventMs === null) return { kind: 'waiting' };
  const silentMs = nowMs - lastEventMs;
  if (silentMs >= LIVE_SILENCE_MS) return { kind: 'silent', seconds: Math.floor(silentMs / 1000) };
  return { kind: 'live' };
}

/** A live value: whole numbers as they are, others with one decimal. */
export function formatLiveValue(value: number): string {
  if (!Number.isFinite(value)) return '—';
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

function parseTime(iso: string | null): number | null {
  if (iso === null) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}
