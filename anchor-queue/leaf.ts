// The leaf preimage: what one log leaf commits to. Only its hash leaves the
// clinic; the preimage itself stays in the database and goes into receipts.
//
// Health data is low-entropy: a content hash of "BP 120/80" can be found by
// guessing. Every leaf therefore carries a fresh random 32-byte salt, so a leaf
// hash reveals nothing about the record without the preimage. The salt is not
// optional, and an all-zero salt (the usual sign of a forgotten one) is refused.
//
// ENCODING, version 1 (all lengths are unsigned big-endian):
//   offset  size  field
//   0       18    magic: ASCII "sijill-anchor-leaf" (domain separation from any
//                 other hashed structure)
//   18      1     version: 0x01
//   19      2     L1 = byte length of the origin device id
//   21      L1    origin device id, UTF-8
//   ..      2     L2 = byte length of the record kind
//   ..      L2    record kind, ASCII (lowercase token, e.g. "entry", "audit")
//   ..      2     L3 = byte length of the record id
//   ..      L3    record id, UTF-8
//   ..      32    content hash (SHA-256 of the record's canonical content)
//   ..      32    salt
//   end: nothing may follow.
// Each variable field is length-prefixed and the two fixed fields have fixed
// sizes, so the encoding is prefix-free and parses back uniquely: two different
// preimages never encode to the same bytes. Strings must be well-formed Unicode
// (a lone surrogate would be replaced by U+FFFD and collide) and are not
// normalized: the exact code points are committed to.
//
// leafData(p) is the log leaf DATA; leafHash(p) = SHA-256(0x00 ‖ leafData(p)),
// the RFC 6962 leaf hash that is appended to the log and proven by receipts.
import { randomBytes } from '@noble/hashes/utils.js';
import { rfc6962Hasher } from './merkle/hasher';

export const LEAF_MAGIC = 'sijill-anchor-leaf';
export const LEAF_VERSION = 1;
export const LEAF_SALT_LENGTH = 32;
export const LEAF_CONTENT_HASH_LENGTH = 32;
const MAX_FIELD_BYTES = 0xffff;
const RECORD_KIND = /^[a-z][a-z0-9._-]{0,63}$/;
const LONE_SURROGATE = /\p{Cs}/u;

const utf8Encoder = new TextEncoder();
const magicBytes = utf8Encoder.encode(LEAF_MAGIC);

export interface LeafPreimage {
  /** The device whose log this leaf is in. */
  originDeviceId: string;
  /** What kind of record: a lowercase token such as "entry" or "audit". */
  recordKind: string;
  recordId: string;
  /** 32-byte SHA-256 of the record's canonical content. */
  contentHash: Uint8Array;
  /** 32 random bytes, unique to this leaf. */
  salt: Uint8Array;
}

// Salts come from a pool of CSPRNG output, 128 salts at a time: one randomBytes call
// costs ~3 µs whatever its size, and every record appends a leaf. Each salt is a view
// of its own 32 bytes of the pool (no copy, no allocation of its own), and a pool is
// never refilled: when it is used up the next salt starts a new one, so no byte is
// ever handed out twice.
const SALT_POOL_SALTS = 128;
let saltPool = new Uint8Array(0);
let saltPoolOffset = 0;

/** A fresh random salt. */
export function newLeafSalt(): Uint8Array {
  if (saltPoolOffset + LEAF_SALT_LENGTH > saltPool.length) {
    saltPool = randomBytes(LEAF_SALT_LENGTH * SALT_POOL_SALTS);
    saltPoolOffset = 0;
  }
  const salt = saltPool.subarray(saltPoolOffset, saltPoolOffset + LEAF_SALT_LENGTH);
  saltPoolOffset += LEAF_SALT_LENGTH;
  return salt;
}

/** A preimage for a record, with a fresh random salt. */
export function createLeafPreimage(fields: Omit<LeafPreimage, 'salt'>): LeafPreimage {
  const preimage = { ...fields, contentHash: Uint8Array.from(fields.contentHash), salt: newLeafSalt() };
  leafData(preimage); // validates every field now rather than at append time
  return preimage;
}

