// HL7 v2 ORU (and any message carrying OBX) → typed observations.
//
// Segments used:
//   MSH: 3/4 sending application/facility, 5/6 receiving, 7 date-time, 9 message type, 10 control id,
//        11 processing id, 12 version
//   PID: 2 (old) patient id, 3 patient identifier list (repeats), 4 alternate id
//   OBR: 2 placer order number, 3 filler order number, 7 observation date-time
//   SPM: 2 specimen id
//   OBX: 2 value type, 3 observation identifier (id^text^system[^alt id^alt text^alt system]), 4 sub-id,
//        5 value, 6 units, 7 reference range, 8 abnormal flags, 11 result status, 14 observation date-time
//   NTE after an OBX: comments on it
// Value types: NM (number), SN (structured numeric: comparator^num1^separator^num2), ST/TX/FT (a number when
// the text is one, else text), NA (numeric array: ^-separated samples → waveform), MA (multiplexed array:
// ~-separated sample instants of ^-separated channels → one waveform per channel), CE/CWE/CNE (coded: text),
// anything else as text.
// A waveform's sample rate comes from an OBX in the same OBR group whose identifier names a sample rate
// (e.g. MDC_ATTR_SAMP_RATE) and whose sub-id is the waveform's or its parent's; otherwise it is null.
import type {
  Code,
  DecodeError,
  DecodedItem,
  MessageSummary,
  NumericObservation,
  TextObservation,
  WaveformChunk,
} from '../types';
import { parseComparedNumber, parseDecimal } from '../util/text';
import { hl7TimeToIso } from '../util/time';
import {
  hl7Components,
  hl7Field,
  hl7Get,
  hl7IsNull,
  hl7Repetitions,
  type Hl7Delimiters,
  type Hl7Message,
  type Hl7Segment,
} from './hl7';

/** MDC dimension reference ids → UCUM, for OBX-6 sent as MDC codes (IHE PCD). */
const MDC_UNITS: Record<string, string> = {
  MDC_DIM_PERCENT: '%',
  MDC_DIM_BEAT_PER_MIN: '/min',
  MDC_DIM_RESP_PER_MIN: '/min',
  MDC_DIM_PULS_PER_MIN: '/min',
  MDC_DIM_MMHG: 'mm[Hg]',
  MDC_DIM_MILLI_M_HG: 'mm[Hg]',
  MDC_DIM_KILO_PASCAL: 'kPa',
  MDC_DIM_DEGC: 'Cel',
  MDC_DIM_FAHR: '[degF]',
  MDC_DIM_MILLI_VOLT: 'mV',
  MDC_DIM_MICRO_VOLT: 'uV',
  MDC_DIM_DIMLESS: '1',
  MDC_DIM_HZ: 'Hz',
  MDC_DIM_SEC: 's',
  MDC_DIM_MILLI_SEC: 'ms',
  MDC_DIM_PER_SEC: '/s',
  MDC_DIM_X_G_PER_DL: 'g/dL',
  MDC_DIM_KILO_G: 'kg',
  MDC_DIM_CENTI_M: 'cm',
};

function codeSystem(system: string): Code['system'] | undefined {
  const s = system.trim().toUpperCase();
  if (s === 'LN' || s === 'LOINC' || s === 'HTTP://LOINC.ORG') return 'LOINC';
  if (s === 'MDC' || s.startsWith('MDC') || s === 'URN:ISO:STD:ISO:11073:10101') return 'MDC';
  return undefined;
}

/** CE/CWE observation identifier → code and alternate code. */
export function hl7Code(components: readonly string[]): { code: Code; altCodes: Code[] } {
  const [id = '', text = '', system = '', altId = '', altText = '', altSystem = ''] = components.map((c) => c.trim());
  const make = (cid: string, ctext: string, csys: string): Code => {
    // no coding system → local, even when the code looks like a LOINC code
    const c: Code = { system: codeSystem(csys) ?? 'local', code: cid };
    if (ctext) c.display = ctext;
    return c;
  };
  const primary = id ? make(id, text, system) : make(text, '', system);
  const altCodes: Code[] = [];
  if (altId) altCodes.push(make(altId, altText, altSystem));
  return { code: primary, altCodes };
}

