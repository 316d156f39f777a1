// Leaf preimages: the documented byte layout, uniqueness of the encoding, the
// mandatory salt, and the link to the log's leaf hash.
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createLeafPreimage,
  decodeLeafData,
  encodeLeafData,
  LeafDataEncoder,
  InMemoryMerkleNodeStore,
  leafData,
  leafHash,
  MerkleLog,
  newLeafSalt,
  rfc6962Hasher,
  verifyInclusion,
  type LeafPreimage,
} from '../../anchor-queue';
import { hex, unhex } from './helpers';

const sample: LeafPreimage = {
  originDeviceId: 'dev-1',
  recordKind: 'entry',
  recordId: 'r1',
  contentHash: new Uint8Array(32).fill(0x11),
  salt: new Uint8Array(32).fill(0x22),
};

const fieldsKey = (p: LeafPreimage) =>
  JSON.stringify([p.originDeviceId, p.recordKind, p.recordId, hex(p.contentHash), hex(p.salt)]);

const preimageArb = fc.record({
  originDeviceId: fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' }),
  recordKind: fc.constantFrom('entry', 'audit', 'a', 'lab.result', 'x-1'),
  recordId: fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' }),
  contentHash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  salt: fc.uint8Array({ minLength: 32, maxLength: 32 }).filter((salt) => salt.some((byte) => byte !== 0)),
});

describe('leafData', () => {
  it('is the documented version 1 layout, byte for byte', () => {
    const expected =
      hex(new TextEncoder().encode('sijill-anchor-leaf')) +
      '01' +
      '0005' +
      hex(new TextEncoder().encode('dev-1')) +
      '0005' +
      hex(new TextEncoder().encode('entry')) +
      '0002' +
      hex(new TextEncoder().encode('r1')) +
      '11'.repeat(32) +
      '22'.repeat(32);
    expect(hex(leafData(sample))).toBe(expected);
  });

  it('leafHash is the RFC 6962 leaf hash SHA-256(0x00 ‖ leafData)', () => {
    const data = leafData(sample);
    const prefixed = new Uint8Array(data.length + 1);
    prefixed.set(data, 1);
    expect(hex(leafHash(sample))).toBe(hex(sha256(prefixed)));
    expect(hex(leafHash(sample))).toBe(hex(rfc6962Hasher.hashLeaf(data)));
  });

  it('decodes back to the same preimage (so different preimages never share an encoding)', () => {
    fc.assert(
      fc.property(preimageArb, (preimage) => {
        expect(decodeLeafData(leafData(preimage))).toEqual(preimage);
      }),
      { numRuns: 300 },
    );
  });

  it('different preimages give different bytes, including shifted field boundaries', () => {
    fc.assert(
      fc.property(preimageArb, preimageArb, (a, b) => {
        fc.pre(fieldsKey(a) !== fieldsKey(b));
        expect(hex(leafData(a))).not.toBe(hex(leafData(b)));
      }),
      { numRuns: 300 },
    );
    const shifted = { ...sample, originDeviceId: 'dev-1r', recordId: '1' };
    const moved = { ...sample, originDeviceId: 'dev', recordId: '-1r1' };
    expect(hex(leafData(shifted))).not.toBe(hex(leafData(sample)));
    expect(hex(leafData(moved))).not.toBe(hex(leafData(sample)));
  });

  it('the salt changes the leaf hash of the same record completely', () => {
    const other = { ...sample, salt: new Uint8Array(32).fill(0x23) };
    expect(hex(leafHash(other))).not.toBe(hex(leafHash(sample)));
  });

  it('refuses a missing, short or all-zero salt', () => {
    const { salt: _salt, ...unsalted } = sample;
    expect(() => leafData(unsalted as LeafPreimage)).toThrow(/salt/);
    expect(() => leafData({ ...sample, salt: new Uint8Array(16).fill(1) })).toThrow(/salt/);
    expect(() => leafData({ ...sample, salt: new Uint8Array(32) })).toThrow(/salt is all zeros/);
  });

  it('refuses invalid fields', () => {
    expect(() => leafData({ ...sample, originDeviceId: '' })).toThrow(/origin device id/);
    expect(() => leafData({ ...sample, recordId: 'a\uD800b' })).toThrow(/lone surrogate/);
    expect(() => leafData({ ...sample, recordId: 'x'.repeat(65_536) })).toThrow(/longer than/);
    expect(() => leafData({ ...sample, recordKind: 'Entry' })).toThrow(/record kind/);
    expect(() => leafData({ ...sample, recordKind: 'entry kind' })).toThrow(/record kind/);
    expect(() => leafData({ ...sample, contentHash: new Uint8Array(31) })).toThrow(/content hash/);
    // Only the salt must be random; any 32-byte content hash is a valid value.
    expect(hex(leafData({ ...sample, contentHash: unhex('00'.repeat(32)) }))).toContain('00'.repeat(32));
  });
});

