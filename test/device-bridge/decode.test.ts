import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CAPTURE_PROTOCOLS,
  decodeCapture,
  encodeAstmFrame,
  isCaptureProtocol,
  itemToJson,
  type CaptureProtocol,
  type WaveformChunk,
} from '../../device-bridge/index';
import { ascii, concat, repoFixture, sharedFixture } from './helpers';

const astmFiles = ['cobas_c111.txt', 'pentra_xlr.txt', 'sysmex_xn550.txt', 'sysmex_xp100.txt'].map(
  (f) => `astm/senaite/${f}`,
);

describe('decodeCapture on the fixture files', () => {
  it.each(astmFiles)('%s decodes with no errors and one message summary', (file) => {
    const r = decodeCapture('astm', sharedFixture(file));
    expect(r.errors).toEqual([]);
    expect(r.items.filter((i) => i.kind === 'message')).toHaveLength(1);
    expect(r.items[0]).toMatchObject({ kind: 'message', protocol: 'astm', complete: true });
  });

  it('HL7 fixtures decode with no errors', () => {
    for (const f of ['hl7/oru.hl7', 'hl7/oru-waveform.hl7']) {
      const r = decodeCapture('hl7', repoFixture(f));
      expect(r.errors).toEqual([]);
      expect(r.items.length).toBeGreaterThan(5);
    }
    expect(decodeCapture('hl7', sharedFixture('hl7/simple-hl7/oru.hl7'))).toEqual(
      decodeCapture('hl7', repoFixture('hl7/oru.hl7')),
    );
  });

  it('ASTM records without the link layer (no STX) decode too', () => {
    const r = decodeCapture('astm', ascii('H|\\^&|||X\rP|1\rO|1|S-1\rR|1|^^^K|4.1|mmol/L||N||F\rL|1|N\r'));
    expect(r.errors).toEqual([]);
    expect(r.items[1]).toMatchObject({
      kind: 'numeric',
      value: 4.1,
      unit: 'mmol/L',
      sampleId: 'S-1',
      source: { offset: 22 },
    });
  });

  it('items serialise to JSON lines (typed arrays as arrays)', () => {
    const w: WaveformChunk = {
      kind: 'waveform',
      code: { system: 'local', code: 'X' },
      sampleRate: 10,
      samples: Int16Array.of(1, -2),
    };
    expect(JSON.stringify(itemToJson(w))).toBe(
      '{"kind":"waveform","code":{"system":"local","code":"X"},"sampleRate":10,"samples":[1,-2]}',
    );
    const r = decodeCapture('astm', sharedFixture('astm/senaite/cobas_c111.txt'));
    for (const i of r.items) expect(JSON.parse(JSON.stringify(itemToJson(i)))).toEqual(i);
  });
});

describe('decodeCapture on corrupt input', () => {
  it('a corrupted ASTM frame is located by its offset; the other records still decode', () => {
    const bytes = sharedFixture('astm/senaite/pentra_xlr.txt').slice();
    const frameStarts = [...bytes.keys()].filter((i) => bytes[i] === 0x02);
    const third = frameStarts[3]!; // R|1 frame
    bytes[third + 10] = bytes[third + 10]! ^ 0x01;
    const r = decodeCapture('astm', bytes);
    // the bad frame is NAKed; no retransmission follows in a capture, so the next frame's number jumps
    expect(r.errors).toEqual([
      { offset: third, message: expect.stringMatching(/checksum mismatch/) },
      { offset: frameStarts[4], message: 'frame number 5, expected 4: frame(s) lost, resynchronised' },
    ]);
    const results = r.items.filter((i) => i.kind === 'numeric' || i.kind === 'text');
    expect(results).toHaveLength(20);
  });

  it('a truncated ASTM capture reports the cut frame and the unterminated message', () => {
    const bytes = sharedFixture('astm/senaite/cobas_c111.txt');
    const r = decodeCapture('astm', bytes.subarray(0, 200));
    expect(r.errors).toEqual([
      { offset: 0, message: 'input ends before the last frame (ETX) of a message' },
      { offset: 2, message: 'input ends before the L (terminator) record' },
      { offset: 172, message: 'input ends inside a frame (truncated frame discarded)' },
    ]);
    expect(r.items[0]).toMatchObject({ kind: 'message', complete: false, counts: { H: 1, P: 1, O: 1 } });
  });

  it('garbage around HL7 over MLLP and ASTM frames is reported at its offset', () => {
    const frame = encodeAstmFrame(1, ascii('H|\\^&\rL|1\r'), true);
    const r = decodeCapture('astm', concat(ascii('zz'), frame));
    expect(r.errors).toEqual([{ offset: 0, message: 'unexpected bytes outside a frame (skipped)' }]);
    const h = decodeCapture(
      'hl7',
      concat(ascii('junk'), Uint8Array.of(0x0b), repoFixture('hl7/oru.hl7'), Uint8Array.of(0x1c, 0x0d)),
    );
    expect(h.errors).toEqual([{ offset: 0, message: 'bytes outside an MLLP block (skipped)' }]);
    expect(h.items.filter((i) => i.kind === 'numeric')).toHaveLength(5);
  });

  it('never throws, on any bytes and any protocol; error offsets are within the input', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CAPTURE_PROTOCOLS),
        fc.uint8Array({ maxLength: 400 }),
        (p: CaptureProtocol, bytes) => {
          const r = decodeCapture(p, bytes);
          expect(Array.isArray(r.items)).toBe(true);
          for (const e of r.errors) {
            expect(e.offset).toBeGreaterThanOrEqual(0);
            expect(e.offset).toBeLessThanOrEqual(bytes.length);
            expect(e.message.length).toBeGreaterThan(0);
          }
          for (let i = 1; i < r.errors.length; i++)
            expect(r.errors[i]!.offset).toBeGreaterThanOrEqual(r.errors[i - 1]!.offset);
        },
      ),
      { numRuns: 600 },
    );
    // mutations of the real captures, too
    const pentra = sharedFixture('astm/senaite/pentra_xlr.txt');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: pentra.length - 1 }), fc.integer({ min: 0, max: 255 }), (at, v) => {
        const b = pentra.slice();
        b[at] = v;
        const r = decodeCapture('astm', b);
        for (const e of r.errors) expect(e.offset).toBeLessThanOrEqual(b.length);
      }),
      { numRuns: 300 },
    );
  });

  it('an unknown protocol is an error, not an exception', () => {
    expect(isCaptureProtocol('hl7')).toBe(true);
    expect(isCaptureProtocol('dicom')).toBe(false);
    const r = decodeCapture('dicom' as CaptureProtocol, new Uint8Array(3));
    expect(r.items).toEqual([]);
    expect(r.errors[0]?.message).toMatch(/unknown protocol 'dicom'/);
  });
});
