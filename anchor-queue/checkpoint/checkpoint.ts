// C2SP tlog checkpoints (c2sp.org/tlog-checkpoint): a signed note whose text is
//   <origin>\n<tree size, decimal>\n<base64 root hash>\n[<extension line>\n]*
import { decodeBase64, encodeBase64 } from './base64';
import type { NoteSigner, NoteVerifier } from './note-keys';
import { noteCharacterProblem } from './note-syntax';
import { fail, type NoteResult } from './result';
import { signNote, verifyNote, type NoteKeyRef } from './signed-note';

export interface Checkpoint {
  /** Unique identity of the log, e.g. "sijill.example/clinic-7/device-3". */
  origin: string;
  /** Number of leaves. */
  size: number;
  /** RFC 6962 root at that size, 32 bytes. */
  rootHash: Uint8Array;
  /** Opaque extra lines (NOT RECOMMENDED by the spec: monitors cannot audit them). */
  extensions?: readonly string[];
}

export interface VerifiedCheckpoint {
  checkpoint: Checkpoint & { extensions: readonly string[] };
  verifiedBy: NoteKeyRef[];
}

const DECIMAL = /^(?:0|[1-9][0-9]*)$/;

/** The checkpoint's note text. Throws if a field cannot be represented. */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  const { origin, size, rootHash, extensions = [] } = checkpoint;
  checkLine('origin', origin);
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`tree size must be a leaf count, got ${size}`);
  if (!(rootHash instanceof Uint8Array) || rootHash.length !== 32) throw new TypeError('root hash must be 32 bytes');
  extensions.forEach((line, i) => checkLine(`extension line ${i + 1}`, line));
  return [origin, String(size), encodeBase64(rootHash), ...extensions].join('\n') + '\n';
}

/** Parses checkpoint note text (already verified, or for inspection). Never throws. */
export function parseCheckpoint(text: string): NoteResult<Checkpoint & { extensions: readonly string[] }> {
  if (typeof text !== 'string') return fail('MALFORMED_CHECKPOINT', 'checkpoint text must be a string');
  const problem = noteCharacterProblem(text);
  if (problem) return fail('MALFORMED_CHECKPOINT', `the checkpoint is not allowed: ${problem}`);
  if (!text.endsWith('\n')) return fail('MALFORMED_CHECKPOINT', 'the checkpoint text must end with a newline');
  const [origin, sizeLine, rootLine, ...extensions] = text.slice(0, -1).split('\n');
  if (origin === undefined || sizeLine === undefined || rootLine === undefined) {
    return fail('MALFORMED_CHECKPOINT', 'a checkpoint has at least 3 lines: origin, tree size, root hash');
  }
  if (origin.length === 0) return fail('MALFORMED_CHECKPOINT', 'the origin line is empty');
  if (!DECIMAL.test(sizeLine)) {
    return fail('MALFORMED_CHECKPOINT', `tree size ${JSON.stringify(sizeLine)} is not a decimal without leading zeros`);
  }
  const size = Number(sizeLine);
  if (!Number.isSafeInteger(size)) {
    return fail('MALFORMED_CHECKPOINT', `tree size ${sizeLine} is above 2^53 - 1, the largest this log supports`);
  }
  const rootHash = decodeBase64(rootLine);
  if (!rootHash || rootHash.length !== 32) {
    return fail('MALFORMED_CHECKPOINT', 'the root hash line is not canonical base64 of 32 bytes');
  }
  const emptyExtension = extensions.findIndex((line) => line.length === 0);
  if (emptyExtension >= 0) return fail('MALFORMED_CHECKPOINT', `extension line ${emptyExtension + 1} is empty`);
  return { ok: true, value: { origin, size, rootHash, extensions } };
}

/** Formats and signs a checkpoint. The log's key name should equal its origin. */
export function signCheckpoint(checkpoint: Checkpoint, signers: readonly NoteSigner[]): string {
  return signNote(formatCheckpoint(checkpoint), signers);
}

/**
 * Verifies a signed checkpoint from outside: signature by a trusted key, well-formed
 * body, and the expected origin (so a checkpoint of another log signed by the same
 * key is refused). Never throws on a malformed note.
 */
export function verifyCheckpoint(
  note: string | Uint8Array,
  verifiers: readonly NoteVerifier[],
  expectedOrigin: string,
): NoteResult<VerifiedCheckpoint> {
  const verified = verifyNote(note, verifiers);
  if (!verified.ok) return verified;
  const parsed = parseCheckpoint(verified.value.text);
  if (!parsed.ok) return parsed;
  if (parsed.value.origin !== expectedOrigin) {
    return fail(
      'ORIGIN_MISMATCH',
      `the checkpoint is for log ${JSON.stringify(parsed.value.origin)}, not ${JSON.stringify(expectedOrigin)}`,
    );
  }
  return { ok: true, value: { checkpoint: parsed.value, verifiedBy: verified.value.verifiedBy } };
}

function checkLine(field: string, line: unknown): void {
  if (typeof line !== 'string' || line.length === 0) throw new TypeError(`${field} must be a non-empty string`);
  if (line.includes('\n')) throw new TypeError(`${field} must be a single line`);
  const problem = noteCharacterProblem(line);
  if (problem) throw new TypeError(`${field} cannot go into a note: ${problem}`);
}
