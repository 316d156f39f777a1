// C2SP signed notes (c2sp.org/signed-note): a text ending in a newline, a blank
// line, then one line per signature: "— <key name> <base64(key id ‖ signature)>".
import { decodeBase64, encodeBase64 } from './base64';
import { formatKeyId, type NoteSigner, type NoteVerifier } from './note-keys';
import { isValidKeyName, noteCharacterProblem } from './note-syntax';
import { fail, type NoteResult } from './result';

const SIGNATURE_PREFIX = '\u2014 '; // em dash, space
/** The spec requires accepting at least 16 signatures; more than this is refused as abuse. */
export const MAX_NOTE_SIGNATURES = 100;
/** Checkpoints are a few hundred bytes; this bounds the work an outside note can cause. */
export const MAX_NOTE_BYTES = 1 << 20;

export interface NoteSignature {
  name: string;
  keyId: number;
  signature: Uint8Array;
}

export interface ParsedNote {
  /** The signed text, including its final newline. */
  text: string;
  signatures: NoteSignature[];
}

/** A key that signed, identified as in the note: name and key id. */
export interface NoteKeyRef {
  name: string;
  keyId: number;
}

export interface VerifiedNote {
  text: string;
  /** Trusted keys whose signatures verified (each once). */
  verifiedBy: NoteKeyRef[];
  /** Signatures by keys the caller does not trust; ignored, as the spec requires. */
  ignored: NoteKeyRef[];
}

/**
 * Signs `text` with each signer. The text must end with a newline and must not
 * contain control characters other than newline. Throws on such programming errors.
 */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  if (typeof text !== 'string' || !text.endsWith('\n')) throw new TypeError('note text must end with a newline');
  const problem = noteCharacterProblem(text);
  if (problem) throw new TypeError(`note text cannot be signed: ${problem}`);
  if (signers.length === 0) throw new TypeError('a signed note needs at least one signer');
  const message = new TextEncoder().encode(text);
  let note = `${text}\n`;
  for (const signer of signers) {
    if (!isValidKeyName(signer.name)) throw new TypeError(`invalid key name ${JSON.stringify(signer.name)}`);
    const signature = signer.sign(message);
    const payload = new Uint8Array(4 + signature.length);
    new DataView(payload.buffer).setUint32(0, signer.keyId, false);
    payload.set(signature, 4);
    note += `${SIGNATURE_PREFIX}${signer.name} ${encodeBase64(payload)}\n`;
  }
  return note;
}

/** Splits a note into its text and signature lines, checking syntax only. Never throws. */
export function parseNote(note: string | Uint8Array): NoteResult<ParsedNote> {
  const decoded = decodeNote(note);
  if (!decoded.ok) return decoded;
  const message = decoded.value;
  const problem = noteCharacterProblem(message);
  if (problem) return fail('MALFORMED_NOTE', `the note is not allowed: ${problem}`);

  // The text ends at the LAST blank line; it may contain blank lines itself.
  const split = message.lastIndexOf('\n\n');
  if (split < 0) return fail('MALFORMED_NOTE', 'no blank line separates the text from the signatures');
  const text = message.slice(0, split + 1);
  const block = message.slice(split + 2);
  if (block.length === 0) return fail('MALFORMED_NOTE', 'the note has no signature lines');
  if (!block.endsWith('\n')) return fail('MALFORMED_NOTE', 'the last signature line must end with a newline');

  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) {
    return fail('MALFORMED_NOTE', `more than ${MAX_NOTE_SIGNATURES} signature lines`);
  }
  const signatures: NoteSignature[] = [];
  for (const [i, line] of lines.entries()) {
    const parsed = parseSignatureLine(line);
    if (!parsed) {
      return fail('MALFORMED_NOTE', `signature line ${i + 1} is not "— <key name> <base64 signature>"`);
    }
    signatures.push(parsed);
  }
  return { ok: true, value: { text, signatures } };
}

