// Masimo Rad-8 / Radical ASCII serial lines ("ASCII 1" output), one line per second, e.g.
//   05/05/26 10:21:33 SN=0000012345 SPO2=098% BPM=097 PI=03.60% SPCO=--.-% SPMET=--.-% DESAT=-- PIDELTA=+-- ALARM=0000 EXC=000000
// - a date MM/DD/YY and time HH:MM:SS, then KEY=VALUE fields separated by spaces;
// - a value made only of dashes, dots, a sign and % ('--', '--.-%', '+--') means no valid reading;
// - ALARM and EXC are hexadecimal status words (alarm and exception bits), kept as numbers and hex strings.
// Every KEY=VALUE present is kept; known measurements become observations, the rest go in the status flags.
import { PULSE_RATE_CODES, SPO2_CODES, UNIT_PERCENT, UNIT_PER_MIN } from '../codes';
import type { Code, DecodeError, DecodedItem, NumericObservation, OximeterStatus } from '../types';

interface Measure {
  code: Code;
  altCodes?: Code[];
  unit?: string;
}

const MEASURES: Record<string, Measure> = {
  SPO2: { code: SPO2_CODES.code, altCodes: [...SPO2_CODES.altCodes], unit: UNIT_PERCENT },
  BPM: { code: PULSE_RATE_CODES.code, altCodes: [...PULSE_RATE_CODES.altCodes], unit: UNIT_PER_MIN },
  PR: { code: PULSE_RATE_CODES.code, altCodes: [...PULSE_RATE_CODES.altCodes], unit: UNIT_PER_MIN },
  PI: { code: { system: 'local', code: 'MASIMO-PI', display: 'Perfusion index' }, unit: UNIT_PERCENT },
  SPCO: {
    code: { system: 'local', code: 'MASIMO-SPCO', display: 'Carboxyhemoglobin saturation (SpCO)' },
    unit: UNIT_PERCENT,
  },
  SPMET: {
    code: { system: 'local', code: 'MASIMO-SPMET', display: 'Methemoglobin saturation (SpMet)' },
    unit: UNIT_PERCENT,
  },
  SPHB: { code: { system: 'local', code: 'MASIMO-SPHB', display: 'Total hemoglobin (SpHb)' }, unit: 'g/dL' },
  PVI: { code: { system: 'local', code: 'MASIMO-PVI', display: 'Pleth variability index' }, unit: UNIT_PERCENT },
  RRA: { code: { system: 'local', code: 'MASIMO-RRA', display: 'Respiration rate (acoustic)' }, unit: UNIT_PER_MIN },
  RRP: { code: { system: 'local', code: 'MASIMO-RRP', display: 'Respiration rate (pleth)' }, unit: UNIT_PER_MIN },
  DESAT: { code: { system: 'local', code: 'MASIMO-DESAT', display: 'Desaturation index' } },
  PIDELTA: { code: { system: 'local', code: 'MASIMO-PIDELTA', display: 'Perfusion index change' }, unit: UNIT_PERCENT },
};

const HEX_FIELDS = new Set(['ALARM', 'EXC']);

/** Parses one line. Returns no items (and an error) for a line that is not a Masimo reading. */
export function parseMasimoLine(line: string, offset = 0): { items: DecodedItem[]; errors: DecodeError[] } {
  const errors: DecodeError[] = [];
  const text = line.trim();
  let observedAt: string | undefined;
  let rest = text;
  const dt = /^(\d{2})\/(\d{2})\/(\d{2}|\d{4})\s+(\d{2}):(\d{2}):(\d{2})\s*/.exec(text);
  if (dt) {
    const [, mo, d, y, h, mi, s] = dt as unknown as string[];
    const year = (y as string).length === 2 ? 2000 + Number(y) : Number(y);
    const days = new Date(Date.UTC(year, Number(mo), 0)).getUTCDate();
    if (
      Number(mo) >= 1 &&
      Number(mo) <= 12 &&
      Number(d) >= 1 &&
      Number(d) <= days &&
      Number(h) < 24 &&
      Number(mi) < 60 &&
      Number(s) < 61
    ) {
      observedAt = `${year}-${mo}-${d}T${h}:${mi}:${s}`;
    } else {
      errors.push({ offset, message: `impossible date/time '${dt[0].trim()}'` });
    }
    rest = text.slice(dt[0].length);
  }
  const fields = new Map<string, string>();
  const stray: string[] = [];
  for (const token of rest.split(/\s+/).filter(Boolean)) {
    const eq = token.indexOf('=');
    if (eq <= 0) {
      stray.push(token);
      continue;
    }
    fields.set(token.slice(0, eq).toUpperCase(), token.slice(eq + 1));
  }
  if (fields.size === 0) {
    errors.push({ offset, message: `not a Masimo data line: '${text.slice(0, 40)}'` });
    return { items: [], errors };
  }

  const items: DecodedItem[] = [];
  const flags: OximeterStatus['flags'] = {};
  const invalid: string[] = [];
  let serialNumber: string | undefined;
  const source = { protocol: 'masimo' as const, offset, ref: 'line' };

  for (const [key, raw] of fields) {
    if (key === 'SN') {
      serialNumber = raw;
      continue;
    }
    if (HEX_FIELDS.has(key)) {
      if (/^[0-9A-Fa-f]+$/.test(raw)) {
        flags[key.toLowerCase()] = parseInt(raw, 16);
        flags[`${key.toLowerCase()}Hex`] = raw.toUpperCase();
      } else {
        errors.push({ offset, message: `${key}=${raw} is not hexadecimal` });
      }
      continue;
    }
    const m = /^([+-]?)(\d+(?:\.\d+)?|\.\d+)(%?)$/.exec(raw);
    const noReading = /^[+-]?[-.]*%?$/.test(raw) && raw.includes('-');
    const measure = MEASURES[key];
    if (!m) {
      if (noReading) invalid.push(key);
      else if (measure) errors.push({ offset, message: `${key}=${raw} is not a number` });
      else flags[key.toLowerCase()] = raw;
      continue;
    }
    const value = Number(`${m[1]}${m[2]}`);
    if (!measure) {
      flags[key.toLowerCase()] = value;
      continue;
    }
    const obs: NumericObservation = { kind: 'numeric', code: measure.code, value };
    if (measure.altCodes) obs.altCodes = measure.altCodes;
    if (measure.unit) obs.unit = measure.unit;
    if (observedAt) obs.observedAt = observedAt;
    obs.source = { ...source, ref: key };
    items.push(obs);
  }
  if (stray.length > 0) flags.unparsed = stray.join(' ');
  flags.invalid = invalid.join(',');
  const status: OximeterStatus = { kind: 'oximeter-status', device: 'masimo', flags, source };
  if (serialNumber !== undefined) status.serialNumber = serialNumber;
  if (observedAt) status.observedAt = observedAt;
  items.push(status);
  return { items, errors };
}
