// decodeCapture: a whole capture file of one protocol → decoded items and located errors. Never throws.
// Backs `sijill device decode --protocol P FILE` (one JSON object per item on stdout, errors on stderr).
import { AstmLinkReceiver, ENQ, STX } from './framers/astm-link';
import { Cms50dFramer } from './framers/cms50d';
import { EcgStreamFramer } from './framers/ecg-stream';
import { LineFramer } from './framers/lines';
import { MllpFramer, VT } from './framers/mllp';
import { NoninFramer, NONIN_FRAMES_PER_PACKET } from './framers/nonin7';
import { astmMessageToItems } from './parsers/astm-observations';
import { AstmMessageAssembler, type AstmMessage } from './parsers/astm-records';
import { ecgFrameToItems } from './parsers/ecg';
import { parseHl7 } from './parsers/hl7';
import { hl7MessageToItems } from './parsers/hl7-oru';
import { parseMasimoLine } from './parsers/masimo';
import { Cms50dAggregator, noninPacketToItems } from './parsers/oximeters';
import type { CaptureProtocol, DecodeError, DecodedItem } from './types';
import { byteOffsetOf, decodeText, latin1 } from './util/text';

export const CAPTURE_PROTOCOLS: readonly CaptureProtocol[] = ['astm', 'hl7', 'cms50d', 'nonin', 'masimo', 'ecg'];

export interface DecodeResult {
  items: DecodedItem[];
  errors: DecodeError[];
}

export function isCaptureProtocol(p: string): p is CaptureProtocol {
  return (CAPTURE_PROTOCOLS as readonly string[]).includes(p);
}

/** Decodes a capture. Errors carry absolute byte offsets; they are sorted by offset. */
export function decodeCapture(protocol: CaptureProtocol, bytes: Uint8Array): DecodeResult {
  const out: DecodeResult = { items: [], errors: [] };
  try {
    switch (protocol) {
      case 'astm':
        decodeAstm(bytes, out);
        break;
      case 'hl7':
        decodeHl7(bytes, out);
        break;
      case 'cms50d':
        decodeCms50d(bytes, out);
        break;
      case 'nonin':
        decodeNonin(bytes, out);
        break;
      case 'masimo':
        decodeMasimo(bytes, out);
        break;
      case 'ecg':
        decodeEcg(bytes, out);
        break;
      default:
        out.errors.push({
          offset: 0,
          message: `unknown protocol '${String(protocol)}' (expected ${CAPTURE_PROTOCOLS.join(', ')})`,
        });
    }
  } catch (e) {
    out.errors.push({ offset: 0, message: `internal decoder error: ${e instanceof Error ? e.message : String(e)}` });
  }
  out.errors.sort((a, b) => a.offset - b.offset);
  return out;
}

/** A JSON-ready copy of an item (typed arrays become plain arrays). */
export function itemToJson(item: DecodedItem): unknown {
  if (item.kind === 'waveform' && !Array.isArray(item.samples)) return { ...item, samples: Array.from(item.samples) };
  return item;
}

function decodeAstm(bytes: Uint8Array, out: DecodeResult): void {
  const assembler = new AstmMessageAssembler();
  const take = (r: { messages: AstmMessage[]; errors: DecodeError[] }) => {
    out.errors.push(...r.errors);
    for (const m of r.messages) {
      const o = astmMessageToItems(m);
      out.items.push(...o.items);
      out.errors.push(...o.errors);
    }
  };

  if (!bytes.includes(STX) && !bytes.includes(ENQ)) {
    // records without the E1381 link layer (e.g. ASTM over TCP, or a saved message)
    const dec = decodeText(bytes);
    take(assembler.push(dec.text, (i) => byteOffsetOf(dec, i)));
  } else {
    const rx = new AstmLinkReceiver({ lenient: true, capture: true });
    const frames: { offset: number; length: number }[] = [];
    for (const ev of [...rx.push(bytes), ...rx.finish()]) {
      if (ev.type === 'error') out.errors.push({ offset: ev.offset, message: ev.message });
      else if (ev.type === 'frame') frames.push({ offset: ev.offset, length: ev.bytes.length });
      else if (ev.type === 'message') {
        // map a char index of the joined message back to the byte in its frame (after STX and FN)
        const own = frames.splice(0).slice(-ev.frames);
        const dec = decodeText(ev.bytes);
        const offsetOf = (i: number) => {
          let at = byteOffsetOf(dec, i);
          for (const f of own) {
            if (at < f.length) return f.offset + 2 + at;
            at -= f.length;
          }
          return ev.offset;
        };
        take(assembler.push(dec.text, offsetOf));
      }
    }
  }
  take(assembler.finish());
}

