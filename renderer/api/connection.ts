// The one thing the client needs from a transport: send a JSON text, hear JSON texts
// back, and learn when the link to the clinic host comes and goes.
export interface HostConnection {
  /** Sends one message. Throws ConnectionError when the link is down. */
  send(json: string): void;
  onMessage(cb: (json: string) => void): void;
  onStatus(cb: (online: boolean) => void): void;
}

export type ConnectionFailure = 'lost' | 'unreachable' | 'timeout';

const FAILURE_MESSAGES: Record<ConnectionFailure, string> = {
  lost: 'Connection lost to the clinic host before it answered. Check that Sijill is running, then try again.',
  unreachable: 'The clinic host cannot be reached. Check that Sijill is running, then try again.',
  timeout: 'The clinic host did not answer in time. Try again.',
};

/** A request that failed because of the link, not because the host refused it. */
export class ConnectionError extends Error {
  readonly failure: ConnectionFailure;
  constructor(failure: ConnectionFailure) {
    super(FAILURE_MESSAGES[failure]);
    this.name = 'ConnectionError';
    this.failure = failure;
  }
}
