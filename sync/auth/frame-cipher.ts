// Per-direction AEAD for frames after the handshake: ChaCha20-Poly1305 with a
// counter nonce. The transport (WebSocket over TCP) delivers in order, so each side
// knows the next counter; a dropped, replayed, reordered or altered frame fails to
// open and the connection is closed. Keys come from the handshake and are never reused.
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';

function nonceFor(counter: bigint): Uint8Array {
  const n = new Uint8Array(12);
  new DataView(n.buffer).setBigUint64(4, counter);
  return n;
}

export class FrameCipher {
  readonly #key: Uint8Array;
  readonly #aad: Uint8Array | undefined;
  #counter = 0n;

  constructor(key: Uint8Array, aad?: Uint8Array) {
    if (key.length !== 32) throw new TypeError('frame key must be 32 bytes');
    this.#key = new Uint8Array(key);
    this.#aad = aad;
  }

  seal(plaintext: Uint8Array): Uint8Array {
    return chacha20poly1305(this.#key, nonceFor(this.#counter++), this.#aad).encrypt(plaintext);
  }

  /** Throws on any alteration or out-of-order frame; the counter advances only on success. */
  open(ciphertext: Uint8Array): Uint8Array {
    const plain = chacha20poly1305(this.#key, nonceFor(this.#counter), this.#aad).decrypt(ciphertext);
    this.#counter++;
    return plain;
  }
}
