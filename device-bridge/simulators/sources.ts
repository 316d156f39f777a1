// Packet sources of the streaming simulators: packet i of a stream is a pure function of i, so a test can
// compute exactly what the simulator sent. `rate` is packets (or lines, or frames) per second.
import { encodeCms50dPacket } from '../framers/cms50d';
import { encodeNoninPacket, NONIN_FRAMES_PER_PACKET, NONIN_FRAME_RATE } from '../framers/nonin7';
import { encodeEcgFrame } from '../protocols/ecg-stream';
import { CMS50D_SAMPLE_RATE } from '../parsers/oximeters';
import { rhythm, syntheticEcgMv, syntheticPleth, type Rhythm } from './waveforms';
import type { WfdbRecord } from './wfdb';

export interface PacketSource {
  readonly rate: number;
  packet(index: number): Uint8Array;
}

export interface OximeterSimOptions {
  /** SpO2 %, default 97. */
  spo2?: number;
  /** Pulse rate /min, default 72. */
  pulseRate?: number;
  /** Slow drift of SpO2 (±1) and pulse (±3) like a real patient. Default true; false gives constant values. */
  variability?: boolean;
}

/** Vital signs at time t, as the oximeter would display them (whole numbers). */
export function oximeterVitalsAt(
  t: number,
  o: OximeterSimOptions = {},
): { spo2: number; pulseRate: number; heart: Rhythm } {
  const vary = o.variability ?? true;
  const heart = rhythm(o.pulseRate ?? 72, vary ? 3 : 0, 20);
  const spo2 = Math.round((o.spo2 ?? 97) + (vary ? 0.8 * Math.sin((2 * Math.PI * t) / 45) : 0));
  return { spo2: Math.min(100, spo2), pulseRate: Math.round(heart.rateAt(t)), heart };
}

/** Contec CMS50D+ live stream: 60 five-byte packets a second. */
export function cms50dSource(o: OximeterSimOptions = {}): PacketSource {
  return {
    rate: CMS50D_SAMPLE_RATE,
    packet(i) {
      const t = i / CMS50D_SAMPLE_RATE;
      const { spo2, pulseRate, heart } = oximeterVitalsAt(t, o);
      const pleth = syntheticPleth(t, heart);
      // the beep bit marks the first sample of each beat
      const beat = Math.floor(heart.cyclesAt(t));
      const previousBeat = i === 0 ? -1 : Math.floor(heart.cyclesAt((i - 1) / CMS50D_SAMPLE_RATE));
      return encodeCms50dPacket({
        signalStrength: 6,
        pulseBeep: beat !== previousBeat && i > 0,
        pleth: Math.round(5 + 90 * pleth),
        barGraph: Math.round(pleth * 8),
        pulseRate,
        spo2,
      });
    },
  };
}

/** Nonin format 7: 75 frames a second in packets of 25 (three packets a second). */
export function noninSource(o: OximeterSimOptions = {}): PacketSource {
  return {
    rate: NONIN_FRAME_RATE / NONIN_FRAMES_PER_PACKET,
    packet(i) {
      const t0 = (i * NONIN_FRAMES_PER_PACKET) / NONIN_FRAME_RATE;
      const { spo2, pulseRate, heart } = oximeterVitalsAt(t0, o);
      const pleth = Array.from({ length: NONIN_FRAMES_PER_PACKET }, (_, k) =>
        Math.round(20 + 200 * syntheticPleth(t0 + k / NONIN_FRAME_RATE, heart)),
      );
      // status 0x02: perfusion "green" (good signal), no alarms
      return encodeNoninPacket({ pleth, heartRate: pulseRate, spo2, firmwareRevision: 0x2b, status: 0x02 });
    },
  };
}

