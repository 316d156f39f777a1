// Search normalisation for Arabic and Latin text. People type Arabic names in many
// equivalent ways (أحمد / احمد / إحمد, فاطمة / فاطمه, مصطفى / مصطفي, with or without
// diacritics and tatweel), so the index and the query are folded to one form.

const ARABIC_DIACRITICS = /[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06DC\u06DF-\u06E8\u06EA-\u06ED]/g;
const TATWEEL = /\u0640/g;

const LETTER_FOLDS: Record<string, string> = {
  '\u0623': '\u0627', // أ → ا
  '\u0625': '\u0627', // إ → ا
  '\u0622': '\u0627', // آ → ا
  '\u0671': '\u0627', // ٱ → ا
  '\u0629': '\u0647', // ة → ه
  '\u0649': '\u064A', // ى → ي
  '\u06CC': '\u064A', // Persian yeh → ي
  '\u0624': '\u0648', // ؤ → و
  '\u0626': '\u064A', // ئ → ي
  '\u06A9': '\u0643', // keheh → ك
};
const FOLDABLE = new RegExp(`[${Object.keys(LETTER_FOLDS).join('')}]`, 'g');

/** Arabic-Indic (٠-٩) and Eastern Arabic-Indic (۰-۹) digits to ASCII, for phone numbers and IDs. */
function foldDigits(s: string): string {
  return s
    .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[\u06F0-\u06F9]/g, (d) => String(d.charCodeAt(0) - 0x06f0));
}

export function normalizeForSearch(text: string): string {
  return foldDigits(text.normalize('NFKC'))
    .replace(ARABIC_DIACRITICS, '')
    .replace(TATWEEL, '')
    .replace(FOLDABLE, (c) => LETTER_FOLDS[c] ?? c)
    .toLowerCase();
}

/** Splits normalised text into search tokens: runs of letters and digits only. */
export function searchTokens(text: string): string[] {
  return normalizeForSearch(text).match(/[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * An FTS5 MATCH expression: every token must match as a prefix. Tokens contain only
 * letters and digits, so nothing the user types can inject FTS5 syntax.
 */
export function ftsPrefixQuery(text: string): string | null {
  // A phone number typed with spaces or dashes ("0770 123-45") is one number.
  const folded = normalizeForSearch(text).trim();
  const phoneLike = /^[+\d][\d\s()+-]*$/.test(folded) && /\s|-/.test(folded);
  const tokens = searchTokens(text).slice(0, 8);
  if (tokens.length === 0) return null;
  const all = tokens.map((t) => `"${t}"*`).join(' AND ');
  // ... but an identifier registered with dashes or spaces (national ID "1985-0314-77",
  // an all-digit MRN prefix) is indexed in parts: match either form.
  return phoneLike && tokens.length > 1 ? `"${folded.replace(/\D/g, '')}"* OR (${all})` : all;
}
