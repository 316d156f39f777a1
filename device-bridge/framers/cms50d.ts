// Contec CMS50D+ live data: 5-byte packets, 60 per second (19200 baud 8O1 on the CP210x cable).
//
// Layout implemented (bit 7 of every byte is the sync bit: 1 in byte 1, 0 in bytes 2-5):
//   byte 1: bit 7 = 1 (sync)
//           bit 6 = pulse beep (set on the sample where the pulse sound is triggered)
//           bit 5 = "SpO2 decrease" / dropping SpO2
//           bit 4 = searching too long (no pulse found for a long time; reported by atbrask as "finger out")
//           bits 3-0 = signal strength (0-8)
//   byte 2: bit 7 = 0; bits 6-0 = plethysmogram sample (0..100)
//   byte 3: bit 7 = 0; bit 6 = bit 7 of the pulse rate; bit 5 = searching for pulse;
//           bit 4 = sensor error / probe off; bits 3-0 = bar graph (pulse intensity)
//   byte 4: bit 7 = 0; bits 6-0 = pulse rate bits 6-0 (so pulse = (byte3 bit 6) << 7 | byte4)
//   byte 5: bit 7 = 0; bits 6-0 = SpO2 %
//   Invalid values: pulse rate 255 (0xFF), SpO2 127 (0x7F); SpO2 above 100 is treated as invalid too.
// Sources: the Contec "communication protocol" manual as translated on the picbasic.co.uk forum
// (thread 11311, "How to receive stream of bytes using PIC USART": byte-by-byte bit table above), and
// atbrask/CMS50Dplus (cms50dplus.py, LiveDataPoint), which reads the same layout from a CMS50D+ (it names
// byte 1 bit 4 "finger out" and bit 5 "dropping SpO2", byte 3 bit 4 "probe error").
import type { FramerError } from '../types';

export interface Cms50dPacket {
  offset: number;
  signalStrength: number;
  searchingTooLong: boolean;
  spo2Dropping: boolean;
  pulseBeep: boolean;
  pleth: number;
  barGraph: number;
  sensorError: boolean;
  searchingPulse: boolean;
  /** null when the device sent the invalid marker (255). */
  pulseRate: number | null;
  /** null when the device sent the invalid marker (127) or a value above 100. */
  spo2: number | null;
  /** Raw values as sent, for logging. */
  rawPulseRate: number;
  rawSpo2: number;
}

export type Cms50dEvent = { type: 'packet'; packet: Cms50dPacket } | FramerError;

export const CMS50D_PULSE_INVALID = 255;
export const CMS50D_SPO2_INVALID = 127;

/** Decodes five bytes (already checked for sync bits). */
export function decodeCms50dPacket(b: ArrayLike<number>, offset = 0): Cms50dPacket {
  const b0 = b[0] as number;
  const b1 = b[1] as number;
  const b2 = b[2] as number;
  const b3 = b[3] as number;
  const b4 = b[4] as number;
  const rawPulseRate = ((b2 & 0x40) << 1) | (b3 & 0x7f);
  const rawSpo2 = b4 & 0x7f;
  return {
    offset,
    signalStrength: b0 & 0x0f,
    searchingTooLong: (b0 & 0x10) !== 0,
    spo2Dropping: (b0 & 0x20) !== 0,
    pulseBeep: (b0 & 0x40) !== 0,
    pleth: b1 & 0x7f,
    barGraph: b2 & 0x0f,
    sensorError: (b2 & 0x10) !== 0,
    searchingPulse: (b2 & 0x20) !== 0,
    pulseRate: rawPulseRate === CMS50D_PULSE_INVALID ? null : rawPulseRate,
    spo2: rawSpo2 === CMS50D_SPO2_INVALID || rawSpo2 > 100 ? null : rawSpo2,
    rawPulseRate,
    rawSpo2,
  };
}

export interface Cms50dPacketFields {
  signalStrength?: number;
  searchingTooLong?: boolean;
  spo2Dropping?: boolean;
  pulseBeep?: boolean;
  pleth?: number;
  barGraph?: number;
  sensorError?: boolean;
  searchingPulse?: boolean;
  /** null → the invalid marker 255. */
  pulseRate?: number | null;
  /** null → the invalid marker 127. */
  spo2?: number | null;
}

/** Builds one packet (simulators, tests). Values are masked to their bit widths. */
export function encodeCms50dPacket(f: Cms50dPacketFields): Uint8Array {
  const pulse = f.pulseRate === null || f.pulseRate === undefined ? CMS50D_PULSE_INVALID : f.pulseRate & 0xff;
  const spo2 = f.spo2 === null || f.spo2 === undefined ? CMS50D_SPO2_INVALID : f.spo2 & 0x7f;
  return Uint8Array.of(
    0x80 |
      (f.pulseBeep ? 0x40 : 0) |
      (f.spo2Dropping ? 0x20 : 0) |
      (f.searchingTooLong ? 0x10 : 0) |
      ((f.signalStrength ?? 0) & 0x0f),
    (f.pleth ?? 0) & 0x7f,
    ((pulse & 0x80) >> 1) | (f.searchingPulse ? 0x20 : 0) | (f.sensorError ? 0x10 : 0) | ((f.barGraph ?? 0) & 0x0f),
    pulse & 0x7f,
    spo2,
  );
}

/** Byte-by-byte framer: resynchronises on the sync bit, reports short packets and stray bytes. */
export class Cms50dFramer {
  private readonly buf = new Uint8Array(5);
  private len = 0;
  private start = 0;
  private pos = 0;
  private junk = false;
  private events: Cms50dEvent[] = [];

  get bufferedBytes(): number {
    return this.len;
  }

  push(chunk: Uint8Array): Cms50dEvent[] {
    this.events = [];
    for (let i = 0; i < chunk.length; i++) {
      this.step(chunk[i] as number);
      this.pos++;
    }
    return this.events;
  }

  finish(): Cms50dEvent[] {
    this.events = [];
    if (this.len > 0) this.error(this.start, `input ends inside a packet (${this.len} of 5 bytes)`);
    this.len = 0;
    return this.events;
  }

  private error(offset: number, message: string): void {
    this.events.push({ type: 'error', offset, message });
  }

  private step(b: number): void {
    if (b & 0x80) {
      if (this.len > 0) this.error(this.start, `short packet (${this.len} of 5 bytes) discarded`);
      this.buf[0] = b;
      this.len = 1;
      this.start = this.pos;
      this.junk = false;
      return;
    }
    if (this.len === 0) {
      if (!this.junk) this.error(this.pos, 'bytes without a sync byte (skipped)');
      this.junk = true;
      return;
    }
    this.buf[this.len++] = b;
    if (this.len === 5) {
      this.events.push({ type: 'packet', packet: decodeCms50dPacket(this.buf, this.start) });
      this.len = 0;
    }
  }
}
