// A HostConnection the test drives by hand: it records what the client sends and
// delivers whatever the test pretends the host answered.
import { ConnectionError, type HostConnection } from '../../renderer/api/connection';
import { RequestMessage } from '../../main/api';

export class FakeConnection implements HostConnection {
  readonly sent: RequestMessage[] = [];
  private online: boolean;
  private messageListener: ((json: string) => void) | null = null;
  private statusListener: ((online: boolean) => void) | null = null;

  constructor(online = true) {
    this.online = online;
  }

  send(json: string): void {
    if (!this.online) throw new ConnectionError('unreachable');
    // Every request must be a valid wire message: parse it with the contract's schema.
    this.sent.push(RequestMessage.parse(JSON.parse(json)));
  }

  onMessage(cb: (json: string) => void): void {
    this.messageListener = cb;
  }

  onStatus(cb: (online: boolean) => void): void {
    this.statusListener = cb;
    cb(this.online);
  }

  setOnline(online: boolean): void {
    this.online = online;
    this.statusListener?.(online);
  }

  deliver(message: unknown): void {
    this.messageListener?.(typeof message === 'string' ? message : JSON.stringify(message));
  }

  lastRequest(): RequestMessage {
    const last = this.sent.at(-1);
    if (!last) throw new Error('nothing was sent');
    return last;
  }
}

/** Lets pending promise callbacks run. */
export const flush = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
