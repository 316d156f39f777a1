// C2SP signed notes: independent known answers (Go's sumdb/note vectors), our own
// keys, and rejection of tampered, foreign and malformed notes.
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import vectors from '../fixtures/merkle/signed_note_vectors.json';
import {
  ed25519KeyId,
  ed25519NoteSigner,
  ed25519NoteVerifier,
  formatVerifierKey,
  MAX_NOTE_SIGNATURES,
  parseNote,
  parseVerifierKey,
  signNote,
  verifyNote,
  type NoteResult,
  type NoteVerifier,
} from '../../anchor-queue';
import { decodeBase64, encodeBase64 } from '../../anchor-queue/checkpoint/base64';

const go = vectors.go_note_example;
const goNote = `${go.text}\n${go.signature_line}\n`;
const goDoubleNote = `${go.text}\n${go.signature_line}\n${go.second_signature_line}\n`;

/** The 32-byte seed inside Go's "PRIVATE+KEY+<name>+<id>+base64(0x01 ‖ seed)" signer key. */
function goSeed(signerKey: string): Uint8Array {
  const prefix = 'PRIVATE+KEY+PeterNeumann+c74f20a3+';
  expect(signerKey.startsWith(prefix)).toBe(true);
  const material = decodeBase64(signerKey.slice(prefix.length));
  expect(material?.[0]).toBe(1);
  return (material as Uint8Array).subarray(1);
}

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

const peter = unwrap(parseVerifierKey(go.verifier_key));
const enoch = unwrap(parseVerifierKey(go.second_verifier_key));

// Our own keys, from fixed seeds so failures are reproducible.
const aliceSeed = new Uint8Array(32).fill(7);
const alice = ed25519NoteSigner('sijill.example/device-a', aliceSeed);
const aliceVerifier = ed25519NoteVerifier('sijill.example/device-a', ed25519.getPublicKey(aliceSeed));
const malloryVerifier = ed25519NoteVerifier(
  'sijill.example/device-a',
  ed25519.getPublicKey(new Uint8Array(32).fill(9)),
);

describe('known answers from golang.org/x/mod sumdb/note', () => {
  it('derives the key id and verifier key string of the published key', () => {
    const signer = ed25519NoteSigner('PeterNeumann', goSeed(go.signer_key));
    const publicKey = ed25519.getPublicKey(goSeed(go.signer_key));
    expect(ed25519KeyId('PeterNeumann', publicKey)).toBe(0xc74f20a3);
    expect(signer.keyId).toBe(0xc74f20a3);
    expect(formatVerifierKey('PeterNeumann', publicKey)).toBe(go.verifier_key);
    expect(peter.name).toBe('PeterNeumann');
    expect(peter.keyId).toBe(0xc74f20a3);
    expect(enoch.keyId).toBe(0xaf0cfe78);
  });

  it('signs the example text to exactly the published note', () => {
    const signer = ed25519NoteSigner('PeterNeumann', goSeed(go.signer_key));
    expect(signNote(go.text, [signer])).toBe(goNote);
  });

  it('verifies the published note, and the doubly signed one with either or both keys', () => {
    const single = unwrap(verifyNote(goNote, [peter]));
    expect(single.text).toBe(go.text);
    expect(single.verifiedBy).toEqual([{ name: 'PeterNeumann', keyId: 0xc74f20a3 }]);

    const peterOnly = unwrap(verifyNote(goDoubleNote, [peter]));
    expect(peterOnly.verifiedBy).toEqual([{ name: 'PeterNeumann', keyId: 0xc74f20a3 }]);
    expect(peterOnly.ignored).toEqual([{ name: 'EnochRoot', keyId: 0xaf0cfe78 }]);

    const both = unwrap(verifyNote(new TextEncoder().encode(goDoubleNote), [enoch, peter]));
    expect(both.verifiedBy.map((ref) => ref.name)).toEqual(['PeterNeumann', 'EnochRoot']);
    expect(both.ignored).toEqual([]);
  });

  it('rejects the published note with no trusted key, or with one character changed', () => {
    expectFailure(verifyNote(goDoubleNote, []), 'UNKNOWN_KEY', /PeterNeumann\+c74f20a3, EnochRoot\+af0cfe78/);
    expectFailure(verifyNote(goNote.replace('cryptography', 'cryptographY'), [peter]), 'BAD_SIGNATURE', /PeterNeumann/);
  });
});

