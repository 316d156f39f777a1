// Errors the store raises about the data directory itself. The host maps them to
// API error codes; the CLI prints their message and exits non-zero.
export type StoreErrorCode = 'NOT_INITIALIZED' | 'ALREADY_INITIALIZED' | 'WRONG_PASSPHRASE' | 'CORRUPT' | 'UNSUPPORTED';

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string) {
    super(message);
    this.name = 'StoreError';
    this.code = code;
  }
}
