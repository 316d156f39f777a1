// Nonin serial data format #7 (OEM III module, WristOx, Xpod…): 75 frames per second, 25 frames a packet.
//
// Frame (5 bytes):
//   byte 1 = 0x01 (start of frame)
//   byte 2 = status: bit 7 always 1; bit 6 SNSD sensor disconnected; bit 5 ARTF artifact; bit 4 OOT out of
//            track; bit 3 SNSA sensor alarm; bits 2-1 perfusion (01 GPRF green, 10 RPRF red, 11 YPRF yellow,
//            00 none); bit 0 SYNC, set on frame 1 of a packet only
//   byte 3 = plethysmogram sample (8 bits)
//   byte 4 = data byte, meaning set by the frame's position in the packet (below)
//   byte 5 = checksum: (byte1 + byte2 + byte3 + byte4) mod 256
// Data byte by frame (1-based):
//   1 HR MSB (bits 1-0 = HR bits 8-7)   2 HR LSB (bits 6-0)   3 SpO2   4 firmware revision
//   9 SpO2-D   10 SpO2 fast   11 SpO2 beat-to-beat   14/15 E-HR MSB/LSB   16 E-SpO2   17 E-SpO2-D
//   20/21 HR-D MSB/LSB   22/23 E-HR-D MSB/LSB   (others reserved)
//   HR = (MSB & 0x03) << 7 | (LSB & 0x7F); 511 means missing. SpO2 = byte & 0x7F; 127 means missing.
//   HR/SpO2 are 4-beat averages; "E-" values 8-beat averages; "-D" the values formatted for display.
// Sources: Nonin OEM III / WristOx2 3150 specifications (Serial Data Format #7), as implemented and commented
// in pez-globo/pufferfish-software (Apache-2.0) firmware, Driver/Serial/Nonin (FrameReceiver.cpp: start of
// frame 0x01, status bit 7, checksum; PacketReceiver.cpp and Types.h: status bit masks and frame indexes;
// Sensor.cpp: 127 = SpO2 missing). 511 as the missing heart rate is the all-ones 9-bit value of the same spec.
import type { FramerError } from '../types';

export const NONIN_FRAMES_PER_PACKET = 25;
export const NONIN_FRAME_RATE = 75;
export const NONIN_HR_MISSING = 511;
export const NONIN_SPO2_MISSING = 127;

export type NoninPerfusion = 'green' | 'yellow' | 'red' | 'none';

export interface NoninFrame {
  offset: number;
  status: number;
  pleth: number;
  data: number;
}

export interface NoninStatusFlags {
  sensorDisconnected: boolean;
  artifact: boolean;
  outOfTrack: boolean;
  sensorAlarm: boolean;
  perfusion: NoninPerfusion;
}

export interface NoninPacket {
  offset: number;
  frames: NoninFrame[];
  pleth: number[];
  /** 4-beat average heart rate; null = missing (511). */
  heartRate: number | null;
  /** 4-beat average SpO2; null = missing (127). */
  spo2: number | null;
  firmwareRevision: number;
  spo2Display: number | null;
  spo2Fast: number | null;
  spo2BeatToBeat: number | null;
  extendedHeartRate: number | null;
  extendedSpo2: number | null;
  extendedSpo2Display: number | null;
  heartRateDisplay: number | null;
  extendedHeartRateDisplay: number | null;
  /** Any frame of the packet had the flag set; perfusion is the lowest quality shown in the packet. */
  flags: NoninStatusFlags;
}

export type NoninEvent = { type: 'frame'; frame: NoninFrame } | { type: 'packet'; packet: NoninPacket } | FramerError;

export function noninStatusFlags(status: number): NoninStatusFlags {
  const p = (status >> 1) & 0x03;
  return {
    sensorDisconnected: (status & 0x40) !== 0,
    artifact: (status & 0x20) !== 0,
    outOfTrack: (status & 0x10) !== 0,
    sensorAlarm: (status & 0x08) !== 0,
    perfusion: p === 1 ? 'green' : p === 2 ? 'red' : p === 3 ? 'yellow' : 'none',
  };
}