describe('signNote / verifyNote with our keys', () => {
  const text = 'sijill.example/device-a\n12\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n';
  const note = signNote(text, [alice]);

  it('round-trips', () => {
    expect(note.startsWith(`${text}\n\u2014 sijill.example/device-a `)).toBe(true);
    expect(note.endsWith('\n')).toBe(true);
    const verified = unwrap(verifyNote(note, [aliceVerifier]));
    expect(verified.text).toBe(text);
    expect(verified.verifiedBy).toEqual([{ name: alice.name, keyId: alice.keyId }]);
  });

  it('the verifier key string round-trips through parseVerifierKey', () => {
    const vkey = formatVerifierKey(alice.name, ed25519.getPublicKey(aliceSeed));
    const parsed = unwrap(parseVerifierKey(vkey));
    expect(parsed.keyId).toBe(alice.keyId);
    expect(unwrap(verifyNote(note, [parsed])).text).toBe(text);
  });

  it('rejects any single changed character of the text', () => {
    for (let i = 0; i < text.length; i++) {
      if (text[i] === '\n') continue;
      const replacement = text[i] === 'A' ? 'B' : 'A';
      const tampered = text.slice(0, i) + replacement + note.slice(i + 1);
      expectFailure(verifyNote(tampered, [aliceVerifier]), 'BAD_SIGNATURE');
    }
  });

  it('rejects a tampered signature', () => {
    const line = note.slice(text.length + 1, -1);
    const payload = decodeBase64(line.slice(line.lastIndexOf(' ') + 1)) as Uint8Array;
    for (const byte of [4, 20, 40, 67]) {
      const changed = Uint8Array.from(payload);
      changed[byte] = (changed[byte] as number) ^ 0x01;
      const tampered = `${text}\n\u2014 ${alice.name} ${encodeBase64(changed)}\n`;
      expectFailure(verifyNote(tampered, [aliceVerifier]), 'BAD_SIGNATURE');
    }
    // A truncated signature from a trusted key is a bad signature, not a crash.
    const short = `${text}\n\u2014 ${alice.name} ${encodeBase64(payload.subarray(0, 40))}\n`;
    expectFailure(verifyNote(short, [aliceVerifier]), 'BAD_SIGNATURE');
  });

  it('treats another key under the same name as unknown (key ids differ)', () => {
    expect(malloryVerifier.keyId).not.toBe(alice.keyId);
    expectFailure(verifyNote(note, [malloryVerifier]), 'UNKNOWN_KEY');
  });

  it('rejects a known name and key id whose public key does not match the signature', () => {
    const impostor: NoteVerifier = { ...malloryVerifier, keyId: alice.keyId, verify: malloryVerifier.verify };
    expectFailure(verifyNote(note, [impostor]), 'BAD_SIGNATURE');
  });

  it('rejects the whole note if any trusted signature fails, even when another verifies', () => {
    const bob = ed25519NoteSigner('sijill.example/device-b', new Uint8Array(32).fill(3));
    const bobVerifier = ed25519NoteVerifier(bob.name, ed25519.getPublicKey(new Uint8Array(32).fill(3)));
    const forgedBob = { name: bob.name, keyId: bob.keyId, sign: () => new Uint8Array(64).fill(1) };
    const mixed = signNote(text, [alice, forgedBob]);
    expectFailure(verifyNote(mixed, [aliceVerifier, bobVerifier]), 'BAD_SIGNATURE', /device-b/);
    expect(unwrap(verifyNote(mixed, [aliceVerifier])).ignored).toEqual([{ name: bob.name, keyId: bob.keyId }]);
  });

  it('refuses two trusted keys with the same name and id but different public keys', () => {
    const clash: NoteVerifier = { ...malloryVerifier, keyId: alice.keyId };
    expectFailure(verifyNote(note, [aliceVerifier, clash]), 'AMBIGUOUS_KEY');
  });

  it('accepts at least 16 signatures, as the spec requires', () => {
    const signers = Array.from({ length: 16 }, (_, i) =>
      ed25519NoteSigner(`witness-${i}`, new Uint8Array(32).fill(i + 20)),
    );
    const cosigned = signNote(text, [alice, ...signers]);
    expect(unwrap(verifyNote(cosigned, [aliceVerifier])).ignored).toHaveLength(16);
  });

  it('keeps a text that itself contains blank lines (split at the last one)', () => {
    const withBlank = 'first paragraph\n\nsecond paragraph\n';
    expect(unwrap(verifyNote(signNote(withBlank, [alice]), [aliceVerifier])).text).toBe(withBlank);
  });

  it('refuses to sign text that a verifier would reject', () => {
    expect(() => signNote('no final newline', [alice])).toThrow(/end with a newline/);
    expect(() => signNote('tab\there\n', [alice])).toThrow(/U\+0009/);
    expect(() => signNote('carriage\r\n', [alice])).toThrow(/U\+000D/);
    expect(() => signNote('lone \uD800 surrogate\n', [alice])).toThrow(/lone surrogate/);
    expect(() => signNote('text\n', [])).toThrow(/at least one signer/);
    expect(() => ed25519NoteSigner('two words', aliceSeed)).toThrow(/key name/);
    expect(() => ed25519NoteSigner('a+b', aliceSeed)).toThrow(/key name/);
    expect(() => ed25519NoteSigner('ok', new Uint8Array(31))).toThrow(/32 bytes/);
  });
});