/** OBX-6 → unit string (UCUM where recognisable). */
export function hl7Unit(components: readonly string[]): string | undefined {
  const [id = '', text = '', system = ''] = components.map((c) => c.trim());
  if (!id && !text) return undefined;
  const sys = system.toUpperCase();
  if (sys === 'MDC' || /^MDC_DIM_/.test(text) || /^MDC_DIM_/.test(id)) {
    const ref = /^MDC_DIM_/.test(text) ? text : id;
    return MDC_UNITS[ref] ?? (text || id);
  }
  if (sys === 'UCUM' || sys === 'ISO+' || sys === 'ANSI') return id || text;
  if (text && (/^\d+$/.test(id) || id.includes(':'))) return text; // a local code with the unit as text
  return id || text;
}

function summaryOf(message: Hl7Message, offset: number): MessageSummary {
  const d = message.delimiters;
  const counts: Record<string, number> = {};
  for (const s of message.segments) counts[s.name] = (counts[s.name] ?? 0) + 1;
  const summary: MessageSummary = {
    kind: 'message',
    protocol: 'hl7',
    counts,
    complete: true,
    source: { protocol: 'hl7', offset },
  };
  const msh = message.segments[0];
  if (!msh) return summary;
  const hd = (n: number) =>
    hl7Components(msh, n, d)
      .map((c) => c.trim())
      .join(d.component)
      .replace(new RegExp(`\\${d.component}+$`), '');
  const sender = [hd(3), hd(4)].filter(Boolean).join('/');
  if (sender) summary.sender = sender;
  const receiver = [hd(5), hd(6)].filter(Boolean).join('/');
  if (receiver) summary.receiver = receiver;
  const type = hd(9);
  if (type) summary.messageType = type;
  const controlId = hl7Get(msh, 10, d).trim();
  if (controlId) summary.controlId = controlId;
  const processingId = hl7Get(msh, 11, d).trim();
  if (processingId) summary.processingId = processingId;
  const version = hl7Get(msh, 12, d).trim();
  if (version) summary.version = version;
  const ts = hl7TimeToIso(hl7Get(msh, 7, d));
  if (ts) summary.timestamp = ts;
  return summary;
}

const firstIds = (seg: Hl7Segment, n: number, d: Hl7Delimiters): string[] =>
  hl7Repetitions(seg, n, d)
    .map((_, rep) => hl7Get(seg, n, d, { rep }).trim())
    .filter((x) => x !== '' && x !== '""');

interface ObxContext {
  patientIds?: string[];
  sampleId?: string;
  obrTime?: string;
  mshTime?: string;
}

/** Items of one message: a summary, then one observation per OBX (one waveform per channel for NA/MA). */
export function hl7MessageToItems(
  message: Hl7Message,
  offsetOf: (index: number) => number,
): { items: DecodedItem[]; errors: DecodeError[] } {
  const d = message.delimiters;
  const items: DecodedItem[] = [summaryOf(message, offsetOf(0))];
  const errors: DecodeError[] = [];
  const ctx: ObxContext = {};
  const msh = message.segments[0];
  if (msh) ctx.mshTime = hl7TimeToIso(hl7Get(msh, 7, d));
  // OBX of the current OBR group, with the NTE comments that follow each; decoded when the group ends
  // (sample rates may be sent after the waveform they describe).
  const pending: { obx: Hl7Segment; comments: string[] }[] = [];

  const flushGroup = (): void => {
    const group = pending.map((p) => p.obx);
    for (const p of pending) {
      const out = obxToItems(p.obx, group, d, ctx, offsetOf);
      errors.push(...out.errors);
      for (const item of out.items) {
        if ((item.kind === 'numeric' || item.kind === 'text') && p.comments.length > 0) item.comments = [...p.comments];
        items.push(item);
      }
    }
    pending.length = 0;
  };

  for (const seg of message.segments) {
    switch (seg.name) {
      case 'PID': {
        flushGroup();
        const ids = [...firstIds(seg, 3, d), ...firstIds(seg, 2, d), ...firstIds(seg, 4, d)];
        ctx.patientIds = ids.length > 0 ? [...new Set(ids)] : undefined;
        ctx.sampleId = undefined;
        break;
      }
      case 'OBR': {
        flushGroup();
        const filler = hl7Get(seg, 3, d).trim();
        const placer = hl7Get(seg, 2, d).trim();
        ctx.sampleId = !hl7IsNull(filler) ? filler : !hl7IsNull(placer) ? placer : undefined;
        ctx.obrTime = hl7TimeToIso(hl7Get(seg, 7, d));
        break;
      }
      case 'SPM': {
        const spm = hl7Get(seg, 2, d).trim();
        if (!hl7IsNull(spm)) ctx.sampleId = spm;
        break;
      }
      case 'OBX':
        pending.push({ obx: seg, comments: [] });
        break;
      case 'NTE': {
        const last = pending[pending.length - 1];
        const text = hl7Repetitions(seg, 3, d)
          .map((_, rep) => hl7Components(seg, 3, d, rep).join(d.component))
          .join('\n')
          .trim();
        if (last && text) last.comments.push(text);
        break;
      }
      default:
        break;
    }
  }
  flushGroup();
  return { items, errors };
}

