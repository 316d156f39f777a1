// Decoding and checking automerge-repo messages from an authenticated peer. The
// handshake proved which peer id is on the other end; a message claiming another
// sender, or addressed to someone else, is dropped — automerge-repo itself trusts
// senderId, so this is where spoofing one device as another is stopped.
import { cbor, type Message } from '@automerge/automerge-repo';

export function decodeRepoMessage(data: Uint8Array, from: string, to: string | undefined): Message | undefined {
  let m: unknown;
  try {
    m = cbor.decode(data);
  } catch {
    return undefined;
  }
  if (typeof m !== 'object' || m === null) return undefined;
  const r = m as Record<string, unknown>;
  if (typeof r.type !== 'string' || r.senderId !== from || r.targetId !== to) return undefined;
  if ('documentId' in r && typeof r.documentId !== 'string') return undefined;
  if ('data' in r && r.data !== undefined && !(r.data instanceof Uint8Array)) return undefined;
  return r as unknown as Message;
}

export const encodeRepoMessage = (m: Message): Uint8Array => new Uint8Array(cbor.encode(m));
