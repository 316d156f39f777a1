// Outcomes of parsing and verifying notes from outside: a value, or a code the
// caller can act on with a message that says what went wrong. Never an exception.

export type NoteErrorCode =
  /** Not a well-formed signed note (syntax, encoding, control characters, limits). */
  | 'MALFORMED_NOTE'
  /** The note text is not a well-formed tlog checkpoint. */
  | 'MALFORMED_CHECKPOINT'
  /** A verifier key string could not be parsed or is inconsistent. */
  | 'MALFORMED_VERIFIER_KEY'
  /** No signature from any trusted key (only unknown keys signed, if any). */
  | 'UNKNOWN_KEY'
  /** A trusted key's signature does not verify: the note was altered or forged. */
  | 'BAD_SIGNATURE'
  /** Two trusted verifiers share a key name and key id but not a public key. */
  | 'AMBIGUOUS_KEY'
  /** A validly signed checkpoint for a different log than the one expected. */
  | 'ORIGIN_MISMATCH';

export interface NoteFailure {
  ok: false;
  code: NoteErrorCode;
  message: string;
}

export type NoteResult<T> = { ok: true; value: T } | NoteFailure;

export function fail(code: NoteErrorCode, message: string): NoteFailure {
  return { ok: false, code, message };
}
