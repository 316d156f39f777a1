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

export { crc16CcittFalse } from './util/crc';
export { hl7TimeToIso } from './util/time';
export { AstmLinkSender, type AstmSenderEvent, type AstmSenderOptions } from './framers/astm-sender';
