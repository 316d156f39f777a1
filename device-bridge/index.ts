// Public surface of device-bridge's protocol core: framers (bytes → frames/messages, link replies),
// parsers (messages → typed observations) and decodeCapture (whole capture files).
// Transport, supervisor, raw byte log and storage are wired elsewhere (main/host) on top of these.

export type {
  CaptureProtocol,
  Code,
  CodeSystem,
  DecodeError,
  DecodedItem,
  FramerError,
  ItemSource,
  MessageSummary,
  NumericObservation,
  Observation,
  OximeterDevice,
  OximeterStatus,
  TextObservation,
  WaveformChunk,
} from './types';

export { CAPTURE_PROTOCOLS, decodeCapture, isCaptureProtocol, itemToJson, type DecodeResult } from './decode';

export * as codes from './codes';
export { isLoincCode } from './codes';

// ASTM E1381 link layer and E1394 records
export {
  AstmLinkReceiver,
  astmChecksum,
  encodeAstmFrame,
  encodeAstmRecords,
  ACK,
  NAK,
  ENQ,
  EOT,
  STX,
  ETX,
  ETB,
  type AstmLinkEvent,
  type AstmLinkOptions,
} from './framers/astm-link';
export {
  AstmMessageAssembler,
  DEFAULT_ASTM_DELIMITERS,
  astmComponents,
  astmField,
  astmRepeats,
  astmText,
  delimitersFromHeader,
  parseAstmRecord,
  unescapeAstm,
  type AstmDelimiters,
  type AstmMessage,
  type AstmRecord,
} from './parsers/astm-records';
export { astmMessageToItems, astmTestCode } from './parsers/astm-observations';

// HL7 v2 over MLLP
export { MllpFramer, mllpWrap, VT, FS, type MllpEvent } from './framers/mllp';
export {
  escapeHl7,
  hl7Components,
  hl7Delimiters,
  hl7Field,
  hl7Get,
  hl7Repetitions,
  hl7Segment,
  parseHl7,
  unescapeHl7,
  type Hl7Delimiters,
  type Hl7Message,
  type Hl7Segment,
} from './parsers/hl7';
export { hl7Code, hl7MessageToItems, hl7Unit } from './parsers/hl7-oru';
export { buildHl7Ack, Hl7DuplicateDetector, type Hl7AckCode, type Hl7AckOptions } from './parsers/hl7-ack';

// Pulse oximeters
export {
  Cms50dFramer,
  decodeCms50dPacket,
  encodeCms50dPacket,
  type Cms50dEvent,
  type Cms50dPacket,
  type Cms50dPacketFields,
} from './framers/cms50d';
export {
  NoninFramer,
  decodeNoninPacket,
  encodeNoninPacket,
  noninStatusFlags,
  NONIN_FRAMES_PER_PACKET,
  type NoninEvent,
  type NoninFrame,
  type NoninPacket,
  type NoninPacketFields,
  type NoninPerfusion,
  type NoninStatusFlags,
} from './framers/nonin7';
export { Cms50dAggregator, noninPacketToItems, CMS50D_SAMPLE_RATE } from './parsers/oximeters';
export { LineFramer, type LineEvent } from './framers/lines';
export { parseMasimoLine } from './parsers/masimo';

// Raw ECG sample stream
export {
  encodeEcgFrame,
  readEcgHeader,
  ECG_MAX_FRAME_BYTES,
  type EcgFrame,
  type EcgFrameHeader,
  type EcgFrameInput,
} from './protocols/ecg-stream';
export { EcgStreamFramer, type EcgStreamEvent } from './framers/ecg-stream';
export { ecgFrameToItems } from './parsers/ecg';

export { crc16CcittFalse, crc32Ieee } from './util/crc';
export { hl7TimeToIso } from './util/time';
export { AstmLinkSender, type AstmSenderEvent, type AstmSenderOptions } from './framers/astm-sender';

// Transports: the byte pipe a session talks through (serialport by stable path, TCP, in-process pair)
export type { ByteTransport, LineSettings, TransportCloseInfo, TransportEvents } from './transport/types';
export {
  SerialPortTransport,
  listSerialPorts,
  serialOpenOptions,
  type SerialPortInfo,
  type SerialTransportOptions,
} from './transport/serial';
export { TcpTransport, type TcpTransportOptions } from './transport/tcp';
export { MemoryLink, MemoryTransport } from './transport/memory';

