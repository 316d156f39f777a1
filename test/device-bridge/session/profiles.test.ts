// Device profiles: the registry, line settings and commands as documented, code mappings.
import { describe, expect, it } from 'vitest';
import {
  applyCodeMappings,
  CHEMISTRY_CODE_MAPPINGS,
  CMS50D_KEEP_ALIVE_MS,
  CMS50D_START_LIVE_DATA,
  CMS50D_STAY_CONNECTED,
  CONTEC_CMS50D_PLUS,
  defaultProfileFor,
  getProfile,
  HAEMATOLOGY_CODE_MAPPINGS,
  isLoincCode,
  listProfiles,
  registerProfile,
  type DecodedItem,
} from '../../../device-bridge/index';

describe('device profiles', () => {
  it('covers every protocol with complete, sourced profiles', () => {
    const profiles = listProfiles();
    expect(new Set(profiles.map((p) => p.protocol))).toEqual(
      new Set(['astm', 'hl7', 'cms50d', 'nonin', 'masimo', 'ecg']),
    );
    expect(new Set(profiles.map((p) => p.id)).size).toBe(profiles.length);
    for (const p of profiles) {
      expect(p.displayName.length).toBeGreaterThan(10);
      expect(p.sources.length).toBeGreaterThan(0);
      expect([5, 6, 7, 8]).toContain(p.line.dataBits);
      expect(p.quietTimeoutMs === null || p.quietTimeoutMs > 0).toBe(true);
      // binary protocols must not use XON/XOFF (it eats 0x11/0x13 data bytes)
      expect(p.line.flowControl).not.toBe('xonxoff');
      expect(defaultProfileFor(p.protocol).protocol).toBe(p.protocol);
    }
    const line = (id: string) => getProfile(id).line;
    expect(line('contec-cms50d-plus')).toMatchObject({ baudRate: 19200, dataBits: 8, parity: 'odd', stopBits: 1 });
    expect(line('nonin-format-7')).toMatchObject({ baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 });
    expect(line('masimo-rad8')).toMatchObject({ baudRate: 9600, parity: 'none' });
    expect(line('astm-haematology')).toMatchObject({ baudRate: 9600, parity: 'none' });
    expect(line('sijill-ecg-stream')).toMatchObject({ baudRate: 115200, parity: 'none' });
    expect(getProfile('hl7-monitor').quietTimeoutMs).toBeNull();
    expect(getProfile('astm-haematology').kind).toBe('lab');
  });

  it('CMS50D+: start-live-data on open, stay-connected within the 5 s limit', () => {
    expect(Array.from(CMS50D_START_LIVE_DATA)).toEqual([0x7d, 0x81, 0xa1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80]);
    expect(Array.from(CMS50D_STAY_CONNECTED)).toEqual([0x7d, 0x81, 0xaf, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80]);
    expect(CONTEC_CMS50D_PLUS.init.map((c) => c.bytes)).toEqual([CMS50D_START_LIVE_DATA]);
    expect(CONTEC_CMS50D_PLUS.keepAlive?.command.bytes).toEqual(CMS50D_STAY_CONNECTED);
    expect(CMS50D_KEEP_ALIVE_MS).toBeLessThan(5000);
  });

  it('unknown ids are reported with the known ones; registering refuses duplicates and nonsense', () => {
    expect(() => getProfile('acme-9000')).toThrow(/unknown device profile 'acme-9000' \(known: contec-cms50d-plus, /);
    expect(() => registerProfile(CONTEC_CMS50D_PLUS)).toThrow(/already exists/);
    expect(() => registerProfile({ ...CONTEC_CMS50D_PLUS, id: 'bad-quiet', quietTimeoutMs: 0 })).toThrow(
      /quietTimeoutMs/,
    );
    registerProfile({ ...CONTEC_CMS50D_PLUS, id: 'site-cms50d-ward-2', displayName: 'Ward 2 oximeter (CMS50D+)' });
    expect(getProfile('site-cms50d-ward-2').line.baudRate).toBe(19200);
  });

  it('maps local analyser codes to LOINC (valid check digits), keeping the local code', () => {
    for (const m of [...HAEMATOLOGY_CODE_MAPPINGS, ...CHEMISTRY_CODE_MAPPINGS]) {
      expect(m.code.system).toBe('LOINC');
      expect(isLoincCode(m.code.code)).toBe(true);
    }
    const items: DecodedItem[] = [
      { kind: 'numeric', code: { system: 'local', code: 'hgb', display: 'Hemoglobin' }, value: 13.1, unit: 'g/dL' },
      { kind: 'numeric', code: { system: 'local', code: 'XYZ' }, value: 1 },
      { kind: 'numeric', code: { system: 'LOINC', code: '718-7' }, value: 2 },
    ];
    const out = applyCodeMappings(items, HAEMATOLOGY_CODE_MAPPINGS);
    expect(out[0]).toMatchObject({
      code: { system: 'LOINC', code: '718-7' },
      altCodes: [{ system: 'local', code: 'hgb', display: 'Hemoglobin' }],
      value: 13.1,
    });
    expect(out[1]).toBe(items[1]);
    expect(out[2]).toBe(items[2]);
    expect(items[0]?.kind === 'numeric' && items[0].code.code).toBe('hgb'); // input untouched
  });
});
