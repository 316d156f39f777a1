// Numbers typed on an Arabic keyboard come as Arabic-Indic digits (٣٧٫٥); the
// schemas want JavaScript numbers.
const ARABIC_INDIC_ZERO = 0x0660;
const EXTENDED_ARABIC_INDIC_ZERO = 0x06f0;

export function normalizeDigits(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (code >= ARABIC_INDIC_ZERO && code <= ARABIC_INDIC_ZERO + 9) out += String(code - ARABIC_INDIC_ZERO);
    else if (code >= EXTENDED_ARABIC_INDIC_ZERO && code <= EXTENDED_ARABIC_INDIC_ZERO + 9)
      out += String(code - EXTENDED_ARABIC_INDIC_ZERO);
    else if (ch === '٫' || ch === ',') out += '.';
    else out += ch;
  }
  return out;
}

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/**
 * A form field's text as a number: undefined when the field is empty, NaN when it
 * is not a plain decimal number (the schema then reports "must be a number").
 */
export function parseDecimal(text: string): number | undefined {
  const trimmed = normalizeDigits(text).trim();
  if (trimmed === '') return undefined;
  return DECIMAL.test(trimmed) ? Number(trimmed) : Number.NaN;
}
