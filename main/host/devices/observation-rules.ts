// Which device numerics are recorded, and which are abnormal. Streaming devices
// send a value every second; the chart gets one per code every 30 s, plus every
// abnormal value (those are what a clinician must never miss).
import type { Code, NumericObservation } from '../../../device-bridge';

export const RECORD_EVERY_MS = 30_000;

const SPO2 = new Set(['LOINC:59408-5', 'LOINC:2708-6', 'MDC:150456']);
const PULSE = new Set(['LOINC:8889-8', 'LOINC:8867-4', 'MDC:149530', 'MDC:147842']);
const PERFUSION = new Set(['MDC:150488']);

const key = (c: Code) => `${c.system}:${c.code}`;
const allCodes = (o: { code: Code; altCodes?: Code[] }) => [o.code, ...(o.altCodes ?? [])].map(key);

export function numericLabel(o: { code: Code; altCodes?: Code[] }): string {
  const codes = allCodes(o);
  if (codes.some((c) => SPO2.has(c))) return 'SpO2';
  if (codes.some((c) => PULSE.has(c))) return 'Pulse';
  if (codes.some((c) => PERFUSION.has(c))) return 'PI';
  return o.code.display ?? o.code.code;
}

/** Alert limits for bedside numerics; lab results carry their own abnormal flags. */
export function isAbnormal(o: NumericObservation): boolean {
  const codes = allCodes(o);
  if (codes.some((c) => SPO2.has(c))) return o.value < 90;
  if (codes.some((c) => PULSE.has(c))) return o.value < 40 || o.value > 130;
  return !!o.abnormalFlag && !['N', ''].includes(o.abnormalFlag.toUpperCase());
}

/** Decides, per connection and code, whether a streamed numeric goes into the chart now. */
export class RecordThrottle {
  #last = new Map<string, number>();

  /** What it knows now, to restore when the transaction that used it rolls back. */
  snapshot(): Map<string, number> {
    return new Map(this.#last);
  }
  restore(snapshot: Map<string, number>): void {
    this.#last = snapshot;
  }

  shouldRecord(connectionId: string, o: NumericObservation, at: number, abnormal: boolean): boolean {
    const k = `${connectionId}|${key(o.code)}`;
    const last = this.#last.get(k);
    if (!abnormal && last !== undefined && at - last < RECORD_EVERY_MS) return false;
    this.#last.set(k, at);
    return true;
  }
}