const PERFUSION_RANK: Record<NoninPerfusion, number> = { none: 0, green: 1, yellow: 2, red: 3 };

const hr = (msb: number, lsb: number): number | null => {
  const v = ((msb & 0x03) << 7) | (lsb & 0x7f);
  return v === NONIN_HR_MISSING ? null : v;
};
const spo2 = (b: number): number | null => {
  const v = b & 0x7f;
  return v === NONIN_SPO2_MISSING ? null : v;
};

/** Decodes a complete packet of 25 frames (frame 1 first). */
export function decodeNoninPacket(frames: readonly NoninFrame[]): NoninPacket {
  const data = (n: number) => frames[n - 1]?.data ?? 0;
  const flags: NoninStatusFlags = {
    sensorDisconnected: false,
    artifact: false,
    outOfTrack: false,
    sensorAlarm: false,
    perfusion: 'none',
  };
  for (const f of frames) {
    const s = noninStatusFlags(f.status);
    flags.sensorDisconnected ||= s.sensorDisconnected;
    flags.artifact ||= s.artifact;
    flags.outOfTrack ||= s.outOfTrack;
    flags.sensorAlarm ||= s.sensorAlarm;
    if (PERFUSION_RANK[s.perfusion] > PERFUSION_RANK[flags.perfusion]) flags.perfusion = s.perfusion;
  }
  return {
    offset: frames[0]?.offset ?? 0,
    frames: [...frames],
    pleth: frames.map((f) => f.pleth),
    heartRate: hr(data(1), data(2)),
    spo2: spo2(data(3)),
    firmwareRevision: data(4),
    spo2Display: spo2(data(9)),
    spo2Fast: spo2(data(10)),
    spo2BeatToBeat: spo2(data(11)),
    extendedHeartRate: hr(data(14), data(15)),
    extendedSpo2: spo2(data(16)),
    extendedSpo2Display: spo2(data(17)),
    heartRateDisplay: hr(data(20), data(21)),
    extendedHeartRateDisplay: hr(data(22), data(23)),
    flags,
  };
}

export interface NoninPacketFields {
  /** 25 samples (missing ones are 0). */
  pleth?: readonly number[];
  /** null → missing (511). */
  heartRate?: number | null;
  /** null → missing (127). */
  spo2?: number | null;
  firmwareRevision?: number;
  /** Status bits (without bit 7 and SYNC) per frame, or one value for all frames. */
  status?: number | readonly number[];
}

/** Builds a 125-byte packet (simulators, tests). HR/SpO2 also fill the display and extended slots. */
export function encodeNoninPacket(f: NoninPacketFields): Uint8Array {
  const h = f.heartRate === null || f.heartRate === undefined ? NONIN_HR_MISSING : f.heartRate & 0x1ff;
  const s = f.spo2 === null || f.spo2 === undefined ? NONIN_SPO2_MISSING : f.spo2 & 0x7f;
  const data = new Array<number>(NONIN_FRAMES_PER_PACKET).fill(0);
  const setHr = (n: number) => {
    data[n - 1] = (h >> 7) & 0x03;
    data[n] = h & 0x7f;
  };
  setHr(1);
  data[2] = s;
  data[3] = (f.firmwareRevision ?? 0) & 0xff;
  data[8] = s;
  data[9] = s;
  data[10] = s;
  setHr(14);
  data[15] = s;
  data[16] = s;
  setHr(20);
  setHr(22);
  const out = new Uint8Array(NONIN_FRAMES_PER_PACKET * 5);
  for (let i = 0; i < NONIN_FRAMES_PER_PACKET; i++) {
    const st = typeof f.status === 'number' ? f.status : (f.status?.[i] ?? 0);
    const status = 0x80 | (st & 0x7e) | (i === 0 ? 0x01 : 0);
    const pleth = (f.pleth?.[i] ?? 0) & 0xff;
    const d = (data[i] as number) & 0xff;
    out.set([0x01, status, pleth, d, (0x01 + status + pleth + d) & 0xff], i * 5);
  }
  return out;
}