const BATCH_SEGMENTS = /^(FHS|BHS|BTS|FTS)/;

function decodeHl7Message(bytes: Uint8Array, offset: number, out: DecodeResult): void {
  const dec = decodeText(bytes);
  const at = (i: number) => offset + byteOffsetOf(dec, i);
  const parsed = parseHl7(dec.text);
  for (const e of parsed.errors) out.errors.push({ offset: at(e.index), message: e.message });
  if (!parsed.message) return;
  const r = hl7MessageToItems(parsed.message, at);
  out.items.push(...r.items);
  out.errors.push(...r.errors);
}

function decodeHl7(bytes: Uint8Array, out: DecodeResult): void {
  if (bytes.includes(VT)) {
    const framer = new MllpFramer();
    for (const ev of [...framer.push(bytes), ...framer.finish()]) {
      if (ev.type === 'error') out.errors.push({ offset: ev.offset, message: ev.message });
      else decodeHl7Message(ev.bytes, ev.offset + 1, out);
    }
    return;
  }
  // bare file: segments separated by CR/LF, a message starts at each MSH
  const lines: { start: number; end: number }[] = [];
  let s = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0; // UTF-8 BOM
  for (let i = s; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0d || bytes[i] === 0x0a) {
      if (bytes.subarray(s, i).some((b) => b > 0x20)) lines.push({ start: s, end: i });
      s = i + 1;
    }
  }
  let group: { start: number; end: number } | undefined;
  const flush = () => {
    if (group) decodeHl7Message(bytes.subarray(group.start, group.end), group.start, out);
    group = undefined;
  };
  let reportedStray = false;
  for (const line of lines) {
    const head = latin1(bytes, line.start, Math.min(line.end, line.start + 3));
    if (BATCH_SEGMENTS.test(head)) {
      flush();
    } else if (head === 'MSH') {
      flush();
      group = { start: line.start, end: line.end };
    } else if (group) {
      group.end = line.end;
    } else if (!reportedStray) {
      out.errors.push({ offset: line.start, message: 'HL7 segments before the first MSH (skipped)' });
      reportedStray = true;
    }
  }
  flush();
}

function decodeCms50d(bytes: Uint8Array, out: DecodeResult): void {
  const framer = new Cms50dFramer();
  const agg = new Cms50dAggregator();
  for (const ev of [...framer.push(bytes), ...framer.finish()]) {
    if (ev.type === 'error') out.errors.push({ offset: ev.offset, message: ev.message });
    else out.items.push(...agg.push(ev.packet));
  }
  out.items.push(...agg.flush());
}

function decodeNonin(bytes: Uint8Array, out: DecodeResult): void {
  const framer = new NoninFramer();
  let sample = 0;
  for (const ev of [...framer.push(bytes), ...framer.finish()]) {
    if (ev.type === 'error') out.errors.push({ offset: ev.offset, message: ev.message });
    else if (ev.type === 'packet') {
      out.items.push(...noninPacketToItems(ev.packet, sample));
      sample += NONIN_FRAMES_PER_PACKET;
    }
  }
}

function decodeMasimo(bytes: Uint8Array, out: DecodeResult): void {
  const framer = new LineFramer();
  for (const ev of [...framer.push(bytes), ...framer.finish()]) {
    if (ev.type === 'error') out.errors.push({ offset: ev.offset, message: ev.message });
    else {
      const r = parseMasimoLine(ev.text, ev.offset);
      out.items.push(...r.items);
      out.errors.push(...r.errors);
    }
  }
}

function decodeEcg(bytes: Uint8Array, out: DecodeResult): void {
  const framer = new EcgStreamFramer();
  for (const ev of [...framer.push(bytes), ...framer.finish()]) {
    switch (ev.type) {
      case 'error':
        out.errors.push({ offset: ev.offset, message: ev.message });
        break;
      case 'gap':
        out.errors.push({
          offset: ev.offset,
          message: `sequence gap: expected ${ev.expected}, received ${ev.received} (${ev.missing} frame(s) missing)`,
        });
        break;
      case 'duplicate':
        out.errors.push({ offset: ev.offset, message: `duplicate frame (sequence ${ev.sequence}) dropped` });
        break;
      case 'frame':
        out.items.push(...ecgFrameToItems(ev.frame));
        break;
    }
  }
}
