// Device readings and lab results, as the chart shows them: what was measured, the
// value with its unit, and whether it is flagged. Read defensively, like every body.
export interface ObservationLine {
  /** The code's display text, or its system and code. */
  name: string;
  value: string;
  unit: string | null;
  flagged: boolean;
  /** The device label or the analyzer. */
  source: string | null;
  referenceRange: string | null;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function readObservation(body: Record<string, unknown>): ObservationLine {
  const code = isRecord(body.code) ? body.code : {};
  const name = text(code.display) ?? [text(code.system), text(code.code)].filter(Boolean).join(' ');
  const raw = body.value;
  const value = typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : (text(raw) ?? '—');
  const comparator = text(body.comparator) ?? '';
  const flag = text(body.abnormalFlag);
  const device = isRecord(body.device) ? text(body.device.label) : null;
  return {
    name: name || '—',
    value: `${comparator}${value}`,
    unit: text(body.unit),
    // A device reading says abnormal: true; a lab result carries a flag (N = normal).
    flagged: body.abnormal === true || (flag !== null && flag.toUpperCase() !== 'N'),
    source: device ?? text(body.analyzer),
    referenceRange: text(body.referenceRange),
  };
}
