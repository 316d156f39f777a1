// Local test codes → LOINC. Analysers send their own short codes ('WBC', 'HGB'); the mapping makes them
// comparable across instruments while keeping the code the analyser sent as an alternative.
//
// LOINC codes below are the common automated-count haematology and chemistry codes; each one's mod-10 check
// digit is verified by the tests with isLoincCode.
import type { Code, DecodedItem } from '../types';
import type { CodeMapping } from './types';

const loinc = (code: string, display: string): Code => ({ system: 'LOINC', code, display });

export const HAEMATOLOGY_CODE_MAPPINGS: readonly CodeMapping[] = [
  { local: 'WBC', code: loinc('6690-2', 'Leukocytes [#/volume] in Blood by Automated count') },
  { local: 'RBC', code: loinc('789-8', 'Erythrocytes [#/volume] in Blood by Automated count') },
  { local: 'HGB', code: loinc('718-7', 'Hemoglobin [Mass/volume] in Blood') },
  { local: 'HCT', code: loinc('4544-3', 'Hematocrit [Volume Fraction] of Blood by Automated count') },
  { local: 'MCV', code: loinc('787-2', 'MCV [Entitic volume] by Automated count') },
  { local: 'PLT', code: loinc('777-3', 'Platelets [#/volume] in Blood by Automated count') },
];

export const CHEMISTRY_CODE_MAPPINGS: readonly CodeMapping[] = [
  { local: 'GLU', code: loinc('2345-7', 'Glucose [Mass/volume] in Serum or Plasma') },
  { local: 'CREA', code: loinc('2160-0', 'Creatinine [Mass/volume] in Serum or Plasma') },
];

/** Returns the items with mapped codes (new objects for the changed ones; the others as they were). */
export function applyCodeMappings(items: DecodedItem[], mappings: readonly CodeMapping[]): DecodedItem[] {
  if (mappings.length === 0) return items;
  const byLocal = new Map(mappings.map((m) => [m.local.toUpperCase(), m.code]));
  return items.map((item) => {
    if (item.kind !== 'numeric' && item.kind !== 'text' && item.kind !== 'waveform') return item;
    if (item.code.system !== 'local') return item;
    const mapped = byLocal.get(item.code.code.toUpperCase());
    if (!mapped) return item;
    const alt = (item.altCodes ?? []).filter((c) => !(c.system === mapped.system && c.code === mapped.code));
    return { ...item, code: { ...mapped }, altCodes: [item.code, ...alt] };
  });
}