// Device profiles
export type { CodeMapping, DeviceCommand, DeviceKind, DeviceProfile } from './profiles/types';
export {
  ASTM_CHEMISTRY_ANALYSER,
  ASTM_HAEMATOLOGY_ANALYSER,
  CONTEC_CMS50D_PLUS,
  ECG_FRONT_END,
  HL7_MONITOR,
  MASIMO_RAD8,
  NONIN_FORMAT_7,
  defaultProfileFor,
  getProfile,
  listProfiles,
  registerProfile,
} from './profiles/registry';
export {
  CMS50D_KEEP_ALIVE_MS,
  CMS50D_START_LIVE_DATA,
  CMS50D_STAY_CONNECTED,
  CMS50D_STOP_LIVE_DATA,
} from './profiles/cms50d-commands';
export { applyCodeMappings, CHEMISTRY_CODE_MAPPINGS, HAEMATOLOGY_CODE_MAPPINGS } from './profiles/code-mappings';

// Sessions: transport ↔ framer/parser ↔ sink, with acknowledgements after storage
export {
  DeviceSession,
  type DeviceSessionOptions,
  type ItemSink,
  type SessionError,
  type SessionErrorKind,
  type SessionEvents,
  type StoreContext,
} from './session/session';
export type { InboundPipeline, PipelineIo, StoreMeta } from './session/pipeline';
export { createInboundPipeline, type PipelineOptions } from './session/pipelines';
export { astmMessageKey } from './session/astm-inbound';
export { hl7MessageKey } from './session/hl7-inbound';

// Supervisor: one connection kept alive (states, backoff, watchdog, unplug detection)
export {
  Supervisor,
  type ConnectionState,
  type StateChange,
  type SupervisorError,
  type SupervisorErrorKind,
  type SupervisorEvents,
  type SupervisorOptions,
  type SupervisorStatus,
} from './supervisor/supervisor';
export { systemClock, type Clock, type TimerHandle } from './supervisor/clock';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './supervisor/backoff';
export { stablePathPresence, type PortLister } from './supervisor/presence';

// Raw byte log and replay
export type { RawByteLog, RawLogDirection, RawLogEntry } from './raw-log/types';
export { MemoryRawByteLog } from './raw-log/memory';
export { replayRawLog, type ReplayOptions, type ReplayResult } from './raw-log/replay';

// Simulators
export {
  startSimulator,
  type RunningSimulator,
  type SimulatorStats,
  type StartSimulatorOptions,
} from './simulators/start';
export { createPtyPair, closeAllPtyPairs, livePtyPairCount, type PtyPair, type PtyPairOptions } from './simulators/pty';
export {
  cms50dSource,
  ecgSource,
  masimoLine,
  masimoSource,
  noninSource,
  oximeterVitalsAt,
  type EcgSimOptions,
  type MasimoSimOptions,
  type OximeterSimOptions,
  type PacketSource,
} from './simulators/sources';
export { StreamSimulator, type StreamSimulatorOptions, type StreamSimulatorStats } from './simulators/stream-simulator';
export {
  AstmSenderSimulator,
  type AstmSenderSimulatorOptions,
  type AstmSenderSimulatorStats,
} from './simulators/astm-sender-simulator';
export {
  Hl7SenderSimulator,
  type Hl7SenderSimulatorOptions,
  type Hl7SenderSimulatorStats,
} from './simulators/hl7-sender-simulator';
export {
  astmCbcRecords,
  cbcResults,
  hl7ControlId,
  hl7VitalsMessage,
  instrumentTimestamp,
  vitalsFor,
  type SimulatedResult,
  type SimulatedVitals,
} from './simulators/messages';
export { plethShape, rhythm, syntheticEcgMv, syntheticPleth, type Rhythm } from './simulators/waveforms';
export {
  decodeFormat16,
  decodeFormat212,
  parseWfdbHeader,
  readWfdbRecord,
  wfdbChecksum,
  type WfdbHeader,
  type WfdbRecord,
  type WfdbSignal,
} from './simulators/wfdb';