/** The layout written out the obvious way (TextEncoder, one array per field), to check the fast encoder against. */
function referenceLeafData(p: LeafPreimage): Uint8Array {
  const parts: number[] = [...new TextEncoder().encode('sijill-anchor-leaf'), 1];
  for (const text of [p.originDeviceId, p.recordKind, p.recordId]) {
    const bytes = new TextEncoder().encode(text);
    parts.push(bytes.length >> 8, bytes.length & 0xff, ...bytes);
  }
  return Uint8Array.from([...parts, ...p.contentHash, ...p.salt]);
}

describe('encodeLeafData', () => {
  const anyTextArb = fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' });
  it('writes the same bytes as the layout above, for ASCII and non-ASCII fields alike', () => {
    fc.assert(
      fc.property(preimageArb, anyTextArb, anyTextArb, (preimage, device, id) => {
        for (const p of [preimage, { ...preimage, originDeviceId: device, recordId: id }]) {
          expect(hex(leafData(p))).toBe(hex(referenceLeafData(p)));
        }
      }),
      { numRuns: 300 },
    );
    const arabic = { ...sample, originDeviceId: 'جهاز-١', recordId: 'سجل 7' };
    expect(hex(leafData(arabic))).toBe(hex(referenceLeafData(arabic)));
  });

  it('writes at an offset when the data fits, and returns its length either way', () => {
    const data = leafData(sample);
    const target = new Uint8Array(data.length + 3).fill(0xee);
    expect(encodeLeafData(sample, target, 2)).toBe(data.length);
    expect(hex(target.subarray(2, 2 + data.length))).toBe(hex(data));
    expect([target[0], target[1], target[target.length - 1]]).toEqual([0xee, 0xee, 0xee]);

    const small = new Uint8Array(data.length).fill(0xee);
    expect(encodeLeafData(sample, small, 1)).toBe(data.length);
    expect(small.every((byte) => byte === 0xee)).toBe(true);
  });

  it('validates like leafData, even when nothing would be written', () => {
    expect(() => encodeLeafData({ ...sample, salt: new Uint8Array(32) }, new Uint8Array(0), 0)).toThrow(/all zeros/);
    expect(() => encodeLeafData({ ...sample, recordId: 'a\uD800' }, new Uint8Array(500), 0)).toThrow(/lone surrogate/);
  });
});

