// Sijill raw ECG sample stream v1: constants, header parsing and the encoder. Format: ./ecg-stream.md.
import { crc32Ieee } from '../util/crc';

export const ECG_SYNC0 = 0xa5;
export const ECG_SYNC1 = 0x5a;
export const ECG_VERSION = 1;
export const ECG_HEADER_BYTES = 13;
export const ECG_CRC_BYTES = 4;
export const ECG_MAX_CHANNELS = 16;
export const ECG_MAX_SAMPLES = 4096;
export const ECG_MAX_FRAME_BYTES = ECG_HEADER_BYTES + ECG_MAX_SAMPLES * 2 + ECG_CRC_BYTES;

export const ECG_FLAG_LEAD_OFF = 0x01;
export const ECG_FLAG_SATURATED = 0x02;

export interface EcgFrameHeader {
  version: number;
  flags: number;
  sequence: number;
  sampleRate: number;
  /** Nanovolts per ADC count; 0 = uncalibrated. */
  scaleNv: number;
  channels: number;
  samplesPerChannel: number;
}

export interface EcgFrame extends EcgFrameHeader {
  offset: number;
  leadOff: boolean;
  saturated: boolean;
  /** One Int16Array per channel. */
  channelSamples: Int16Array[];
}

/** Reads and checks a header at `at`; returns an error message when it cannot be a v1 frame. */
export function readEcgHeader(bytes: Uint8Array, at = 0): EcgFrameHeader | string {
  if (bytes.length - at < ECG_HEADER_BYTES) return 'header truncated';
  if (bytes[at] !== ECG_SYNC0 || bytes[at + 1] !== ECG_SYNC1) return 'no sync word';
  const u16 = (o: number) => (bytes[at + o] as number) | ((bytes[at + o + 1] as number) << 8);
  const h: EcgFrameHeader = {
    version: bytes[at + 2] as number,
    flags: bytes[at + 3] as number,
    sequence: u16(4),
    sampleRate: u16(6),
    scaleNv: u16(8),
    channels: bytes[at + 10] as number,
    samplesPerChannel: u16(11),
  };
  if (h.version !== ECG_VERSION) return `unsupported version ${h.version}`;
  if (h.sampleRate === 0) return 'sample rate 0';
  if (h.channels < 1 || h.channels > ECG_MAX_CHANNELS)
    return `channel count ${h.channels} out of 1..${ECG_MAX_CHANNELS}`;
  if (h.samplesPerChannel < 1) return 'sample count 0';
  if (h.channels * h.samplesPerChannel > ECG_MAX_SAMPLES) {
    return `${h.channels * h.samplesPerChannel} samples in one frame (max ${ECG_MAX_SAMPLES})`;
  }
  return h;
}

export function ecgFrameBytes(h: EcgFrameHeader): number {
  return ECG_HEADER_BYTES + h.channels * h.samplesPerChannel * 2 + ECG_CRC_BYTES;
}

export interface EcgFrameInput {
  sequence: number;
  sampleRate: number;
  /** One array per channel, all the same length. */
  channels: readonly (ArrayLike<number> & Iterable<number>)[];
  scaleNv?: number;
  leadOff?: boolean;
  saturated?: boolean;
}

/** Encodes one frame. Throws RangeError for values the format cannot carry. */
export function encodeEcgFrame(input: EcgFrameInput): Uint8Array {
  const nCh = input.channels.length;
  const n = input.channels[0]?.length ?? 0;
  if (nCh < 1 || nCh > ECG_MAX_CHANNELS) throw new RangeError(`channels must be 1..${ECG_MAX_CHANNELS}`);
  if (n < 1 || input.channels.some((c) => c.length !== n))
    throw new RangeError('every channel needs the same, non-zero sample count');
  if (nCh * n > ECG_MAX_SAMPLES) throw new RangeError(`at most ${ECG_MAX_SAMPLES} samples per frame`);
  const u16 = (v: number, what: string) => {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`${what} must be an integer 0..65535`);
    return v;
  };
  const seq = u16(input.sequence, 'sequence');
  const rate = u16(input.sampleRate, 'sampleRate');
  if (rate === 0) throw new RangeError('sampleRate must be > 0');
  const scale = u16(input.scaleNv ?? 0, 'scaleNv');
  const total = ECG_HEADER_BYTES + nCh * n * 2 + ECG_CRC_BYTES;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out[0] = ECG_SYNC0;
  out[1] = ECG_SYNC1;
  out[2] = ECG_VERSION;
  out[3] = (input.leadOff ? ECG_FLAG_LEAD_OFF : 0) | (input.saturated ? ECG_FLAG_SATURATED : 0);
  view.setUint16(4, seq, true);
  view.setUint16(6, rate, true);
  view.setUint16(8, scale, true);
  out[10] = nCh;
  view.setUint16(11, n, true);
  let o = ECG_HEADER_BYTES;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < nCh; c++) {
      const v = (input.channels[c] as ArrayLike<number>)[i] as number;
      if (!Number.isInteger(v) || v < -32768 || v > 32767) throw new RangeError(`sample ${v} is not an int16`);
      view.setInt16(o, v, true);
      o += 2;
    }
  }
  view.setUint32(o, crc32Ieee(out, 0, o), true);
  return out;
}

/** Decodes a complete, CRC-checked frame starting at `at` (header already validated). */
export function decodeEcgPayload(bytes: Uint8Array, at: number, h: EcgFrameHeader, offset: number): EcgFrame {
  const view = new DataView(bytes.buffer, bytes.byteOffset + at);
  const channelSamples = Array.from({ length: h.channels }, () => new Int16Array(h.samplesPerChannel));
  let o = ECG_HEADER_BYTES;
  for (let i = 0; i < h.samplesPerChannel; i++) {
    for (let c = 0; c < h.channels; c++) {
      (channelSamples[c] as Int16Array)[i] = view.getInt16(o, true);
      o += 2;
    }
  }
  return {
    ...h,
    offset,
    leadOff: (h.flags & ECG_FLAG_LEAD_OFF) !== 0,
    saturated: (h.flags & ECG_FLAG_SATURATED) !== 0,
    channelSamples,
  };
}