/**
 * Verifies a note against trusted keys, per the spec: signatures by unknown keys
 * (name and key id not both matching a verifier) are ignored; any signature by a
 * trusted key that does not verify rejects the whole note; at least one trusted
 * signature must verify. Never throws on a malformed note.
 */
export function verifyNote(note: string | Uint8Array, verifiers: readonly NoteVerifier[]): NoteResult<VerifiedNote> {
  const parsed = parseNote(note);
  if (!parsed.ok) return parsed;
  const trusted = indexVerifiers(verifiers);
  if (!trusted.ok) return trusted;

  const message = new TextEncoder().encode(parsed.value.text);
  const verifiedBy: NoteKeyRef[] = [];
  const ignored: NoteKeyRef[] = [];
  for (const { name, keyId, signature } of parsed.value.signatures) {
    const verifier = trusted.value.get(keyRef(name, keyId));
    if (!verifier) {
      ignored.push({ name, keyId });
      continue;
    }
    if (!verifier.verify(message, signature)) {
      return fail(
        'BAD_SIGNATURE',
        `the signature by ${name}+${formatKeyId(keyId)} does not verify: the note was altered or not signed by that key`,
      );
    }
    if (!verifiedBy.some((ref) => ref.name === name && ref.keyId === keyId)) verifiedBy.push({ name, keyId });
  }
  if (verifiedBy.length === 0) {
    const seen = ignored.map((ref) => `${ref.name}+${formatKeyId(ref.keyId)}`).join(', ');
    return fail('UNKNOWN_KEY', `no signature by a trusted key (the note is signed by: ${seen})`);
  }
  return { ok: true, value: { text: parsed.value.text, verifiedBy, ignored } };
}

function decodeNote(note: unknown): NoteResult<string> {
  if (typeof note === 'string') {
    if (note.length > MAX_NOTE_BYTES) return fail('MALFORMED_NOTE', `the note is larger than ${MAX_NOTE_BYTES} bytes`);
    return { ok: true, value: note };
  }
  if (note instanceof Uint8Array) {
    if (note.length > MAX_NOTE_BYTES) return fail('MALFORMED_NOTE', `the note is larger than ${MAX_NOTE_BYTES} bytes`);
    try {
      // ignoreBOM keeps a leading U+FEFF, so the text is exactly the bytes that were signed.
      return { ok: true, value: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(note) };
    } catch {
      return fail('MALFORMED_NOTE', 'the note is not valid UTF-8');
    }
  }
  return fail('MALFORMED_NOTE', 'a note is a string or UTF-8 bytes');
}

function parseSignatureLine(line: string): NoteSignature | undefined {
  if (!line.startsWith(SIGNATURE_PREFIX)) return undefined;
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  if (space < 0) return undefined;
  const name = rest.slice(0, space);
  const payload = decodeBase64(rest.slice(space + 1));
  // At least the 4-byte key id and one byte of signature.
  if (!isValidKeyName(name) || !payload || payload.length < 5) return undefined;
  const keyId = new DataView(payload.buffer, payload.byteOffset, 4).getUint32(0, false);
  return { name, keyId, signature: payload.subarray(4) };
}

function keyRef(name: string, keyId: number): string {
  return `${name}+${formatKeyId(keyId)}`;
}

function indexVerifiers(verifiers: readonly NoteVerifier[]): NoteResult<Map<string, NoteVerifier>> {
  const byRef = new Map<string, NoteVerifier>();
  for (const verifier of verifiers) {
    const ref = keyRef(verifier.name, verifier.keyId);
    const known = byRef.get(ref);
    if (known && !sameBytes(known.publicKey, verifier.publicKey)) {
      return fail('AMBIGUOUS_KEY', `two trusted keys are both named ${ref}; remove one from the configuration`);
    }
    byRef.set(ref, verifier);
  }
  return { ok: true, value: byRef };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
