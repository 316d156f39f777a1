// Reader for PhysioNet WFDB records: the .hea header and format-212 (or 16) signal files, enough to stream the
// MIT-BIH Arrhythmia Database records through the ECG simulator. Records are read at run time from wherever they
// are; nothing is bundled.
//
// Header (WFDB "header(5)"): lines starting with '#' are comments, blank lines are skipped. Record line:
//   name[/segments] nsig [fs[/counterfreq][(base)]] [nsamp] [time] [date]
// Signal lines: file format[xN][:skew][+offset] gain[(baseline)][/units] adcres adczero initval checksum
//   blocksize description…
// Format 212: two 12-bit two's-complement samples in three bytes: s0 = byte0 | (byte1 & 0x0F) << 8,
// s1 = byte2 | (byte1 & 0xF0) << 4. Samples of all signals are interleaved frame by frame.
// The checksum field is the 16-bit sum of all samples of a signal; initval its first sample.
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export interface WfdbSignal {
  fileName: string;
  format: number;
  /** ADC units per physical unit (WFDB default 200 when the header says 0 or nothing). */
  gain: number;
  baseline: number;
  units: string;
  adcResolution: number;
  adcZero: number;
  initialValue?: number;
  checksum?: number;
  description: string;
}

export interface WfdbHeader {
  recordName: string;
  samplingFrequency: number;
  nSamples?: number;
  signals: WfdbSignal[];
  comments: string[];
}

export interface WfdbRecord {
  header: WfdbHeader;
  /** One array per signal, in ADC units. */
  samples: Int16Array[];
}

const num = (s: string | undefined, what: string): number => {
  const v = Number(s);
  if (s === undefined || s === '' || !Number.isFinite(v)) throw new Error(`WFDB header: bad ${what} '${s ?? ''}'`);
  return v;
};

export function parseWfdbHeader(text: string): WfdbHeader {
  const comments: string[] = [];
  const lines: string[] = [];
  for (const raw of text.split(/\r\n|\r|\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) comments.push(line.slice(1).trim());
    else lines.push(line);
  }
  const record = (lines[0] ?? '').split(/\s+/);
  if (record.length < 2) throw new Error('WFDB header: no record line');
  const [name = '', nsigText, fsText, nsampText] = record;
  if (name.includes('/')) throw new Error('WFDB header: multi-segment records are not supported');
  const nsig = num(nsigText, 'signal count');
  const fs = fsText === undefined ? 250 : num(/^[\d.]+/.exec(fsText)?.[0], 'sampling frequency');
  const signals: WfdbSignal[] = [];
  for (let i = 1; i <= nsig; i++) {
    const f = (lines[i] ?? '').split(/\s+/);
    if (f.length < 2) throw new Error(`WFDB header: signal line ${i} missing`);
    const format = num(/^\d+/.exec(f[1] ?? '')?.[0], 'format');
    const adcZero = f[4] === undefined ? 0 : num(f[4], 'ADC zero');
    const g = /^([-+\d.eE]+)(?:\(([-+\d]+)\))?(?:\/(\S+))?$/.exec(f[2] ?? '');
    const gainValue = g ? Number(g[1]) : 0;
    const signal: WfdbSignal = {
      fileName: f[0] as string,
      format,
      gain: gainValue > 0 ? gainValue : 200,
      baseline: g?.[2] !== undefined ? Number(g[2]) : adcZero,
      units: g?.[3] ?? 'mV',
      adcResolution: f[3] === undefined ? 12 : num(f[3], 'ADC resolution'),
      adcZero,
      description: f.slice(8).join(' '),
    };
    if (f[5] !== undefined) signal.initialValue = num(f[5], 'initial value');
    if (f[6] !== undefined) signal.checksum = num(f[6], 'checksum');
    signals.push(signal);
  }
  const header: WfdbHeader = { recordName: name, samplingFrequency: fs, signals, comments };
  if (nsampText !== undefined) header.nSamples = num(nsampText, 'sample count');
  return header;
}

/** Decodes format 212 into one array per signal (frames of `nSignals` interleaved samples). */
export function decodeFormat212(bytes: Uint8Array, nSignals: number, maxFrames = Infinity): Int16Array[] {
  const totalSamples = Math.floor((bytes.length * 2) / 3);
  const frames = Math.min(Math.floor(totalSamples / nSignals), maxFrames);
  const out = Array.from({ length: nSignals }, () => new Int16Array(frames));
  const twelve = (v: number) => (v & 0x800 ? v - 0x1000 : v);
  for (let k = 0; k < frames * nSignals; k++) {
    const at = Math.floor(k / 2) * 3;
    const b1 = bytes[at + 1] as number;
    const v = k % 2 === 0 ? (bytes[at] as number) | ((b1 & 0x0f) << 8) : (bytes[at + 2] as number) | ((b1 & 0xf0) << 4);
    (out[k % nSignals] as Int16Array)[Math.floor(k / nSignals)] = twelve(v);
  }
  return out;
}

/** Decodes format 16 (little-endian int16, interleaved). */
export function decodeFormat16(bytes: Uint8Array, nSignals: number, maxFrames = Infinity): Int16Array[] {
  const frames = Math.min(Math.floor(bytes.length / 2 / nSignals), maxFrames);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = Array.from({ length: nSignals }, () => new Int16Array(frames));
  for (let f = 0; f < frames; f++) {
    for (let s = 0; s < nSignals; s++) (out[s] as Int16Array)[f] = view.getInt16((f * nSignals + s) * 2, true);
  }
  return out;
}

/** WFDB checksum: the sum of all samples, as a signed 16-bit number. */
export function wfdbChecksum(samples: Int16Array): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum = (sum + (samples[i] as number)) & 0xffff;
  return sum & 0x8000 ? sum - 0x10000 : sum;
}

/** Reads a record given its .hea path. All signals must share one .dat file (true of MIT-BIH). */
export async function readWfdbRecord(headerPath: string, options: { maxSamples?: number } = {}): Promise<WfdbRecord> {
  const header = parseWfdbHeader(await readFile(headerPath, 'latin1'));
  const files = new Set(header.signals.map((s) => s.fileName));
  const formats = new Set(header.signals.map((s) => s.format));
  if (files.size !== 1 || formats.size !== 1) {
    throw new Error(`${headerPath}: signals in several files or formats are not supported`);
  }
  const [file] = [...files] as [string];
  const [format] = [...formats] as [number];
  const bytes = new Uint8Array(await readFile(path.join(path.dirname(headerPath), file)));
  const n = header.signals.length;
  let samples: Int16Array[];
  if (format === 212) samples = decodeFormat212(bytes, n, options.maxSamples);
  else if (format === 16) samples = decodeFormat16(bytes, n, options.maxSamples);
  else throw new Error(`${headerPath}: WFDB format ${format} is not supported (212 and 16 are)`);
  return { header, samples };
}
