// Abnormal flags of lab results (ASTM E1394 field 8.1.7, HL7 table 0078): what
// each one says, and whether the value is outside its reference range. N is normal;
// any other flag is shown as abnormal, unknown ones by their code.
import type { MessageKey } from '../i18n/translate';

export interface FlagView {
  /** The flag as the analyzer sent it (trimmed), or null for none. */
  code: string | null;
  abnormal: boolean;
  /** Its meaning in words, for the flags that have one. */
  label: MessageKey | null;
  /** Critical (panic) values: LL, HH, AA. */
  critical: boolean;
}

const LABELS: Readonly<Record<string, MessageKey>> = {
  N: 'lab.flag.N',
  L: 'lab.flag.L',
  H: 'lab.flag.H',
  LL: 'lab.flag.LL',
  HH: 'lab.flag.HH',
  '<': 'lab.flag.below',
  '>': 'lab.flag.above',
  A: 'lab.flag.A',
  AA: 'lab.flag.AA',
};

export const KNOWN_LAB_FLAGS = Object.keys(LABELS);

export function labFlag(flag: unknown): FlagView {
  const code = typeof flag === 'string' && flag.trim() !== '' ? flag.trim() : null;
  if (code === null) return { code: null, abnormal: false, label: null, critical: false };
  const upper = code.toUpperCase();
  return {
    code,
    abnormal: upper !== 'N',
    label: LABELS[upper] ?? null,
    critical: upper === 'LL' || upper === 'HH' || upper === 'AA',
  };
}
