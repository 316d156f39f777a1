// Standard base64 with padding (RFC 4648 §4), as signed notes and checkpoints use.
// Decoding is strict: one spelling per byte string, so a signed value cannot be
// re-encoded differently (no whitespace, no missing padding, no stray bits).

const CANONICAL_SHAPE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  // Chunked: String.fromCharCode with a huge spread would overflow the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** The bytes of a canonical base64 string, or undefined for anything else. */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (typeof text !== 'string' || !CANONICAL_SHAPE.test(text)) return undefined;
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  // "QQ==" and "QR==" both decode to "A"; only the spelling with zero padding bits is accepted.
  return encodeBase64(bytes) === text ? bytes : undefined;
}
