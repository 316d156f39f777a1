// C2SP tlog checkpoints: body format, a real sum.golang.org checkpoint, and signed
// checkpoints of our own log tied together by inclusion and consistency proofs.
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import vectors from '../fixtures/merkle/signed_note_vectors.json';
import {
  ed25519NoteSigner,
  ed25519NoteVerifier,
  formatCheckpoint,
  parseCheckpoint,
  parseVerifierKey,
  signCheckpoint,
  signNote,
  verifyCheckpoint,
  verifyConsistency,
  verifyInclusion,
  verifyNote,
  type NoteResult,
} from '../../anchor-queue';
import { decodeBase64, encodeBase64 } from '../../anchor-queue/checkpoint/base64';
import { buildLog, hex, syntheticLeaves } from './helpers';

function unwrap<T>(result: NoteResult<T>): T {
  if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
  return result.value;
}

function expectFailure(result: NoteResult<unknown>, code: string, message?: RegExp): void {
  expect(result.ok).toBe(false);
  if (!result.ok) {
    expect(result.code).toBe(code);
    if (message) expect(result.message).toMatch(message);
  }
}

const origin = 'sijill.example/clinic-7/device-3';
const seed = new Uint8Array(32).fill(42);
const signer = ed25519NoteSigner(origin, seed);
const verifier = ed25519NoteVerifier(origin, ed25519.getPublicKey(seed));
const root = new Uint8Array(32).map((_, i) => i);

describe('checkpoint body', () => {
  it('formats origin, decimal size and base64 root, one per line', () => {
    expect(formatCheckpoint({ origin, size: 20852163, rootHash: root })).toBe(
      `${origin}\n20852163\n${encodeBase64(root)}\n`,
    );
    expect(formatCheckpoint({ origin, size: 0, rootHash: root, extensions: ['ext one', 'ext two'] })).toBe(
      `${origin}\n0\n${encodeBase64(root)}\next one\next two\n`,
    );
  });

  it('round-trips through parseCheckpoint', () => {
    const text = formatCheckpoint({ origin, size: 2 ** 53 - 1, rootHash: root, extensions: ['x'] });
    const parsed = unwrap(parseCheckpoint(text));
    expect(parsed.origin).toBe(origin);
    expect(parsed.size).toBe(2 ** 53 - 1);
    expect(hex(parsed.rootHash)).toBe(hex(root));
    expect(parsed.extensions).toEqual(['x']);
  });

  const rootLine = encodeBase64(root);
  it.each([
    ['fewer than three lines', `${origin}\n5\n`, /at least 3 lines/],
    ['an empty origin', `\n5\n${rootLine}\n`, /origin line is empty/],
    ['a leading zero', `${origin}\n05\n${rootLine}\n`, /leading zeros/],
    ['a sign', `${origin}\n+5\n${rootLine}\n`, /not a decimal/],
    ['a negative size', `${origin}\n-1\n${rootLine}\n`, /not a decimal/],
    ['spaces around the size', `${origin}\n 5\n${rootLine}\n`, /not a decimal/],
    ['an exponent', `${origin}\n1e3\n${rootLine}\n`, /not a decimal/],
    ['hex', `${origin}\n0x10\n${rootLine}\n`, /not a decimal/],
    ['a size beyond 2^53 - 1', `${origin}\n9007199254740992\n${rootLine}\n`, /above 2\^53 - 1/],
    ['a 31-byte root', `${origin}\n5\n${encodeBase64(root.subarray(1))}\n`, /32 bytes/],
    ['a root without padding', `${origin}\n5\n${rootLine.slice(0, -1)}\n`, /canonical base64/],
    ['a root in hex', `${origin}\n5\n${hex(root)}\n`, /canonical base64/],
    ['an empty extension line', `${origin}\n5\n${rootLine}\n\n`, /extension line 1 is empty/],
    ['no final newline', `${origin}\n5\n${rootLine}`, /end with a newline/],
    ['a control character', `${origin}\t\n5\n${rootLine}\n`, /U\+0009/],
  ])('rejects %s', (_name, text, message) => {
    expectFailure(parseCheckpoint(text), 'MALFORMED_CHECKPOINT', message);
  });

  it('refuses to format what it could not parse back', () => {
    expect(() => formatCheckpoint({ origin: '', size: 1, rootHash: root })).toThrow(/origin/);
    expect(() => formatCheckpoint({ origin: 'a\nb', size: 1, rootHash: root })).toThrow(/single line/);
    expect(() => formatCheckpoint({ origin, size: -1, rootHash: root })).toThrow(RangeError);
    expect(() => formatCheckpoint({ origin, size: 1.5, rootHash: root })).toThrow(RangeError);
    expect(() => formatCheckpoint({ origin, size: 1, rootHash: root.subarray(1) })).toThrow(/32 bytes/);
    expect(() => formatCheckpoint({ origin, size: 1, rootHash: root, extensions: [''] })).toThrow(/extension line 1/);
  });
});