describe('malformed notes are rejected with a clear error, never an exception', () => {
  const text = 'hello\n';
  const note = signNote(text, [alice]);
  const line = note.slice(text.length + 1, -1);
  const b64 = line.slice(line.lastIndexOf(' ') + 1);

  it.each([
    ['no blank line before the signatures', `${text}${line}\n`, /no blank line/],
    ['a text without final newline', `hello${line}\n`, /no blank line/],
    ['no signature lines', `${text}\n`, /no signature lines/],
    ['no newline after the last signature', note.slice(0, -1), /must end with a newline/],
    ['a hyphen instead of the em dash', `${text}\n- ${alice.name} ${b64}\n`, /signature line 1/],
    ['an en dash instead of the em dash', `${text}\n\u2013 ${alice.name} ${b64}\n`, /signature line 1/],
    ['no space after the key name', `${text}\n\u2014 ${alice.name}\n`, /signature line 1/],
    ['a key name with a plus', `${text}\n\u2014 a+b ${b64}\n`, /signature line 1/],
    ['a non-breaking space in the key name', `${text}\n\u2014 a\u00A0b ${b64}\n`, /signature line 1/],
    ['two spaces before the signature', `${text}\n\u2014 ${alice.name}  ${b64}\n`, /signature line 1/],
    ['base64 without padding', `${text}\n\u2014 ${alice.name} ${b64.replace(/=+$/, '')}\n`, /signature line 1/],
    [
      'base64 with a space inside',
      `${text}\n\u2014 ${alice.name} ${b64.slice(0, 8)} ${b64.slice(8)}\n`,
      /signature line 1/,
    ],
    ['a signature shorter than key id + 1 byte', `${text}\n\u2014 ${alice.name} AAAAAA==\n`, /signature line 1/],
    ['an unparseable second line', `${note}garbage\n`, /signature line 2/],
    ['a carriage return', note.replace('hello', 'hel\rlo'), /U\+000D/],
    ['a NUL character', note.replace('hello', 'hel\u0000lo'), /U\+0000/],
    ['a lone surrogate', note.replace('hello', 'hel\uDC00lo'), /lone surrogate/],
    ['the empty string', '', /no blank line/],
    ['too many signatures', `${text}\n${`${line}\n`.repeat(MAX_NOTE_SIGNATURES + 1)}`, /more than 100/],
    ['an oversized note', 'x'.repeat(2 ** 20 + 1), /larger than/],
  ])('%s', (_name, malformed, message) => {
    expectFailure(verifyNote(malformed, [aliceVerifier]), 'MALFORMED_NOTE', message);
  });

  it('rejects bytes that are not UTF-8, and values that are not notes', () => {
    const bytes = new TextEncoder().encode(note);
    const invalid = Uint8Array.from([0xff, ...bytes]);
    expectFailure(verifyNote(invalid, [aliceVerifier]), 'MALFORMED_NOTE', /not valid UTF-8/);
    for (const value of [null, undefined, 42, {}, ['note'], new Uint16Array(4)]) {
      expectFailure(verifyNote(value as unknown as string, [aliceVerifier]), 'MALFORMED_NOTE', /string or UTF-8/);
    }
  });

  it('a byte-order mark is part of the signed text, not silently dropped', () => {
    const withBom = Uint8Array.from([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(note)]);
    expectFailure(verifyNote(withBom, [aliceVerifier]), 'BAD_SIGNATURE');
  });

  it('parseNote exposes the signature lines without verifying them', () => {
    const parsed = unwrap(parseNote(goDoubleNote));
    expect(parsed.text).toBe(go.text);
    expect(parsed.signatures.map((s) => [s.name, s.keyId, s.signature.length])).toEqual([
      ['PeterNeumann', 0xc74f20a3, 64],
      ['EnochRoot', 0xaf0cfe78, 64],
    ]);
  });
});

