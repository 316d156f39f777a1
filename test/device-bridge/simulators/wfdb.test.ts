// WFDB reader against the MIT-BIH records in the shared fixtures (read in place, never copied): header fields,
// format-212 unpacking checked by the header's own checksums and initial values.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decodeFormat16,
  decodeFormat212,
  parseWfdbHeader,
  readWfdbRecord,
  wfdbChecksum,
} from '../../../device-bridge/index';
import { SHARED_FIXTURES } from '../helpers';

const ecg = (rel: string) => path.join(SHARED_FIXTURES, 'ecg', rel);

describe('WFDB', () => {
  it('parses headers, skipping comments and blank lines', () => {
    const h = parseWfdbHeader(
      '# unnecessary comment\n\n100 2 360 650000\n100.dat 212 200 11 1024 995 -22131 0 MLII\n' +
        '100.dat 212 200(10)/uV 11 1024 1011 20052 0 V5\n# 69 M 1085 1629 x1\n',
    );
    expect(h).toMatchObject({ recordName: '100', samplingFrequency: 360, nSamples: 650000 });
    expect(h.comments).toEqual(['unnecessary comment', '69 M 1085 1629 x1']);
    expect(h.signals[0]).toMatchObject({
      fileName: '100.dat',
      format: 212,
      gain: 200,
      baseline: 1024,
      units: 'mV',
      adcResolution: 11,
      adcZero: 1024,
      initialValue: 995,
      checksum: -22131,
      description: 'MLII',
    });
    expect(h.signals[1]).toMatchObject({ baseline: 10, units: 'uV', description: 'V5' });
    expect(() => parseWfdbHeader('x')).toThrow(/no record line/);
    expect(() => parseWfdbHeader('r/3 2 360')).toThrow(/multi-segment/);
  });

  it('unpacks format 212: two 12-bit two’s-complement samples in three bytes', () => {
    // s0 = 0x123, s1 = -1 (0xFFF); s2 = -2048 (0x800), s3 = 2047 (0x7FF)
    const bytes = Uint8Array.of(0x23, 0xf1, 0xff, 0x00, 0x78, 0xff);
    const [a, b] = decodeFormat212(bytes, 2);
    expect(Array.from(a ?? [])).toEqual([0x123, -2048]);
    expect(Array.from(b ?? [])).toEqual([-1, 2047]);
    const [c] = decodeFormat16(Uint8Array.of(0xfe, 0xff, 0x10, 0x00), 1);
    expect(Array.from(c ?? [])).toEqual([-2, 16]);
  });

  for (const rel of ['wfdb-python/100.hea', 'mitdb/101.hea', 'mitdb/106.hea']) {
    it(`${rel}: every signal matches the header's checksum and initial value`, async () => {
      const record = await readWfdbRecord(ecg(rel));
      expect(record.header.samplingFrequency).toBe(360);
      expect(record.samples).toHaveLength(2);
      for (const [i, s] of record.header.signals.entries()) {
        const samples = record.samples[i] as Int16Array;
        expect(samples.length).toBe(650000);
        expect(samples[0]).toBe(s.initialValue);
        expect(wfdbChecksum(samples)).toBe(s.checksum);
      }
    });
  }

  it('reads only as many samples as asked', async () => {
    const record = await readWfdbRecord(ecg('mitdb/101.hea'), { maxSamples: 1000 });
    expect(record.samples.map((s) => s.length)).toEqual([1000, 1000]);
    await expect(readWfdbRecord(ecg('missing.hea'))).rejects.toThrow(/ENOENT/);
  });
});
