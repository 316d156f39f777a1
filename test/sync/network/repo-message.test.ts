// Messages from an authenticated peer must carry its own peer id as sender and ours
// as target: a device cannot speak for another (automerge-repo trusts senderId).
import { cbor } from '@automerge/automerge-repo';
import { describe, expect, it } from 'vitest';
import { decodeRepoMessage } from '../../../sync/network/repo-message';

const enc = (m: unknown) => new Uint8Array(cbor.encode(m));

describe('decodeRepoMessage', () => {
  it('accepts a well-addressed message and refuses spoofed, misaddressed or malformed ones', () => {
    const ok = {
      type: 'sync',
      senderId: 'device-a',
      targetId: 'device-b',
      documentId: 'd1',
      data: new Uint8Array([1]),
    };
    expect(decodeRepoMessage(enc(ok), 'device-a', 'device-b')).toMatchObject({ type: 'sync', documentId: 'd1' });
    expect(decodeRepoMessage(enc({ ...ok, senderId: 'device-c' }), 'device-a', 'device-b')).toBeUndefined();
    expect(decodeRepoMessage(enc({ ...ok, targetId: 'device-c' }), 'device-a', 'device-b')).toBeUndefined();
    expect(decodeRepoMessage(enc({ ...ok, documentId: 7 }), 'device-a', 'device-b')).toBeUndefined();
    expect(decodeRepoMessage(enc({ ...ok, data: 'text' }), 'device-a', 'device-b')).toBeUndefined();
    expect(decodeRepoMessage(enc([1, 2]), 'device-a', 'device-b')).toBeUndefined();
    expect(decodeRepoMessage(new Uint8Array([0xff, 0xff]), 'device-a', 'device-b')).toBeUndefined();
  });
});
