// Oximeter packets → typed items: plethysmogram waveform chunks, SpO2 and pulse numerics, status flags.
import { MDC_PULS_OXIM_PLETH, PULSE_RATE_CODES, SPO2_CODES, UNIT_PERCENT, UNIT_PER_MIN } from '../codes';
import type { CaptureProtocol, DecodedItem, NumericObservation, OximeterStatus, WaveformChunk } from '../types';
import type { Cms50dPacket } from '../framers/cms50d';
import { NONIN_FRAME_RATE, type NoninPacket } from '../framers/nonin7';

function spo2Obs(value: number, protocol: CaptureProtocol, offset: number): NumericObservation {
  return {
    kind: 'numeric',
    code: SPO2_CODES.code,
    altCodes: [...SPO2_CODES.altCodes],
    value,
    unit: UNIT_PERCENT,
    source: { protocol, offset, ref: 'SpO2' },
  };
}

function pulseObs(value: number, protocol: CaptureProtocol, offset: number): NumericObservation {
  return {
    kind: 'numeric',
    code: PULSE_RATE_CODES.code,
    altCodes: [...PULSE_RATE_CODES.altCodes],
    value,
    unit: UNIT_PER_MIN,
    source: { protocol, offset, ref: 'pulse' },
  };
}

export const CMS50D_SAMPLE_RATE = 60;

/**
 * Groups CMS50D+ packets (60/s) into chunks of `packetsPerChunk` (default 60, one second). Each chunk gives a
 * plethysmogram waveform, the last valid SpO2 and pulse rate of the chunk (none if all were invalid), and a
 * status: conditions true if seen in any packet, last signal strength, and the count of pulse beeps.
 */
export class Cms50dAggregator {
  private packets: Cms50dPacket[] = [];
  private sample = 0;
  private readonly size: number;

  constructor(options: { packetsPerChunk?: number } = {}) {
    this.size = Math.max(1, options.packetsPerChunk ?? CMS50D_SAMPLE_RATE);
  }

  push(packet: Cms50dPacket): DecodedItem[] {
    this.packets.push(packet);
    return this.packets.length >= this.size ? this.flush() : [];
  }

  /** Emits the partial chunk, if any. */
  flush(): DecodedItem[] {
    const ps = this.packets;
    if (ps.length === 0) return [];
    this.packets = [];
    const first = ps[0] as Cms50dPacket;
    const startSample = this.sample;
    this.sample += ps.length;
    const items: DecodedItem[] = [];
    const wave: WaveformChunk = {
      kind: 'waveform',
      code: MDC_PULS_OXIM_PLETH,
      sampleRate: CMS50D_SAMPLE_RATE,
      samples: ps.map((p) => p.pleth),
      startSample,
      source: { protocol: 'cms50d', offset: first.offset, ref: 'pleth' },
    };
    items.push(wave);
    const lastSpo2 = [...ps].reverse().find((p) => p.spo2 !== null);
    if (lastSpo2?.spo2 != null) items.push(spo2Obs(lastSpo2.spo2, 'cms50d', lastSpo2.offset));
    const lastPulse = [...ps].reverse().find((p) => p.pulseRate !== null);
    if (lastPulse?.pulseRate != null) items.push(pulseObs(lastPulse.pulseRate, 'cms50d', lastPulse.offset));
    let beats = 0;
    let prevBeep = false;
    for (const p of ps) {
      if (p.pulseBeep && !prevBeep) beats++;
      prevBeep = p.pulseBeep;
    }
    const last = ps[ps.length - 1] as Cms50dPacket;
    const status: OximeterStatus = {
      kind: 'oximeter-status',
      device: 'cms50d',
      flags: {
        sensorError: ps.some((p) => p.sensorError),
        searchingPulse: ps.some((p) => p.searchingPulse),
        searchingTooLong: ps.some((p) => p.searchingTooLong),
        spo2Dropping: ps.some((p) => p.spo2Dropping),
        signalStrength: last.signalStrength,
        barGraph: last.barGraph,
        pulseBeeps: beats,
        spo2Invalid: ps.every((p) => p.spo2 === null),
        pulseRateInvalid: ps.every((p) => p.pulseRate === null),
      },
      startSample,
      sampleCount: ps.length,
      source: { protocol: 'cms50d', offset: first.offset, ref: 'status' },
    };
    items.push(status);
    return items;
  }
}

/** Items of one Nonin packet (25 frames, 1/3 s): pleth waveform at 75 Hz, SpO2, pulse rate, status. */
export function noninPacketToItems(packet: NoninPacket, startSample?: number): DecodedItem[] {
  const items: DecodedItem[] = [];
  const wave: WaveformChunk = {
    kind: 'waveform',
    code: MDC_PULS_OXIM_PLETH,
    sampleRate: NONIN_FRAME_RATE,
    samples: [...packet.pleth],
    source: { protocol: 'nonin', offset: packet.offset, ref: 'pleth' },
  };
  if (startSample !== undefined) wave.startSample = startSample;
  items.push(wave);
  if (packet.spo2 !== null) items.push(spo2Obs(packet.spo2, 'nonin', packet.offset));
  if (packet.heartRate !== null) items.push(pulseObs(packet.heartRate, 'nonin', packet.offset));
  const status: OximeterStatus = {
    kind: 'oximeter-status',
    device: 'nonin',
    flags: {
      sensorDisconnected: packet.flags.sensorDisconnected,
      artifact: packet.flags.artifact,
      outOfTrack: packet.flags.outOfTrack,
      sensorAlarm: packet.flags.sensorAlarm,
      perfusion: packet.flags.perfusion,
      spo2Missing: packet.spo2 === null,
      heartRateMissing: packet.heartRate === null,
      firmwareRevision: packet.firmwareRevision,
    },
    sampleCount: packet.pleth.length,
    source: { protocol: 'nonin', offset: packet.offset, ref: 'status' },
  };
  if (startSample !== undefined) status.startSample = startSample;
  items.push(status);
  return items;
}
