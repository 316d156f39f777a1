// replayRawLog: decodes a connection's raw byte log again, through the same pipelines the live session used
// (backs `sijill device replay`). Inbound bytes are pushed with their logged times, connection ends ('close')
// restart the framers where the live session restarted them, and every store "succeeds", so the items are
// the ones the live session stored (a message the live sink refused and the device repeated is decoded once).
import { applyCodeMappings } from '../profiles/code-mappings';
import type { CodeMapping, DeviceProfile } from '../profiles/types';
import { createInboundPipeline, pipelineForProfile, type PipelineOptions } from '../session/pipelines';
import type { PipelineIo } from '../session/pipeline';
import type { CaptureProtocol, DecodeError, DecodedItem } from '../types';
import type { RawLogEntry } from './types';

export interface ReplayOptions {
  /** The connection's profile: its pipeline and code mappings, exactly as the live session used them. */
  profile?: DeviceProfile;
  /** Without a profile: pipeline options for `protocol`. */
  pipeline?: PipelineOptions;
  /** Without a profile: code mappings to apply. */
  codeMappings?: readonly CodeMapping[];
}

export interface ReplayResult {
  items: DecodedItem[];
  errors: DecodeError[];
  /** Replies the live session would have sent (ACK/NAK, HL7 ACKs), for comparison with the logged 'out' bytes. */
  replies: Uint8Array[];
  /** Messages recognised as repeats of stored ones. */
  duplicates: string[];
}

export async function replayRawLog(
  entries: Iterable<RawLogEntry>,
  protocol: CaptureProtocol,
  options: ReplayOptions = {},
): Promise<ReplayResult> {
  const result: ReplayResult = { items: [], errors: [], replies: [], duplicates: [] };
  if (options.profile && options.profile.protocol !== protocol) {
    throw new Error(`profile '${options.profile.id}' is for ${options.profile.protocol}, not ${protocol}`);
  }
  const mappings = options.profile?.codeMappings ?? options.codeMappings ?? [];
  const take = (items: DecodedItem[]): void => {
    result.items.push(...applyCodeMappings(items, mappings));
  };
  const io: PipelineIo = {
    write: (bytes) => result.replies.push(bytes),
    store: async (items) => take(items),
    deliver: (items) => take(items),
    error: (e) => result.errors.push(e),
    progress: () => {},
    duplicate: (key) => result.duplicates.push(key),
  };
  const pipeline = options.profile
    ? pipelineForProfile(options.profile, io)
    : createInboundPipeline(protocol, io, options.pipeline ?? {});
  let open = false;
  let lastAt = 0;
  for (const entry of entries) {
    lastAt = entry.at;
    if (entry.direction === 'in') {
      open = true;
      await pipeline.push(entry.bytes, entry.at);
    } else if (entry.direction === 'close') {
      open = false;
      await pipeline.endConnection(entry.at);
    } else if (entry.direction === 'open') {
      open = true;
    }
  }
  // a log that stops while connected (the host crashed, or the log was cut): flush what aggregators hold
  if (open) await pipeline.endConnection(lastAt);
  return result;
}