describe('LeafDataEncoder', () => {
  it('writes what leafData writes for its origin and kind, at any offset', () => {
    fc.assert(
      fc.property(preimageArb, fc.nat({ max: 5 }), (preimage, offset) => {
        const encoder = new LeafDataEncoder(preimage.originDeviceId, preimage.recordKind);
        const data = leafData(preimage);
        const target = new Uint8Array(offset + data.length);
        const { recordId, contentHash, salt } = preimage;
        expect(encoder.encodeInto(recordId, contentHash, salt, target, offset)).toBe(data.length);
        expect(hex(target.subarray(offset))).toBe(hex(data));
        // Too small: nothing written, the length still returned.
        const small = new Uint8Array(data.length - 1);
        expect(encoder.encodeInto(recordId, contentHash, salt, small, 0)).toBe(data.length);
        expect(small.every((byte) => byte === 0)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('checks origin and kind when made, and the other fields on every leaf', () => {
    expect(() => new LeafDataEncoder('', 'entry')).toThrow(/origin device id/);
    expect(() => new LeafDataEncoder('dev', 'Entry')).toThrow(/record kind/);
    const encoder = new LeafDataEncoder('dev', 'entry');
    const target = new Uint8Array(500);
    expect(() => encoder.encodeInto('', sample.contentHash, sample.salt, target, 0)).toThrow(/record id/);
    expect(() => encoder.encodeInto('a\uD800', sample.contentHash, sample.salt, target, 0)).toThrow(/lone surrogate/);
    expect(() => encoder.encodeInto('r', new Uint8Array(31), sample.salt, target, 0)).toThrow(/content hash/);
    expect(() => encoder.encodeInto('r', sample.contentHash, new Uint8Array(32), target, 0)).toThrow(/all zeros/);
  });
});

describe('newLeafSalt', () => {
  it('gives 32 fresh bytes every time, across refills of its pool', () => {
    const salts = Array.from({ length: 1_000 }, () => newLeafSalt());
    expect(salts.every((salt) => salt.length === 32)).toBe(true);
    expect(new Set(salts.map((salt) => hex(salt))).size).toBe(1_000);
  });
});

describe('createLeafPreimage', () => {
  it('adds a fresh random 32-byte salt every time', () => {
    const fields = {
      originDeviceId: 'dev-1',
      recordKind: 'audit',
      recordId: 'a-9',
      contentHash: sha256(new Uint8Array([1])),
    };
    const a = createLeafPreimage(fields);
    const b = createLeafPreimage(fields);
    expect(a.salt).toHaveLength(32);
    expect(hex(a.salt)).not.toBe(hex(b.salt));
    expect(hex(leafHash(a))).not.toBe(hex(leafHash(b)));
  });

  it('validates the fields immediately', () => {
    expect(() =>
      createLeafPreimage({ originDeviceId: 'd', recordKind: 'entry', recordId: 'r', contentHash: new Uint8Array(3) }),
    ).toThrow(/content hash/);
  });
});

describe('decodeLeafData', () => {
  const data = leafData(sample);
  it.each([
    ['truncated', data.slice(0, -1)],
    ['trailing byte', Uint8Array.from([...data, 0])],
    ['wrong magic', Uint8Array.from([0x53, ...data.slice(1)])],
    ['wrong version', Uint8Array.from([...data.slice(0, 18), 2, ...data.slice(19)])],
    ['length prefix past the end', Uint8Array.from([...data.slice(0, 19), 0xff, 0xff, ...data.slice(21)])],
    ['invalid UTF-8', Uint8Array.from([...data.slice(0, 21), 0xff, ...data.slice(22)])],
    ['empty', new Uint8Array(0)],
  ])('returns undefined for %s', (_name, bytes) => {
    expect(decodeLeafData(bytes)).toBeUndefined();
  });

  it('returns undefined for data with a zero salt', () => {
    const zeroSalt = Uint8Array.from(data);
    zeroSalt.fill(0, zeroSalt.length - 32);
    expect(decodeLeafData(zeroSalt)).toBeUndefined();
  });
});

describe('leaves in the log', () => {
  it('the log appends leafData and proves leafHash', () => {
    const log = new MerkleLog(new InMemoryMerkleNodeStore());
    const preimages = Array.from({ length: 5 }, (_, i) =>
      createLeafPreimage({
        originDeviceId: 'dev-1',
        recordKind: 'entry',
        recordId: `r${i}`,
        contentHash: sha256(new Uint8Array([i])),
      }),
    );
    for (const preimage of preimages) {
      expect(hex(log.append(leafData(preimage)).leafHash)).toBe(hex(leafHash(preimage)));
    }
    const proof = log.inclusionProof(3);
    expect(verifyInclusion(leafHash(preimages[3] as LeafPreimage), 3, 5, proof, log.root())).toBe(true);
    expect(verifyInclusion(leafHash(preimages[2] as LeafPreimage), 3, 5, proof, log.root())).toBe(false);
  });
});
