// Device profiles: what the bridge must know about a device model to talk to it.
import type { InboundPipeline, PipelineIo } from '../session/pipeline';
import type { PipelineOptions } from '../session/pipelines';
import type { LineSettings } from '../transport/types';
import type { CaptureProtocol, Code } from '../types';

export type DeviceKind = 'bedside' | 'lab';

/** Bytes the host sends to the device, with where they come from. */
export interface DeviceCommand {
  name: string;
  bytes: Uint8Array;
  source: string;
}

/** Replaces a device's local test code with a standard one (the local code is kept as an alternative). */
export interface CodeMapping {
  /** The device's code as decoded (system 'local'), e.g. 'WBC'. */
  local: string;
  code: Code;
}

export interface DeviceProfile {
  id: string;
  displayName: string;
  protocol: CaptureProtocol;
  kind: DeviceKind;
  line: LineSettings;
  /** Written in order right after the port opens (and after every reopen). */
  init: DeviceCommand[];
  /** Written periodically while the port is open (devices that stop streaming without it). */
  keepAlive?: { command: DeviceCommand; intervalMs: number };
  /**
   * No valid frame for this long while open → the line is considered lost and reopened. null for devices that
   * are legitimately silent for hours (analysers, HL7 senders send only when they have results).
   */
  quietTimeoutMs: number | null;
  /** Options of the protocol's framer/parser pipeline (createInboundPipeline(protocol, io, pipeline)). */
  pipeline: PipelineOptions;
  /**
   * Framer/parser factory for a device whose bytes the protocol's standard pipeline cannot read (a vendor
   * variant). Used by sessions and by replay instead of the protocol's pipeline when present.
   */
  createPipeline?: (io: PipelineIo) => InboundPipeline;
  codeMappings: CodeMapping[];
  /** Where the line settings and commands were checked. */
  sources: string[];
  notes?: string;
}
