// USB bundle files in the browser: bytes to base64 and back (the API carries files
// as base64 text), the sizes that travel whole or in pieces, and what a
// refused bundle means for the person importing it.
import { ApiError, BUNDLE_PIECE_BYTES, MAX_BUNDLE_UPLOAD_BYTES, MAX_MESSAGE_BYTES } from '../../main/api';
import type { Text } from '../i18n/translate';

/**
 * A bundle up to this size travels whole in one API message (capped at
 * MAX_MESSAGE_BYTES; base64 grows it by 4/3, and the envelope and file name need room);
 * a larger one is uploaded in pieces (uploadBundle).
 */
export const MAX_WHOLE_BUNDLE_BYTES = Math.floor(((MAX_MESSAGE_BYTES - 2048) * 3) / 4);

/** Base64 of bytes, in slices: String.fromCharCode(...bytes) overflows the stack on large files. */
export function bytesToBase64(bytes: Uint8Array): string {
  const SLICE = 0x8000;
  let binary = '';
  for (let i = 0; i < bytes.length; i += SLICE) {
    binary += String.fromCharCode(...bytes.subarray(i, i + SLICE));
  }
  return btoa(binary);
}

export function base64ToBytes(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Checked before the file is read at all: null when the size is acceptable. */
export function checkBundleFileSize(bytes: number): Text | null {
  if (bytes === 0) return { key: 'bundle.file.empty' };
  if (bytes > MAX_BUNDLE_UPLOAD_BYTES) {
    return { key: 'bundle.file.tooLarge', vars: { kb: Math.floor(MAX_BUNDLE_UPLOAD_BYTES / 1024) } };
  }
  return null;
}

/** The pieces of a file for bundles.upload, in order, each as base64. */
export function* bundlePieces(bytes: Uint8Array, pieceBytes = BUNDLE_PIECE_BYTES): Generator<string> {
  for (let at = 0; at < bytes.length; at += pieceBytes) yield bytesToBase64(bytes.subarray(at, at + pieceBytes));
}

export type BundleRefusal = 'tampered' | 'replayed' | 'foreign' | 'revoked' | 'missingBase' | 'other';

/**
 * The host refuses a bundle with VALIDATION and the bundle library's own English
 * sentence, without its refusal code (see the report on the API): the kind is read
 * from that sentence so the title can say it in the user's language. The sentence
 * itself is always shown too, so an unrecognised one loses nothing.
 */
const REFUSALS: readonly [RegExp, BundleRefusal][] = [
  [/already imported/i, 'replayed'],
  [/another clinic|not enrolled in this clinic/i, 'foreign'],
  [/was revoked/i, 'revoked'],
  [
    /altered|damaged|not a Sijill bundle|cannot be decrypted|not readable|cannot be read|do(es)? not verify/i,
    'tampered',
  ],
  [/earlier changes/i, 'missingBase'],
];

export function bundleRefusal(error: unknown): BundleRefusal | null {
  if (!(error instanceof ApiError) || error.code !== 'VALIDATION') return null;
  for (const [pattern, kind] of REFUSALS) if (pattern.test(error.message)) return kind;
  return 'other';
}

export function bundleRefusalText(kind: BundleRefusal): Text {
  return { key: `bundle.refused.${kind}` };
}