const validFrame = (w: Uint8Array): boolean =>
  w[0] === 0x01 &&
  ((w[1] as number) & 0x80) !== 0 &&
  (((w[0] as number) + (w[1] as number) + (w[2] as number) + (w[3] as number)) & 0xff) === w[4];

/**
 * Byte-by-byte framer: a 5-byte sliding window finds valid frames (start byte, status bit 7, checksum);
 * frames are assembled into packets starting at the frame with the SYNC bit. Lost bytes, bad frames and
 * short packets are reported with offsets; a packet that lost a frame is discarded, never misaligned.
 */
export class NoninFramer {
  private readonly win = new Uint8Array(5);
  private len = 0;
  private winStart = 0;
  private pos = 0;
  private junk = false;
  private frames: NoninFrame[] = [];
  private waitingForSync = false;
  private events: NoninEvent[] = [];

  constructor(private readonly options: { emitFrames?: boolean } = {}) {}

  get bufferedBytes(): number {
    return this.len + this.frames.length * 5;
  }

  push(chunk: Uint8Array): NoninEvent[] {
    this.events = [];
    for (let i = 0; i < chunk.length; i++) {
      this.step(chunk[i] as number);
      this.pos++;
    }
    return this.events;
  }

  finish(): NoninEvent[] {
    this.events = [];
    if (this.len > 0) this.error(this.winStart, `input ends inside a frame (${this.len} of 5 bytes)`);
    if (this.frames.length > 0) {
      this.error(this.frames[0]?.offset ?? this.pos, `input ends inside a packet (${this.frames.length} of 25 frames)`);
    }
    this.len = 0;
    this.frames = [];
    return this.events;
  }

  private error(offset: number, message: string): void {
    this.events.push({ type: 'error', offset, message });
  }

  private step(b: number): void {
    if (this.len === 0) this.winStart = this.pos;
    this.win[this.len++] = b;
    if (this.len < 5) return;
    if (validFrame(this.win)) {
      this.junk = false;
      const frame: NoninFrame = {
        offset: this.winStart,
        status: this.win[1] as number,
        pleth: this.win[2] as number,
        data: this.win[3] as number,
      };
      this.len = 0;
      this.onFrame(frame);
      return;
    }
    // not a frame here: drop one byte and slide
    if (!this.junk) {
      this.error(
        this.winStart,
        'invalid frame or stray bytes (start byte, status bit 7 or checksum wrong); resynchronising',
      );
      this.junk = true;
      if (this.frames.length > 0) {
        this.error(
          this.frames[0]?.offset ?? this.winStart,
          `packet lost a frame after ${this.frames.length} of 25 (discarded)`,
        );
        this.frames = [];
      }
    }
    this.win.copyWithin(0, 1, 5);
    this.len = 4;
    this.winStart++;
  }

  private onFrame(frame: NoninFrame): void {
    if (this.options.emitFrames) this.events.push({ type: 'frame', frame });
    const sync = (frame.status & 0x01) !== 0;
    if (sync) {
      if (this.frames.length > 0) {
        this.error(
          this.frames[0]?.offset ?? frame.offset,
          `short packet (${this.frames.length} of 25 frames) discarded`,
        );
      }
      this.frames = [frame];
      this.waitingForSync = false;
      return;
    }
    if (this.frames.length === 0) {
      if (!this.waitingForSync) this.error(frame.offset, 'frames without a packet start (SYNC frame) skipped');
      this.waitingForSync = true;
      return;
    }
    this.frames.push(frame);
    if (this.frames.length === NONIN_FRAMES_PER_PACKET) {
      this.events.push({ type: 'packet', packet: decodeNoninPacket(this.frames) });
      this.frames = [];
    }
  }
}
