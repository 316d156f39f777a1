// Decoder throughput per device protocol, as a multiple of that protocol's maximum line rate (target >= 100x).
//
// Line rate = baud / bits per character, from the protocol's built-in profile (start bit + data bits + parity bit
// + stop bits): the most bytes a device on that line can ever send in a second. Each protocol is decoded two ways:
// - live: the inbound pipeline a DeviceSession runs (framer, parser, link replies, store hand-off to a sink that
//   resolves at once), fed in 256-byte reads as a serial port delivers them;
// - capture: decodeCapture (framer + parser over a whole capture file), as `sijill decode` runs.
// The input is what the simulators send (many distinct messages/packets/lines), generated before timing. The best
// of three timed passes counts, after one warm-up pass.
import { performance } from 'node:perf_hooks';
import {
  astmCbcRecords,
  CAPTURE_PROTOCOLS,
  cms50dSource,
  createInboundPipeline,
  decodeCapture,
  defaultProfileFor,
  ecgSource,
  encodeAstmRecords,
  ENQ,
  EOT,
  hl7VitalsMessage,
  masimoSource,
  mllpWrap,
  noninSource,
  type CaptureProtocol,
  type LineSettings,
  type PipelineIo,
} from '../device-bridge';

export const DECODER_TARGET_MULTIPLE = 100;

export interface DecoderThroughput {
  protocol: CaptureProtocol;
  profileId: string;
  line: string;
  bytes: number;
  /** Bytes per second the line can carry at most. */
  lineRate: number;
  liveBytesPerSec: number;
  captureBytesPerSec: number;
  liveMultiple: number;
  captureMultiple: number;
}

export function bitsPerCharacter(line: LineSettings): number {
  return 1 + line.dataBits + (line.parity === 'none' ? 0 : 1) + line.stopBits;
}

const lineText = (l: LineSettings) => `${l.baudRate} ${l.dataBits}${l.parity[0]!.toUpperCase()}${l.stopBits}`;

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** At least `size` bytes of what the protocol's simulator sends, as distinct messages/packets/lines. */
export function deviceStream(protocol: CaptureProtocol, size: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  const t0 = Date.parse('2026-05-05T10:21:33Z');
  const sources = { cms50d: cms50dSource(), nonin: noninSource(), masimo: masimoSource(), ecg: ecgSource() };
  for (let n = 1; total < size; n++) {
    let p: Uint8Array;
    switch (protocol) {
      case 'astm': {
        // one analyser session per result message: ENQ, frames (ACK-paced on a real line), EOT
        const { frames } = encodeAstmRecords(astmCbcRecords(n, new Date(t0 + n * 60_000)).map(ascii));
        p = concat([Uint8Array.of(ENQ), ...frames, Uint8Array.of(EOT)]);
        break;
      }
      case 'hl7':
        p = mllpWrap(hl7VitalsMessage(n, new Date(t0 + n * 60_000)));
        break;
      default:
        p = sources[protocol].packet(n);
    }
    parts.push(p);
    total += p.length;
  }
  return concat(parts);
}

const quietIo: PipelineIo = {
  write: () => {},
  store: () => Promise.resolve(),
  deliver: () => {},
  error: () => {},
  progress: () => {},
  duplicate: () => {},
};

async function timeLive(protocol: CaptureProtocol, bytes: Uint8Array): Promise<number> {
  const pipeline = createInboundPipeline(protocol, quietIo, defaultProfileFor(protocol).pipeline);
  const t = performance.now();
  for (let o = 0; o < bytes.length; o += 256) await pipeline.push(bytes.subarray(o, o + 256), Date.now());
  await pipeline.endConnection(Date.now());
  return (performance.now() - t) / 1000;
}

function timeCapture(protocol: CaptureProtocol, bytes: Uint8Array): number {
  const t = performance.now();
  const result = decodeCapture(protocol, bytes);
  const seconds = (performance.now() - t) / 1000;
  if (result.items.length === 0) throw new Error(`${protocol}: the benchmark stream decoded to nothing`);
  return seconds;
}

/** Decodes about `bytesPerProtocol` bytes of each protocol; the best of three passes after a warm-up. */
export async function benchDeviceDecoders(bytesPerProtocol: number): Promise<DecoderThroughput[]> {
  const rows: DecoderThroughput[] = [];
  for (const protocol of CAPTURE_PROTOCOLS) {
    const profile = defaultProfileFor(protocol);
    const bytes = deviceStream(protocol, bytesPerProtocol);
    const warm = bytes.subarray(0, Math.min(bytes.length, 64 * 1024));
    await timeLive(protocol, warm);
    timeCapture(protocol, warm);
    let live = Infinity;
    let capture = Infinity;
    for (let pass = 0; pass < 3; pass++) {
      live = Math.min(live, await timeLive(protocol, bytes));
      capture = Math.min(capture, timeCapture(protocol, bytes));
    }
    const lineRate = profile.line.baudRate / bitsPerCharacter(profile.line);
    const liveBytesPerSec = bytes.length / live;
    const captureBytesPerSec = bytes.length / capture;
    rows.push({
      protocol,
      profileId: profile.id,
      line: lineText(profile.line),
      bytes: bytes.length,
      lineRate,
      liveBytesPerSec,
      captureBytesPerSec,
      liveMultiple: liveBytesPerSec / lineRate,
      captureMultiple: captureBytesPerSec / lineRate,
    });
  }
  return rows;
}

export function formatDeviceDecoders(rows: readonly DecoderThroughput[]): string[] {
  const fmt = (bps: number) => (bps >= 1e6 ? `${(bps / 1e6).toFixed(1)} MB/s` : `${(bps / 1e3).toFixed(0)} kB/s`);
  const lines = rows.map(
    (r) =>
      `decoder ${r.protocol.padEnd(6)} (${r.line}, line rate ${r.lineRate.toFixed(0)} B/s): ` +
      `live pipeline ${fmt(r.liveBytesPerSec)} = ${r.liveMultiple.toFixed(0)}x, ` +
      `capture decoder ${fmt(r.captureBytesPerSec)} = ${r.captureMultiple.toFixed(0)}x line rate ` +
      `(target >= ${DECODER_TARGET_MULTIPLE}x) ${Math.min(r.liveMultiple, r.captureMultiple) >= DECODER_TARGET_MULTIPLE ? 'ok' : 'BELOW TARGET'}`,
  );
  const worst = rows.reduce((a, b) =>
    Math.min(a.liveMultiple, a.captureMultiple) <= Math.min(b.liveMultiple, b.captureMultiple) ? a : b,
  );
  lines.push(
    `decoder throughput, worst protocol: ${worst.protocol} at ${Math.min(worst.liveMultiple, worst.captureMultiple).toFixed(0)}x its line rate (target >= ${DECODER_TARGET_MULTIPLE}x)`,
  );
  return lines;
}
