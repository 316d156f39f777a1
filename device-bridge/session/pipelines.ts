// One inbound pipeline per protocol.
import type { CaptureProtocol } from '../types';
import { AstmInbound, type AstmInboundOptions } from './astm-inbound';
import { Hl7Inbound, type Hl7InboundOptions } from './hl7-inbound';
import type { InboundPipeline, PipelineIo } from './pipeline';
import { Cms50dInbound, EcgInbound, MasimoInbound, NoninInbound } from './stream-inbound';

export interface PipelineOptions {
  astm?: AstmInboundOptions;
  hl7?: Hl7InboundOptions;
  /** CMS50D+ packets per waveform chunk (60 = one second, the default). */
  cms50dPacketsPerChunk?: number;
}

export function createInboundPipeline(
  protocol: CaptureProtocol,
  io: PipelineIo,
  options: PipelineOptions = {},
): InboundPipeline {
  switch (protocol) {
    case 'astm':
      return new AstmInbound(io, options.astm);
    case 'hl7':
      return new Hl7Inbound(io, options.hl7);
    case 'cms50d':
      return new Cms50dInbound(io, options.cms50dPacketsPerChunk);
    case 'nonin':
      return new NoninInbound(io);
    case 'masimo':
      return new MasimoInbound(io);
    case 'ecg':
      return new EcgInbound(io);
    default:
      throw new RangeError(`no inbound pipeline for protocol '${String(protocol)}'`);
  }
}

/** The pipeline a profile asks for: its own factory if it has one, else its protocol's. */
export function pipelineForProfile(
  profile: {
    protocol: CaptureProtocol;
    pipeline: PipelineOptions;
    createPipeline?: (io: PipelineIo) => InboundPipeline;
  },
  io: PipelineIo,
): InboundPipeline {
  return profile.createPipeline
    ? profile.createPipeline(io)
    : createInboundPipeline(profile.protocol, io, profile.pipeline);
}