function sampleRateFor(obx: Hl7Segment, group: readonly Hl7Segment[], d: Hl7Delimiters): number | null {
  const subId = hl7Get(obx, 4, d).trim();
  const parent = subId.includes('.') ? subId.slice(0, subId.lastIndexOf('.')) : '';
  let best: number | null = null;
  for (const other of group) {
    if (other === obx) continue;
    const id = hl7Components(other, 3, d).join(' ').toUpperCase();
    if (!/SAMP(LE)?_?RATE|SAMPLE RATE|SAMPLING RATE/.test(id)) continue;
    const v = parseDecimal(hl7Get(other, 5, d));
    if (v === undefined || v <= 0) continue;
    const otherSub = hl7Get(other, 4, d).trim();
    if (otherSub === subId || (parent && otherSub.startsWith(parent))) return v;
    best ??= v;
  }
  return best;
}

function obxToItems(
  obx: Hl7Segment,
  group: readonly Hl7Segment[],
  d: Hl7Delimiters,
  ctx: ObxContext,
  offsetOf: (index: number) => number,
): { items: DecodedItem[]; errors: DecodeError[] } {
  const errors: DecodeError[] = [];
  const offset = offsetOf(obx.index);
  const setId = hl7Get(obx, 1, d).trim();
  const type = hl7Get(obx, 2, d).trim().toUpperCase();
  const { code, altCodes } = hl7Code(hl7Components(obx, 3, d));
  if (!code.code) errors.push({ offset, message: `OBX ${setId || '?'} has no observation identifier (OBX-3)` });
  const source = { protocol: 'hl7' as const, offset, ref: `OBX|${setId}` };

  const common: Omit<NumericObservation, 'kind' | 'value'> = { code };
  if (altCodes.length > 0) common.altCodes = altCodes;
  const unit = hl7Unit(hl7Components(obx, 6, d));
  if (unit && !hl7IsNull(hl7Field(obx, 6))) common.unit = unit;
  const range = hl7Get(obx, 7, d).trim();
  if (!hl7IsNull(range)) common.referenceRange = range;
  const flags = hl7Repetitions(obx, 8, d)
    .map((_, rep) => hl7Get(obx, 8, d, { rep }).trim())
    .filter((f) => !hl7IsNull(f));
  if (flags.length > 0) common.abnormalFlag = flags.join('~');
  const status = hl7Get(obx, 11, d).trim();
  if (!hl7IsNull(status)) common.status = status;
  const at = hl7TimeToIso(hl7Get(obx, 14, d)) ?? ctx.obrTime ?? ctx.mshTime;
  if (at) common.observedAt = at;
  if (ctx.patientIds) common.patientIds = [...ctx.patientIds];
  if (ctx.sampleId) common.sampleId = ctx.sampleId;
  common.source = source;

  const rawValue = hl7Field(obx, 5);
  const firstRep = hl7Components(obx, 5, d, 0);
  const whole = (hl7Repetitions(obx, 5, d)[0] ?? ['']).length > 1 ? firstRep.join(d.component) : (firstRep[0] ?? '');
  const text = (value: string): TextObservation => ({ kind: 'text', ...common, value });
  const numeric = (value: number, comparator?: NumericObservation['comparator']): NumericObservation => ({
    kind: 'numeric',
    ...common,
    value,
    ...(comparator ? { comparator } : {}),
  });

  if (rawValue === '""') return { items: [text('')], errors };

  switch (type) {
    case 'NM': {
      const v = parseDecimal(firstRep[0] ?? '');
      if (v !== undefined) return { items: [numeric(v)], errors };
      const t = (firstRep[0] ?? '').trim();
      if (t !== '') {
        const c = parseComparedNumber(t);
        if (c) return { items: [numeric(c.value, c.comparator)], errors };
        errors.push({ offset, message: `OBX ${setId}: NM value '${t}' is not a number` });
      }
      return { items: [text(t)], errors };
    }
    case 'SN': {
      const [cmp = '', n1 = '', sep = '', n2 = ''] = firstRep.map((c) => c.trim());
      const v1 = parseDecimal(n1);
      if (v1 !== undefined && sep === '' && n2 === '') {
        const comparator = (['<', '>', '<=', '>=', '=', '<>'] as const).find((c) => c === cmp);
        if (cmp !== '' && !comparator) errors.push({ offset, message: `OBX ${setId}: unknown SN comparator '${cmp}'` });
        return { items: [numeric(v1, comparator)], errors };
      }
      return { items: [text(`${cmp}${n1}${sep}${n2}`)], errors };
    }
    case 'NA':
    case 'MA':
      return waveformItems(obx, group, d, type, common, errors, offset, setId);
    case 'CE':
    case 'CWE':
    case 'CNE':
    case 'CF':
      return { items: [text((firstRep[1] || firstRep[0] || '').trim())], errors };
    default: {
      const c = parseComparedNumber(whole);
      if (
        c &&
        (type === 'ST' || type === 'TX' || type === 'FT' || type === '') &&
        hl7Repetitions(obx, 5, d).length === 1
      ) {
        return { items: [numeric(c.value, c.comparator)], errors };
      }
      // repetitions of a text value are lines (TX/FT) or alternatives: keep them all, one per line
      const all = hl7Repetitions(obx, 5, d).map((_, rep) => hl7Components(obx, 5, d, rep).join(d.component));
      return { items: [text(all.join('\n').trim())], errors };
    }
  }
}