export interface MasimoSimOptions extends OximeterSimOptions {
  /** Device clock at line 0. Default 2026-05-05T10:21:33Z. Printed in UTC fields (the device has no zone). */
  startTime?: Date;
  serialNumber?: string;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** The Masimo Rad-8 "ASCII 1" line for second i (CR LF ended). */
export function masimoLine(i: number, o: MasimoSimOptions = {}): string {
  const at = new Date((o.startTime ?? new Date('2026-05-05T10:21:33Z')).getTime() + i * 1000);
  const { spo2, pulseRate } = oximeterVitalsAt(i, o);
  const pi = (o.variability ?? true) ? 3.6 + 0.4 * Math.sin(i / 7) : 3.6;
  const date = `${pad(at.getUTCMonth() + 1, 2)}/${pad(at.getUTCDate(), 2)}/${pad(at.getUTCFullYear() % 100, 2)}`;
  const time = `${pad(at.getUTCHours(), 2)}:${pad(at.getUTCMinutes(), 2)}:${pad(at.getUTCSeconds(), 2)}`;
  return (
    `${date} ${time} SN=${o.serialNumber ?? '0000012345'} SPO2=${pad(spo2, 3)}% BPM=${pad(pulseRate, 3)} ` +
    `PI=${pi.toFixed(2).padStart(5, '0')}% SPCO=--.-% SPMET=--.-% DESAT=-- PIDELTA=+-- ALARM=0000 EXC=000000\r\n`
  );
}

export function masimoSource(o: MasimoSimOptions = {}): PacketSource {
  const encoder = new TextEncoder();
  return { rate: 1, packet: (i) => encoder.encode(masimoLine(i, o)) };
}

export interface EcgSimOptions {
  /** 250 or 500 (any rate works). Default 250. Ignored with a WFDB record (its own rate is used). */
  sampleRate?: number;
  /** Synthetic channels (1 or 2). Default 2: lead II and a smaller precordial-like lead. */
  channels?: number;
  heartRate?: number;
  /** Frames per second. Default 25 (10 samples a frame at 250 Hz). */
  framesPerSecond?: number;
  /** Stream this record instead of the synthetic signal (looped). */
  record?: WfdbRecord;
}

/** ECG sample stream frames (device-bridge/protocols/ecg-stream.md). */
export function ecgSource(o: EcgSimOptions = {}): PacketSource & { samplesPerFrame: number; sampleRate: number } {
  const fps = o.framesPerSecond ?? 25;
  if (o.record) return wfdbEcgSource(o.record, fps);
  const sampleRate = o.sampleRate ?? 250;
  const samplesPerFrame = Math.max(1, Math.round(sampleRate / fps));
  const gains = [1, 0.55].slice(0, Math.min(2, Math.max(1, o.channels ?? 2)));
  const hr = o.heartRate ?? 72;
  return {
    rate: sampleRate / samplesPerFrame,
    sampleRate,
    samplesPerFrame,
    packet(i) {
      const channels = gains.map((g) =>
        Array.from({ length: samplesPerFrame }, (_, k) =>
          // 1000 nV per count: counts are microvolts
          Math.round(syntheticEcgMv((i * samplesPerFrame + k) / sampleRate, hr, g) * 1000),
        ),
      );
      return encodeEcgFrame({ sequence: i & 0xffff, sampleRate, channels, scaleNv: 1000 });
    },
  };
}

function wfdbEcgSource(
  record: WfdbRecord,
  fps: number,
): PacketSource & { samplesPerFrame: number; sampleRate: number } {
  const sampleRate = Math.round(record.header.samplingFrequency);
  const samplesPerFrame = Math.max(1, Math.round(sampleRate / fps));
  const length = record.samples[0]?.length ?? 0;
  if (length === 0) throw new Error(`WFDB record ${record.header.recordName} has no samples`);
  const signals = record.header.signals;
  // one ADC unit is 1/gain physical units (mV): in nanovolts, 1e6 / gain
  const scaleNv = Math.round(1e6 / (signals[0]?.gain ?? 200));
  return {
    rate: sampleRate / samplesPerFrame,
    sampleRate,
    samplesPerFrame,
    packet(i) {
      const channels = record.samples.map((s, c) =>
        Array.from({ length: samplesPerFrame }, (_, k) => {
          const v = (s[(i * samplesPerFrame + k) % length] as number) - (signals[c]?.baseline ?? 0);
          return Math.max(-32768, Math.min(32767, v));
        }),
      );
      return encodeEcgFrame({ sequence: i & 0xffff, sampleRate, channels, scaleNv });
    },
  };
}
