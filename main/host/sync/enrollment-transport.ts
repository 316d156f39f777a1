// Carrying the enrollment messages (sync/identity/enrollment.ts) over the LAN: the
// joining device opens ws://HOST:PORT/enroll on a device that listens for peers,
// sends its join request, and gets the grant back in one reply. Nothing here is
// trusted by itself: the grant carries its own MAC under the code key, which
// acceptEnrollmentGrant checks. The envelope adds the ids of the clinic's shared
// documents and the enrolling device's id (a label, checked against the roster).
import { cbor } from '@automerge/automerge-repo';
import WebSocket from 'ws';

export interface EnrollReply {
  ok: true;
  grant: Uint8Array;
  rosterDocId: string;
  catalogDocId: string;
  enrollerDeviceId: string;
}
export type EnrollAnswer = EnrollReply | { ok: false; error: string };

export const encodeAnswer = (a: EnrollAnswer): Uint8Array => new Uint8Array(cbor.encode(a));

export function decodeAnswer(data: Uint8Array): EnrollAnswer {
  const raw = cbor.decode(data) as Record<string, unknown>;
  if (raw?.ok === false && typeof raw.error === 'string') return { ok: false, error: raw.error };
  if (
    raw?.ok === true &&
    raw.grant instanceof Uint8Array &&
    typeof raw.rosterDocId === 'string' &&
    typeof raw.catalogDocId === 'string' &&
    typeof raw.enrollerDeviceId === 'string'
  )
    return raw as unknown as EnrollReply;
  throw new Error('the enrolling device sent an unreadable answer');
}

/** Sends one join request to `${peerUrl}/enroll` and returns the answer. */
export function requestEnrollment(peerUrl: string, request: Uint8Array, timeoutMs = 20_000): Promise<EnrollAnswer> {
  const url = `${peerUrl.replace(/\/+$/, '')}/enroll`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { maxPayload: 64 * 1024 * 1024 });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`no answer from ${peerUrl} within ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    ws.once('open', () => ws.send(request));
    ws.once('message', (data: Buffer) => {
      clearTimeout(timer);
      ws.close();
      try {
        resolve(decodeAnswer(new Uint8Array(data)));
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
    ws.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`could not reach ${peerUrl}: ${err.message}`));
    });
    ws.once('close', () => {
      clearTimeout(timer);
      reject(new Error(`${peerUrl} closed the connection without answering`));
    });
  });
}
