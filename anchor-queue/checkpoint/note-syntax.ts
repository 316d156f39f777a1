// Character-level rules of C2SP signed notes that the signer, the verifier and
// the checkpoint parser all apply.

// Any Unicode space (JavaScript's \s covers the Z categories, plus U+FEFF) or the
// NEL control that Go's unicode.IsSpace also counts, or a plus sign.
const KEY_NAME_FORBIDDEN = /[\s\u0085+]/u;
// In a /u regex a proper surrogate pair is one code point, so this finds lone ones only.
const LONE_SURROGATE = /\p{Cs}/u;

/** Key names are non-empty and contain no Unicode space and no "+". */
export function isValidKeyName(name: unknown): name is string {
  return (
    typeof name === 'string' &&
    name.length > 0 &&
    !KEY_NAME_FORBIDDEN.test(name) &&
    firstForbiddenControl(name) < 0 &&
    !LONE_SURROGATE.test(name)
  );
}

/**
 * Why `text` cannot appear in a signed note (it must be valid UTF-8, i.e. well
 * formed Unicode, with no control characters but newline), or undefined if it can.
 */
export function noteCharacterProblem(text: string): string | undefined {
  if (LONE_SURROGATE.test(text)) return 'it is not valid Unicode (lone surrogate)';
  const at = firstForbiddenControl(text);
  if (at >= 0) {
    const code = text.charCodeAt(at).toString(16).padStart(4, '0').toUpperCase();
    return `it contains the control character U+${code} at offset ${at}`;
  }
  return undefined;
}

/** Offset of the first ASCII control character other than newline (U+000A), or -1. */
function firstForbiddenControl(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && code !== 0x0a) return i;
  }
  return -1;
}
