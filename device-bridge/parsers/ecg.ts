// ECG stream frames → waveform chunks, one per channel.
import type { EcgFrame } from '../protocols/ecg-stream';
import type { WaveformChunk } from '../types';

export function ecgFrameToItems(frame: EcgFrame): WaveformChunk[] {
  return frame.channelSamples.map((samples, c) => {
    const w: WaveformChunk = {
      kind: 'waveform',
      code: { system: 'local', code: `ECG-CH${c + 1}`, display: `ECG channel ${c + 1}` },
      sampleRate: frame.sampleRate,
      samples,
      channel: c + 1,
      sequence: frame.sequence,
      source: { protocol: 'ecg', offset: frame.offset, ref: `seq ${frame.sequence}` },
    };
    if (frame.leadOff || frame.saturated) w.flags = { leadOff: frame.leadOff, saturated: frame.saturated };
    if (frame.scaleNv > 0) {
      w.unit = 'nV';
      w.scale = frame.scaleNv;
    }
    return w;
  });
}