function waveformItems(
  obx: Hl7Segment,
  group: readonly Hl7Segment[],
  d: Hl7Delimiters,
  type: 'NA' | 'MA',
  common: Omit<NumericObservation, 'kind' | 'value'>,
  errors: DecodeError[],
  offset: number,
  setId: string,
): { items: DecodedItem[]; errors: DecodeError[] } {
  const sampleRate = sampleRateFor(obx, group, d);
  const reps = hl7Repetitions(obx, 5, d);
  // NA: one repetition, components are samples. MA: repetitions are sample instants, components channels.
  const channels: number[][] = [];
  let bad = 0;
  const read = (s: string): number => {
    const v = parseDecimal(s);
    if (v === undefined) {
      bad++;
      return NaN;
    }
    return v;
  };
  if (type === 'NA') {
    channels.push(reps.flatMap((rep) => rep.filter((c) => c.trim() !== '').map(read)));
  } else {
    for (const rep of reps) {
      rep.forEach((c, ch) => {
        (channels[ch] ??= []).push(read(c));
      });
    }
  }
  if (bad > 0) errors.push({ offset, message: `OBX ${setId}: ${bad} ${type} sample(s) are not numbers` });
  const items: WaveformChunk[] = channels.map((samples, ch) => {
    const w: WaveformChunk = { kind: 'waveform', code: common.code, sampleRate, samples };
    if (common.altCodes) w.altCodes = common.altCodes;
    if (common.unit) w.unit = common.unit;
    if (type === 'MA') w.channel = ch + 1;
    if (common.observedAt) {
      w.observedAt = common.observedAt;
      w.t0 = common.observedAt;
    }
    if (common.patientIds) w.patientIds = common.patientIds;
    if (common.sampleId) w.sampleId = common.sampleId;
    if (common.source) w.source = common.source;
    return w;
  });
  return { items, errors };
}