/** The versioned, length-prefixed encoding above. Throws on an invalid preimage. */
export function leafData(preimage: LeafPreimage): Uint8Array {
  const length = encodeLeafData(preimage, EMPTY, 0);
  const out = new Uint8Array(length);
  encodeLeafData(preimage, out, 0);
  return out;
}

const EMPTY = new Uint8Array(0);

/**
 * Validates the preimage (throws like leafData) and writes leafData(preimage) into
 * `target` at `offset` when it fits; returns its length either way, and writes nothing
 * when it does not fit. For a caller that hashes many leaves through one buffer.
 */
export function encodeLeafData(preimage: LeafPreimage, target: Uint8Array, offset: number): number {
  // Runs twice for every committed entry (entry and audit leaves): no allocation, no
  // closures, and ASCII strings (device ids, kinds, record ids) written without a
  // TextEncoder. The checks and their order are the same for every input.
  const [device, kind] = originAndKind(preimage.originDeviceId, preimage.recordKind);
  const [id, contentHash, salt] = recordFields(preimage.recordId, preimage.contentHash, preimage.salt);
  const length = magicBytes.length + 1 + 6 + device.length + kind.length + id.length + 64;
  if (!fits(target, offset, length)) return length;
  target.set(magicBytes, offset);
  let at = offset + magicBytes.length;
  target[at++] = LEAF_VERSION;
  at = writeField(target, at, device);
  at = writeField(target, at, kind);
  writeRecordFields(target, at, id, contentHash, salt);
  return length;
}

/**
 * encodeLeafData for the leaves of one origin device and record kind: those two
 * fields are checked and encoded once, when the encoder is made; encodeInto checks
 * the others as encodeLeafData does and writes the same bytes.
 */
export class LeafDataEncoder {
  /** magic ‖ version ‖ origin device id ‖ record kind, each field length-prefixed. */
  readonly #start: Uint8Array;

