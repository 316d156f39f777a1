// HL7 v2 acknowledgements (original mode) and duplicate detection by MSH-10.
//
// ACK: MSH with sender and receiver swapped (MSH-3/4 ↔ MSH-5/6), MSH-9 'ACK^<trigger>^ACK', a new control id,
// MSH-11/12 echoed; MSA-1 the code (AA accept, AE error, AR reject), MSA-2 the original MSH-10, MSA-3 text.
// Same delimiters as the message acknowledged; segments end with CR.
import { isoToHl7Time } from '../util/time';
import { escapeHl7, hl7Field, hl7Get, hl7Segment, type Hl7Message } from './hl7';

export type Hl7AckCode = 'AA' | 'AE' | 'AR' | 'CA' | 'CE' | 'CR';

export interface Hl7AckOptions {
  code?: Hl7AckCode;
  /** MSA-3, escaped for you. */
  text?: string;
  /** MSH-10 of the ACK. Default: 'A' + the original control id, cut to 20 chars. */
  controlId?: string;
  /** MSH-7 of the ACK. Default: now. */
  now?: Date;
}

/** Builds the ACK for a parsed message (segments separated and terminated by CR). */
export function buildHl7Ack(message: Hl7Message, options: Hl7AckOptions = {}): string {
  const d = message.delimiters;
  const msh = hl7Segment(message, 'MSH');
  const raw = (n: number) => (msh ? hl7Field(msh, n) : '');
  const originalId = msh ? hl7Get(msh, 10, d) : '';
  const trigger = msh ? hl7Get(msh, 9, d, { comp: 2 }) : '';
  const enc = `${d.component}${d.repetition}${d.escape}${d.subcomponent}${d.truncation ?? ''}`;
  const controlId = options.controlId ?? `A${originalId}`.slice(0, 20);
  const type = trigger ? ['ACK', trigger, 'ACK'].join(d.component) : 'ACK';
  const mshOut = [
    'MSH',
    enc,
    raw(5),
    raw(6),
    raw(3),
    raw(4),
    isoToHl7Time(options.now ?? new Date()),
    '',
    type,
    escapeHl7(controlId, d),
    raw(11),
    raw(12),
  ].join(d.field);
  const msa = ['MSA', options.code ?? 'AA', escapeHl7(originalId, d)];
  if (options.text !== undefined) msa.push(escapeHl7(options.text, d));
  return `${mshOut}\r${msa.join(d.field)}\r`;
}

/**
 * Remembers the last `capacity` control ids (MSH-10, optionally qualified by the sender) and says whether a
 * message was seen before. Oldest ids are forgotten first, so memory stays bounded.
 */
export class Hl7DuplicateDetector {
  private readonly seen = new Map<string, true>();

  constructor(readonly capacity = 1024) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
  }

  get size(): number {
    return this.seen.size;
  }

  /** True if already seen; otherwise records it and returns false. */
  check(controlId: string, sender = ''): boolean {
    const key = `${sender}\u0000${controlId}`;
    if (this.seen.has(key)) {
      // refresh recency
      this.seen.delete(key);
      this.seen.set(key, true);
      return true;
    }
    this.seen.set(key, true);
    while (this.seen.size > this.capacity) {
      const oldest = this.seen.keys().next().value as string;
      this.seen.delete(oldest);
    }
    return false;
  }

  /** Convenience: checks a parsed message by MSH-10, qualified by MSH-3/MSH-4. */
  checkMessage(message: Hl7Message): boolean {
    const msh = hl7Segment(message, 'MSH');
    if (!msh) return false;
    const d = message.delimiters;
    return this.check(hl7Get(msh, 10, d), `${hl7Field(msh, 3)}|${hl7Field(msh, 4)}`);
  }
}
