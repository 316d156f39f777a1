// Typed errors that cross the API boundary. Every refusal a user can meet has a
// code the UI can act on and a message that says what to do.
export const ERROR_CODES = [
  'BAD_REQUEST', // malformed message or unknown method
  'VALIDATION', // well-formed but the values are not acceptable
  'UNAUTHENTICATED', // no session, or it expired
  'FORBIDDEN', // the role may not do this
  'NOT_FOUND',
  'CONFLICT',
  'NOT_INITIALIZED', // first-run setup has not been done
  'ALREADY_INITIALIZED',
  'LOCKED', // the database is locked: unlock with its passphrase
  'WRONG_PASSPHRASE',
  'ACCOUNT_LOCKED', // too many failed logins
  'UNAVAILABLE', // another device (sync peer) could not be reached
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ApiErrorBody {
  code: ErrorCode;
  message: string;
  /** Field-level problems for VALIDATION errors: path (dotted) and message. */
  issues?: { path: string; message: string }[];
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly issues?: { path: string; message: string }[];
  constructor(code: ErrorCode, message: string, issues?: { path: string; message: string }[]) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.issues = issues;
  }
  toBody(): ApiErrorBody {
    return this.issues
      ? { code: this.code, message: this.message, issues: this.issues }
      : { code: this.code, message: this.message };
  }
}
