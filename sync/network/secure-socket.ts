// One WebSocket, authenticated and encrypted: runs the handshake (sync/auth) on the
// first frames and only then delivers anything. Until the peer is authenticated no
// application frame is read or sent; a failed handshake closes the socket without
// a word to the peer (close code 4401, empty reason) — an unenrolled or revoked
// device learns nothing. Callbacks are synchronous on purpose: several frames can
// arrive in one TCP read, and a frame following the last handshake frame must not
// slip past while a promise settles.
import type WebSocket from 'ws';
import {
  clientHandshake,
  HandshakeError,
  serverHandshake,
  type AuthenticatedPeer,
  type HandshakeOptions,
  type Session,
} from '../auth/handshake';

export const CLOSE_AUTH_FAILED = 4401;
export const CLOSE_PROTOCOL = 4400;
export const CLOSE_REVOKED = 4403;

export interface SecureSocketEvents {
  authenticated(peer: AuthenticatedPeer): void;
  message(data: Uint8Array): void;
  /** Once, whatever the cause; `authFailure` when the handshake did not complete. */
  closed(info: { authFailure?: HandshakeError }): void;
}

export interface SecureSocket {
  readonly peer: AuthenticatedPeer | undefined;
  send(data: Uint8Array): void;
  close(code?: number): void;
  /**
   * Stop reading from the peer (backpressure: its frames wait in the kernel's buffers
   * and, once those fill, on the peer's side). Frames already read may still arrive.
   */
  pause(): void;
  resume(): void;
}

function toBytes(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

export function secureSocket(
  ws: WebSocket,
  role: 'client' | 'server',
  options: HandshakeOptions,
  events: SecureSocketEvents,
  handshakeTimeoutMs = 10_000,
): SecureSocket {
  let session: Session | undefined;
  let failure: HandshakeError | undefined;
  let closed = false;
  const client = role === 'client' ? clientHandshake(options) : undefined;
  const machine = client ?? serverHandshake(options);

  const fail = (e: HandshakeError) => {
    failure ??= e;
    shut(CLOSE_AUTH_FAILED);
  };
  const shut = (code: number) => {
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code);
    finish();
  };
  const finish = () => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    events.closed(failure ? { authFailure: failure } : {});
  };
  const timer = setTimeout(() => {
    if (!session) fail(new HandshakeError('timeout', 'handshake did not complete in time'));
  }, handshakeTimeoutMs);
  timer.unref?.();

  const sendFirst = () => {
    if (client && ws.readyState === ws.OPEN) ws.send(client.first);
  };
  if (ws.readyState === ws.OPEN) sendFirst();
  else ws.once('open', sendFirst);

  ws.on('message', (data, isBinary) => {
    if (closed) return;
    if (!isBinary) return session ? shut(CLOSE_PROTOCOL) : fail(new HandshakeError('malformed', 'text frame'));
    const bytes = toBytes(data);
    if (session) {
      let plain: Uint8Array;
      try {
        plain = session.inbound.open(bytes);
      } catch {
        return shut(CLOSE_PROTOCOL);
      }
      events.message(plain);
      return;
    }
    try {
      const step = machine.receive(bytes);
      if (step.reply) ws.send(step.reply);
      if (step.session) {
        session = step.session;
        clearTimeout(timer);
        events.authenticated(session.peer);
      }
    } catch (e) {
      fail(e instanceof HandshakeError ? e : new HandshakeError('malformed', String(e)));
    }
  });
  ws.on('close', () => {
    if (!session && !failure) failure = new HandshakeError('closed', 'connection closed during the handshake');
    finish();
  });
  ws.on('error', () => {
    // 'close' follows an error; the error itself carries nothing the caller can act on.
  });

  return {
    get peer() {
      return session?.peer;
    },
    send(data) {
      if (!session || closed || ws.readyState !== ws.OPEN) return;
      ws.send(session.outbound.seal(data));
    },
    close(code = 1000) {
      shut(code);
    },
    pause() {
      ws.pause();
    },
    resume() {
      ws.resume();
    },
  };
}