describe('parseVerifierKey', () => {
  it.each([
    ['no separators', 'PeterNeumann', /expected <name>/],
    ['one separator', 'PeterNeumann+c74f20a3', /expected <name>/],
    ['an empty name', '+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', /key name/],
    ['a short key id', 'PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', /8 hex digits/],
    ['a non-hex key id', 'PeterNeumann+c74f20ag+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', /8 hex digits/],
    ['a wrong key id', 'PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', /does not match/],
    ['another name for the key', 'PeterNeuman+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', /does not match/],
    [
      'an unknown signature type',
      'PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
      /unsupported signature type 0x65/,
    ],
    ['a truncated key', 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10', /canonical base64|32-byte/],
    [
      'base64 with stray bits',
      'PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==',
      /canonical base64/,
    ],
    [
      'a key with an extra byte',
      `PeterNeumann+c74f20a3+${encodeBase64(Uint8Array.from([1, ...peter.publicKey, 0]))}`,
      /32-byte/,
    ],
    [
      'a point not on the curve',
      `x+00000000+${encodeBase64(Uint8Array.from([1, 2, ...new Uint8Array(31).fill(0xff)]))}`,
      /32-byte Ed25519/,
    ],
    ['no key material', 'PeterNeumann+c74f20a3+', /canonical base64/],
  ])('rejects %s', (_name, vkey, message) => {
    expectFailure(parseVerifierKey(vkey), 'MALFORMED_VERIFIER_KEY', message);
  });

  it('rejects every proper substring and every single-character change of a valid key', () => {
    const vkey = go.verifier_key;
    let rejected = 0;
    for (let i = 0; i <= vkey.length; i++) {
      for (let j = i + 1; j <= vkey.length; j++) {
        if (i === 0 && j === vkey.length) continue;
        expect(parseVerifierKey(vkey.slice(i, j)).ok).toBe(false);
        rejected++;
      }
    }
    for (let i = 0; i < vkey.length; i++) {
      const changed = vkey.slice(0, i) + String.fromCharCode(vkey.charCodeAt(i) + 1) + vkey.slice(i + 1);
      expect(parseVerifierKey(changed).ok).toBe(false);
      rejected++;
    }
    expect(rejected).toBe((vkey.length * (vkey.length + 1)) / 2 - 1 + vkey.length);
  });

  it('rejects values that are not strings', () => {
    expectFailure(parseVerifierKey(null as unknown as string), 'MALFORMED_VERIFIER_KEY');
  });
});
