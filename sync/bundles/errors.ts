// Refusals of a bundle, each with a message fit to show the person importing it.
export type BundleErrorCode =
  | 'not-a-bundle'
  | 'unsupported-version'
  | 'foreign-clinic'
  | 'unknown-sender'
  | 'revoked-sender'
  | 'bad-signature'
  | 'undecryptable'
  | 'replayed'
  | 'malformed-payload'
  | 'bad-entries'
  | 'missing-base';

export class BundleError extends Error {
  override name = 'BundleError';
  constructor(
    readonly code: BundleErrorCode,
    message: string,
    /** For bad-entries: which entries, and why. */
    readonly details: { id: string; reason: string }[] = [],
  ) {
    super(message);
  }
}