  constructor(originDeviceId: string, recordKind: string) {
    const [device, kind] = originAndKind(originDeviceId, recordKind);
    this.#start = new Uint8Array(magicBytes.length + 1 + 4 + device.length + kind.length);
    this.#start.set(magicBytes, 0);
    this.#start[magicBytes.length] = LEAF_VERSION;
    writeField(this.#start, writeField(this.#start, magicBytes.length + 1, device), kind);
  }

  /** Like encodeLeafData({ originDeviceId, recordKind, recordId, contentHash, salt }, target, offset). */
  encodeInto(recordId: string, contentHash: Uint8Array, salt: Uint8Array, target: Uint8Array, offset: number): number {
    const [id, hash, checkedSalt] = recordFields(recordId, contentHash, salt);
    const length = this.#start.length + 2 + id.length + 64;
    if (!fits(target, offset, length)) return length;
    target.set(this.#start, offset);
    writeRecordFields(target, offset + this.#start.length, id, hash, checkedSalt);
    return length;
  }
}

function originAndKind(originDeviceId: unknown, recordKind: unknown): [string | Uint8Array, string | Uint8Array] {
  const device = utf8Field('origin device id', originDeviceId);
  if (typeof recordKind !== 'string' || !RECORD_KIND.test(recordKind)) {
    throw new TypeError('record kind must be a lowercase ASCII token like "entry" (at most 64 characters)');
  }
  return [device, utf8Field('record kind', recordKind)];
}

function recordFields(
  recordId: unknown,
  contentHash: unknown,
  salt: unknown,
): [string | Uint8Array, Uint8Array, Uint8Array] {
  const id = utf8Field('record id', recordId);
  const hash = fixedField('content hash', contentHash, LEAF_CONTENT_HASH_LENGTH);
  const checkedSalt = fixedField('salt', salt, LEAF_SALT_LENGTH);
  if (isAllZero(checkedSalt)) throw new TypeError('the salt is all zeros: every leaf needs a random salt');
  return [id, hash, checkedSalt];
}

function fits(target: Uint8Array, offset: number, length: number): boolean {
  return Number.isSafeInteger(offset) && offset >= 0 && offset + length <= target.length;
}

/** The record id field, the content hash and the salt: the end of every leaf. */
function writeRecordFields(
  target: Uint8Array,
  at: number,
  id: string | Uint8Array,
  contentHash: Uint8Array,
  salt: Uint8Array,
): void {
  const end = writeField(target, at, id);
  target.set(contentHash, end);
  target.set(salt, end + LEAF_CONTENT_HASH_LENGTH);
}

/** RFC 6962 leaf hash of the preimage: SHA-256(0x00 ‖ leafData(preimage)). */
export function leafHash(preimage: LeafPreimage): Uint8Array {
  return rfc6962Hasher.hashLeaf(leafData(preimage));
}

/** Parses leaf data back into its preimage; undefined if it is not a valid version 1 encoding. */
export function decodeLeafData(data: Uint8Array): LeafPreimage | undefined {
  if (!(data instanceof Uint8Array)) return undefined;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let offset = 0;
  const take = (length: number): Uint8Array | undefined => {
    if (offset + length > data.length) return undefined;
    const bytes = data.slice(offset, offset + length);
    offset += length;
    return bytes;
  };
  const takeString = (): string | undefined => {
    const prefix = take(2);
    if (!prefix) return undefined;
    const bytes = take(((prefix[0] as number) << 8) | (prefix[1] as number));
    if (!bytes) return undefined;
    try {
      return decoder.decode(bytes);
    } catch {
      return undefined;
    }
  };
  const magic = take(magicBytes.length);
  if (!magic || !magic.every((byte, i) => byte === magicBytes[i])) return undefined;
  if (take(1)?.[0] !== LEAF_VERSION) return undefined;
  const originDeviceId = takeString();
  const recordKind = takeString();
  const recordId = takeString();
  const contentHash = take(LEAF_CONTENT_HASH_LENGTH);
  const salt = take(LEAF_SALT_LENGTH);
  if (originDeviceId === undefined || recordKind === undefined || recordId === undefined) return undefined;
  if (!contentHash || !salt || offset !== data.length) return undefined;
  const preimage = { originDeviceId, recordKind, recordId, contentHash, salt };
  try {
    leafData(preimage); // the same rules as encoding: empty fields, bad kind, zero salt
  } catch {
    return undefined;
  }
  return preimage;
}

/**
 * A validated string field as its UTF-8 bytes: the string itself when it is ASCII
 * (one byte per character, no lone surrogate possible), else its encoding.
 */
function utf8Field(name: string, value: unknown): string | Uint8Array {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`${name} must be a non-empty string`);
  let ascii = true;
  for (let i = 0; i < value.length; i++) {
    if (value.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    if (value.length > MAX_FIELD_BYTES) throw new RangeError(`${name} is longer than ${MAX_FIELD_BYTES} UTF-8 bytes`);
    return value;
  }
  if (LONE_SURROGATE.test(value)) throw new TypeError(`${name} is not well-formed Unicode (lone surrogate)`);
  const bytes = utf8Encoder.encode(value);
  if (bytes.length > MAX_FIELD_BYTES) throw new RangeError(`${name} is longer than ${MAX_FIELD_BYTES} UTF-8 bytes`);
  return bytes;
}

/** Writes a field's 2-byte length and its bytes at `offset`; returns the offset after it. */
function writeField(out: Uint8Array, offset: number, field: string | Uint8Array): number {
  const length = field.length;
  out[offset] = length >>> 8;
  out[offset + 1] = length & 0xff;
  offset += 2;
  if (typeof field === 'string') {
    for (let i = 0; i < length; i++) out[offset + i] = field.charCodeAt(i);
  } else {
    out.set(field, offset);
  }
  return offset + length;
}

function isAllZero(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

function fixedField(name: string, value: unknown, length: number): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== length) {
    throw new TypeError(`${name} must be exactly ${length} bytes`);
  }
  return value;
}
