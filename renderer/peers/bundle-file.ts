// USB bundle files in the browser: bytes to base64 and back (the API carries files
// as base64 text), the size a bundle may have to fit one API message, and what a
// refused bundle means for the person importing it.
import { ApiError, MAX_MESSAGE_BYTES } from '../../main/api';
import type { Text } from '../i18n/translate';

/**
 * The whole request travels as one WebSocket message, capped at MAX_MESSAGE_BYTES,
 * and base64 grows the file by 4/3: leave room for the envelope and the file name.
 */
export const MAX_BUNDLE_BYTES = Math.floor(((MAX_MESSAGE_BYTES - 2048) * 3) / 4);

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
  if (bytes > MAX_BUNDLE_BYTES) {
    return { key: 'bundle.file.tooLarge', vars: { kb: Math.floor(MAX_BUNDLE_BYTES / 1024) } };
  }
  return null;
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