describe('a real checkpoint: sum.golang.org', () => {
  const sumdb = vectors.sumdb_checkpoint;
  const sumdbVerifier = unwrap(parseVerifierKey(sumdb.verifier_key));

  it('verifies under the published Go checksum database key', () => {
    const { checkpoint, verifiedBy } = unwrap(verifyCheckpoint(sumdb.note, [sumdbVerifier], sumdb.origin));
    expect(checkpoint.origin).toBe('go.sum database tree');
    expect(checkpoint.size).toBe(31700353);
    expect(encodeBase64(checkpoint.rootHash)).toBe(sumdb.root_hash_base64);
    expect(verifiedBy).toEqual([{ name: 'sum.golang.org', keyId: 0x033de0ae }]);
  });

  it('is refused for another origin, with the size changed, or without its final newline', () => {
    expectFailure(verifyCheckpoint(sumdb.note, [sumdbVerifier], origin), 'ORIGIN_MISMATCH', /go\.sum database tree/);
    expectFailure(
      verifyCheckpoint(sumdb.note.replace('31700353', '31700354'), [sumdbVerifier], sumdb.origin),
      'BAD_SIGNATURE',
    );
    expectFailure(verifyCheckpoint(sumdb.note.slice(0, -1), [sumdbVerifier], sumdb.origin), 'MALFORMED_NOTE');
    expectFailure(verifyCheckpoint(sumdb.note, [verifier], sumdb.origin), 'UNKNOWN_KEY');
  });
});

describe('signed checkpoints of our log', () => {
  const log = buildLog(syntheticLeaves(300, 8));
  const older = signCheckpoint({ origin, size: 120, rootHash: log.root(120) }, [signer]);
  const newer = signCheckpoint({ origin, size: 300, rootHash: log.root(300) }, [signer]);

  it('round-trip and carry a root that proves inclusion and consistency', () => {
    const a = unwrap(verifyCheckpoint(older, [verifier], origin)).checkpoint;
    const b = unwrap(verifyCheckpoint(newer, [verifier], origin)).checkpoint;
    expect(b.size).toBe(300);
    expect(verifyInclusion(log.leafHash(77), 77, b.size, log.inclusionProof(77, b.size), b.rootHash)).toBe(true);
    expect(verifyInclusion(log.leafHash(77), 77, a.size, log.inclusionProof(77, a.size), a.rootHash)).toBe(true);
    expect(verifyConsistency(a.size, b.size, log.consistencyProof(a.size, b.size), a.rootHash, b.rootHash)).toBe(true);
  });

  it('rejects a tampered size, root or origin', () => {
    const text = newer.slice(0, newer.indexOf('\n\n') + 1);
    const rootLine = text.split('\n')[2] as string;
    const otherRoot = encodeBase64(log.root(299));
    expectFailure(verifyCheckpoint(newer.replace('\n300\n', '\n301\n'), [verifier], origin), 'BAD_SIGNATURE');
    expectFailure(verifyCheckpoint(newer.replace(rootLine, otherRoot), [verifier], origin), 'BAD_SIGNATURE');
    const renamed = newer.replace(`${origin}\n`, 'sijill.example/clinic-7/device-4\n');
    expectFailure(verifyCheckpoint(renamed, [verifier], 'sijill.example/clinic-7/device-4'), 'BAD_SIGNATURE');
  });

  it('rejects a tampered signature and a different key', () => {
    const sigLine = newer.slice(newer.indexOf('\n\n') + 2, -1);
    const payload = decodeBase64(sigLine.slice(sigLine.lastIndexOf(' ') + 1)) as Uint8Array;
    payload[10] = (payload[10] as number) ^ 0x80;
    const forged = newer.replace(sigLine, `\u2014 ${origin} ${encodeBase64(payload)}`);
    expectFailure(verifyCheckpoint(forged, [verifier], origin), 'BAD_SIGNATURE');
    const otherKey = ed25519NoteVerifier(origin, ed25519.getPublicKey(new Uint8Array(32).fill(43)));
    expectFailure(verifyCheckpoint(newer, [otherKey], origin), 'UNKNOWN_KEY');
  });

  it('rejects a validly signed note whose text is not a checkpoint', () => {
    const note = signNote(`${origin}\n5\n`, [signer]);
    expect(unwrap(verifyNote(note, [verifier])).text).toBe(`${origin}\n5\n`);
    expectFailure(verifyCheckpoint(note, [verifier], origin), 'MALFORMED_CHECKPOINT', /at least 3 lines/);
  });

  it('never throws on a malformed note', () => {
    for (const value of ['', '\n\n', 'x\n\n\u2014 \n', null, 7, new Uint8Array([0xc3])]) {
      const result = verifyCheckpoint(value as unknown as string, [verifier], origin);
      expect(result.ok).toBe(false);
    }
  });
});
