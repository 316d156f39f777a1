// Shared types of the device-bridge protocol core: coded concepts, decoded items, framer errors.

export type CaptureProtocol = 'astm' | 'hl7' | 'cms50d' | 'nonin' | 'masimo' | 'ecg';

export type CodeSystem = 'LOINC' | 'MDC' | 'local';

/** A coded concept. For MDC, `code` is the decimal context-free code (e.g. '150456') and `display` the reference id. */
export interface Code {
  system: CodeSystem;
  code: string;
  display?: string;
}

/** Where a decoded item came from in the input: byte offset of its record/segment/packet and a short reference. */
export interface ItemSource {
  protocol: CaptureProtocol;
  offset: number;
  /** e.g. 'R|3' (ASTM record type and sequence), 'OBX|4' (HL7 segment and set id), 'packet' */
  ref?: string;
}

interface ObservationBase {
  code: Code;
  /** Other codes for the same concept (e.g. the MDC code of an SpO2 reading, a LOINC code an analyser sent). */
  altCodes?: Code[];
  unit?: string;
  referenceRange?: string;
  abnormalFlag?: string;
  /** Result status as sent (ASTM R-9, HL7 OBX-11: F final, P preliminary, C correction, X cannot be obtained …). */
  status?: string;
  /** ISO 8601 date-time; local time unless the device sent an offset. */
  observedAt?: string;
  patientIds?: string[];
  sampleId?: string;
  comments?: string[];
  /** ASTM: the universal test id components as sent, e.g. ['', '', '', 'WBC', '804-5', '1']. */
  testId?: string[];
  source?: ItemSource;
}

export interface NumericObservation extends ObservationBase {
  kind: 'numeric';
  value: number;
  /** Set when the device sent a bound rather than a value ('<0.5', '>^100'). */
  comparator?: '<' | '>' | '<=' | '>=' | '=' | '<>';
}

/** A result that is not a plain number: free text, a coded answer, an instrument's invalid marker ('-----'), or empty. */
export interface TextObservation extends ObservationBase {
  kind: 'text';
  value: string;
}

export interface WaveformChunk {
  kind: 'waveform';
  code: Code;
  altCodes?: Code[];
  /** Samples per second; null when the message did not say. */
  sampleRate: number | null;
  samples: Int16Array | number[];
  t0?: string;
  unit?: string;
  /** Physical value of one sample unit, in `unit` (e.g. nanovolts per ADC count). */
  scale?: number;
  channel?: number;
  sequence?: number;
  /** Index of the first sample since the start of the stream (oximeter plethysmograms). */
  startSample?: number;
  /** Signal conditions over the chunk (ECG: leadOff, saturated). */
  flags?: Record<string, boolean>;
  observedAt?: string;
  patientIds?: string[];
  sampleId?: string;
  source?: ItemSource;
}

export type OximeterDevice = 'cms50d' | 'nonin' | 'masimo';

/** Device and signal state of a pulse oximeter over one chunk/packet/line. */
export interface OximeterStatus {
  kind: 'oximeter-status';
  device: OximeterDevice;
  flags: Record<string, boolean | number | string>;
  serialNumber?: string;
  observedAt?: string;
  startSample?: number;
  sampleCount?: number;
  source?: ItemSource;
}

/** One ASTM (H…L) or HL7 message: header facts, so a caller can log, acknowledge or de-duplicate it. */
export interface MessageSummary {
  kind: 'message';
  protocol: 'astm' | 'hl7';
  sender?: string;
  receiver?: string;
  messageType?: string;
  controlId?: string;
  version?: string;
  processingId?: string;
  timestamp?: string;
  /** Records (ASTM) or segments (HL7) per type, e.g. { R: 21, C: 3 }. */
  counts: Record<string, number>;
  complete: boolean;
  source?: ItemSource;
}

export type Observation = NumericObservation | TextObservation;

export type DecodedItem = NumericObservation | TextObservation | WaveformChunk | OximeterStatus | MessageSummary;

/** A problem in the input, located by absolute byte offset from the start of the stream. */
export interface DecodeError {
  offset: number;
  message: string;
}

/** Framer error event, shared by every framer. */
export interface FramerError {
  type: 'error';
  offset: number;
  message: string;
}
