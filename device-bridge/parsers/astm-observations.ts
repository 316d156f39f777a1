// ASTM E1394 message → typed observations.
//
// Fields used (E1394 numbering, field 1 = record type):
//   H: 3 message control id, 5 sender name/id, 10 receiver id, 12 processing id, 13 version, 14 date-time
//   P: 3 practice-assigned patient id, 4 laboratory-assigned patient id, 5 patient id no. 3
//   O: 3 specimen id, 4 instrument specimen id
//   R: 2 sequence, 3 universal test id (^^^manufacturer code…), 4 value, 5 units, 6 reference range,
//      7 abnormal flag, 9 result status, 12 date-time test started, 13 date-time test completed
//   C: 4 comment text (attached to the R record it follows)
import { isLoincCode } from '../codes';
import type { Code, DecodeError, DecodedItem, MessageSummary, NumericObservation, TextObservation } from '../types';
import { parseComparedNumber, parseDecimal } from '../util/text';
import { hl7TimeToIso } from '../util/time';
import { astmComponents, astmRepeats, astmText, type AstmMessage, type AstmRecord } from './astm-records';

const firstNonEmpty = (xs: readonly string[]): string | undefined => xs.map((x) => x.trim()).find((x) => x !== '');

/** Code of an R record's universal test id: the manufacturer's code (component 4 on), else component 1. */
export function astmTestCode(components: readonly string[]): { code: Code; altCodes: Code[] } {
  const trimmed = components.map((c) => c.trim());
  const manufacturerIndex = trimmed.findIndex((c, i) => i >= 3 && c !== '');
  const universal = trimmed[0] ?? '';
  const display = trimmed[1] || undefined;
  let code: Code;
  let chosen: number;
  if (manufacturerIndex >= 0) {
    code = { system: 'local', code: trimmed[manufacturerIndex] as string };
    chosen = manufacturerIndex;
  } else {
    code = { system: isLoincCode(universal) ? 'LOINC' : 'local', code: universal };
    chosen = 0;
  }
  if (display) code.display = display;
  const altCodes: Code[] = [];
  trimmed.forEach((c, i) => {
    if (i !== chosen && i !== 1 && isLoincCode(c)) altCodes.push({ system: 'LOINC', code: c });
  });
  return { code, altCodes };
}

function referenceRange(record: AstmRecord): string | undefined {
  const comps = astmComponents(record, 6).map((c) => c.trim());
  if (
    comps.length === 2 &&
    parseDecimal(comps[0] as string) !== undefined &&
    parseDecimal(comps[1] as string) !== undefined
  ) {
    return `${comps[0]}-${comps[1]}`;
  }
  return astmText(record, 6).trim() || undefined;
}

function resultValue(record: AstmRecord): string {
  const repeats = astmRepeats(record, 4);
  const first = repeats[0] ?? [''];
  if (repeats.length === 1 && first.length > 1) {
    // value sent in a component (e.g. '^^5.3'): use the first non-empty one
    return firstNonEmpty(first) ?? '';
  }
  return astmText(record, 4).trim();
}

function summaryOf(message: AstmMessage): MessageSummary {
  const counts: Record<string, number> = {};
  for (const r of message.records) counts[r.type] = (counts[r.type] ?? 0) + 1;
  const summary: MessageSummary = {
    kind: 'message',
    protocol: 'astm',
    counts,
    complete: message.complete,
    source: { protocol: 'astm', offset: message.offset },
  };
  const h = message.records[0]?.type === 'H' ? message.records[0] : undefined;
  if (h) {
    const sender = astmComponents(h, 5)
      .map((c) => c.trim())
      .join('^')
      .replace(/\^+$/, '');
    if (sender) summary.sender = sender;
    const receiver = astmText(h, 10).trim();
    if (receiver) summary.receiver = receiver;
    const controlId = astmText(h, 3).trim();
    if (controlId) summary.controlId = controlId;
    const processingId = astmText(h, 12).trim();
    if (processingId) summary.processingId = processingId;
    const version = astmText(h, 13).trim();
    if (version) summary.version = version;
    const ts = hl7TimeToIso(astmText(h, 14));
    if (ts) summary.timestamp = ts;
  }
  return summary;
}

/** Observations (one per R record, C records attached as comments) and a message summary. */
export function astmMessageToItems(message: AstmMessage): { items: DecodedItem[]; errors: DecodeError[] } {
  const items: DecodedItem[] = [summaryOf(message)];
  const errors: DecodeError[] = [];
  let patientIds: string[] | undefined;
  let sampleId: string | undefined;
  let lastResult: NumericObservation | TextObservation | undefined;

  for (const record of message.records) {
    switch (record.type) {
      case 'P': {
        const ids = [3, 4, 5]
          .map((n) => firstNonEmpty(astmComponents(record, n)))
          .filter((x): x is string => x !== undefined);
        patientIds = ids.length > 0 ? [...new Set(ids)] : undefined;
        sampleId = undefined;
        lastResult = undefined;
        break;
      }
      case 'O':
        sampleId = firstNonEmpty(astmComponents(record, 3)) ?? firstNonEmpty(astmComponents(record, 4));
        lastResult = undefined;
        break;
      case 'R': {
        const seq = astmText(record, 2).trim();
        const testId = astmComponents(record, 3);
        const { code, altCodes } = astmTestCode(testId);
        if (code.code === '') errors.push({ offset: record.offset, message: `R record ${seq || '?'} has no test id` });
        const valueText = resultValue(record);
        const parsed = parseComparedNumber(valueText);
        const base = {
          code,
          ...(altCodes.length > 0 ? { altCodes } : {}),
          testId,
        };
        const obs: NumericObservation | TextObservation = parsed
          ? {
              kind: 'numeric',
              ...base,
              value: parsed.value,
              ...(parsed.comparator ? { comparator: parsed.comparator } : {}),
            }
          : { kind: 'text', ...base, value: valueText };
        const unit = astmText(record, 5).trim();
        if (unit) obs.unit = unit;
        const range = referenceRange(record);
        if (range) obs.referenceRange = range;
        const flag = astmText(record, 7).trim();
        if (flag) obs.abnormalFlag = flag;
        const status = astmText(record, 9).trim();
        if (status) obs.status = status;
        const at = hl7TimeToIso(astmText(record, 13)) ?? hl7TimeToIso(astmText(record, 12));
        if (at) obs.observedAt = at;
        if (patientIds) obs.patientIds = [...patientIds];
        if (sampleId) obs.sampleId = sampleId;
        obs.source = { protocol: 'astm', offset: record.offset, ref: `R|${seq}` };
        items.push(obs);
        lastResult = obs;
        break;
      }
      case 'C': {
        const text = astmText(record, 4).trim();
        if (lastResult && text) (lastResult.comments ??= []).push(text);
        break;
      }
      default:
        break;
    }
  }
  return { items, errors };
}
