// Codes for what oximeters and ECG front-ends measure.
//
// Sources (checked with the project's search tool, 2025):
// - LOINC 59408-5 "Oxygen saturation in Arterial blood by Pulse oximetry" and 2708-6 "Oxygen saturation in
//   Arterial blood", with ISO/IEEE 11073-10101 150456 MDC_PULS_OXIM_SAT_O2: HL7 US Core Pulse Oximetry profile
//   examples (hl7.org/fhir/us/core, Observation-satO2-fiO2).
// - 149530 MDC_PULS_OXIM_PULS_RATE (paired there with LOINC 8867-4 "Heart rate"): HL7 Personal Health Device IG
//   example Observation spotnumeric-1.0.0.3.
// - 150452 MDC_PULS_OXIM_PLETH: HL7 PHD IG example rtsa-1234.
// - LOINC 8889-8 "Heart rate by Pulse oximetry": taken from the project brief; not found in the searchable
//   corpus, but its LOINC mod-10 check digit is valid (see isLoincCode) and 8867-4 is kept as an alternative.
import type { Code } from './types';

export const LOINC_SPO2_PULSE_OX: Code = {
  system: 'LOINC',
  code: '59408-5',
  display: 'Oxygen saturation in Arterial blood by Pulse oximetry',
};
export const LOINC_SPO2: Code = { system: 'LOINC', code: '2708-6', display: 'Oxygen saturation in Arterial blood' };
export const LOINC_PULSE_OX_RATE: Code = { system: 'LOINC', code: '8889-8', display: 'Heart rate by Pulse oximetry' };
export const LOINC_HEART_RATE: Code = { system: 'LOINC', code: '8867-4', display: 'Heart rate' };

export const MDC_PULS_OXIM_SAT_O2: Code = { system: 'MDC', code: '150456', display: 'MDC_PULS_OXIM_SAT_O2' };
export const MDC_PULS_OXIM_PULS_RATE: Code = { system: 'MDC', code: '149530', display: 'MDC_PULS_OXIM_PULS_RATE' };
export const MDC_PULS_OXIM_PLETH: Code = { system: 'MDC', code: '150452', display: 'MDC_PULS_OXIM_PLETH' };

/** Code set used for an SpO2 reading from any oximeter. */
export const SPO2_CODES = { code: LOINC_SPO2_PULSE_OX, altCodes: [MDC_PULS_OXIM_SAT_O2, LOINC_SPO2] } as const;
/** Code set used for a pulse rate from any oximeter. */
export const PULSE_RATE_CODES = { code: LOINC_PULSE_OX_RATE, altCodes: [MDC_PULS_OXIM_PULS_RATE, LOINC_HEART_RATE] };

/** UCUM units used by the oximeter parsers. */
export const UNIT_PERCENT = '%';
export const UNIT_PER_MIN = '/min';

/**
 * True when `s` has the shape of a LOINC code (number, hyphen, check digit) and its mod-10 check digit is right.
 * The check digit is the Luhn digit of the number part (LOINC Users' Guide, "Check digit").
 */
export function isLoincCode(s: string): boolean {
  const m = /^(\d{1,7})-(\d)$/.exec(s);
  if (!m) return false;
  const digits = m[1] as string;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10 === Number(m[2]);
}
