// The bundle file: what a field laptop with no network writes to a USB stick.
//
//   "SIJLBNDL" (8 bytes) ‖ u32-BE header length ‖ header ‖ sealed payload ‖ Ed25519 signature (64)
//
// The header is CBOR and readable without keys (format, version, bundle id, sending
// device, receiving clinic, creation time, sequence) so a refusal can say why. It
// names no patient or document: a lost stick reveals only which device wrote it for
// which clinic. Document ids, base heads, changes and entries are in the payload,
// sealed to the clinic's X25519 key (sealed-box: ephemeral ECDH, HKDF-SHA256,
// XChaCha20-Poly1305) with the header as associated data. The signature covers
// everything before it, so any altered byte is detected before decryption.
import { cbor } from '@automerge/automerge-repo';
import { z } from 'zod';
import { concatBytes, framed, plain, utf8 } from '../identity/bytes';

export const BUNDLE_MAGIC = utf8('SIJLBNDL');
export const BUNDLE_FORMAT = 'sijill-bundle';
export const BUNDLE_VERSION = 1;
export const BUNDLE_SIGN_LABEL = 'sijill/bundle/v1';
export const BUNDLE_SEAL_CONTEXT = 'bundle-payload';
const MAX_HEADER = 16 * 1024;

export const BundleHeader = z.strictObject({
  format: z.literal(BUNDLE_FORMAT),
  version: z.number().int(),
  bundleId: z.string().regex(/^[0-9a-f]{32}$/),
  fromDevice: z.string().min(1).max(64),
  toClinic: z.string().min(1).max(64),
  created: z.string().max(40),
  sequence: z.number().int().nonnegative(),
});
export type BundleHeader = z.infer<typeof BundleHeader>;

const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array).transform(plain);
const hashes = z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(10_000);

/** One signed entry row: opaque to sync/, except its id and content hash (append-only checks). */
export const BundleEntry = z.looseObject({
  id: z.string().min(1).max(200),
  contentHash: z.string().regex(/^[0-9a-f]{64}$/),
});
export type BundleEntry = z.infer<typeof BundleEntry>;

export const BundlePayload = z.strictObject({
  bundleId: z.string(),
  docs: z
    .array(
      z.strictObject({
        documentId: z.string().min(1).max(200),
        /** What the sender believed the receiver had. */
        baseHeads: hashes,
        /** The sender's heads: after import the receiver has at least these. */
        heads: hashes,
        changes: z.array(bytes),
      }),
    )
    .max(100_000),
  entries: z.array(BundleEntry).max(1_000_000),
});
export type BundlePayload = z.infer<typeof BundlePayload>;

export const signingMessage = (signedPart: Uint8Array) => framed(BUNDLE_SIGN_LABEL, signedPart);

export function encodeHeader(h: BundleHeader): Uint8Array {
  return new Uint8Array(cbor.encode(BundleHeader.parse(h)));
}

export function assemble(header: Uint8Array, sealed: Uint8Array, sign: (m: Uint8Array) => Uint8Array): Uint8Array {
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, header.length);
  const signedPart = concatBytes(BUNDLE_MAGIC, len, header, sealed);
  return concatBytes(signedPart, sign(signingMessage(signedPart)));
}

export interface BundleParts {
  header: BundleHeader;
  headerBytes: Uint8Array;
  sealed: Uint8Array;
  signedPart: Uint8Array;
  signature: Uint8Array;
}

/** Splits a file; undefined when it is not a bundle at all. */
export function split(file: Uint8Array): BundleParts | undefined {
  if (file.length < BUNDLE_MAGIC.length + 4 + 64) return undefined;
  for (let i = 0; i < BUNDLE_MAGIC.length; i++) if (file[i] !== BUNDLE_MAGIC[i]) return undefined;
  const len = new DataView(file.buffer, file.byteOffset + BUNDLE_MAGIC.length, 4).getUint32(0);
  const start = BUNDLE_MAGIC.length + 4;
  if (len > MAX_HEADER || start + len > file.length - 64) return undefined;
  const headerBytes = file.subarray(start, start + len);
  let raw: unknown;
  try {
    raw = cbor.decode(headerBytes);
  } catch {
    return undefined;
  }
  const h = BundleHeader.safeParse(raw);
  if (!h.success) return undefined;
  return {
    header: h.data,
    headerBytes,
    sealed: file.subarray(start + len, file.length - 64),
    signedPart: file.subarray(0, file.length - 64),
    signature: file.subarray(file.length - 64),
  };
}
