// Escape sequences shared by ASTM E1394 and HL7 v2 (one scanner, two code tables).
import { describe, expect, it } from 'vitest';
import { DEFAULT_ASTM_DELIMITERS, hl7Delimiters, unescapeAstm, unescapeHl7 } from '../../device-bridge';

const hl7 = hl7Delimiters('MSH|^~\\&|')!;

describe('escape sequences', () => {
  it('decodes each standard’s codes and hex byte strings', () => {
    expect(unescapeAstm('a&F&b&S&c&R&d&E&e&X41&', DEFAULT_ASTM_DELIMITERS)).toBe('a|b^c\\d&eA');
    expect(unescapeHl7('a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\\X4142\\g\\.br\\h\\H\\i\\N\\', hl7)).toBe(
      'a|b^c&d~e\\fABg\nhi',
    );
  });

  it('keeps unknown, unterminated and object-property-named sequences as sent', () => {
    expect(unescapeHl7('x\\Q\\y', hl7)).toBe('x\\Q\\y');
    expect(unescapeHl7('x\\F', hl7)).toBe('x\\F');
    expect(unescapeHl7('\\constructor\\ \\__proto__\\ \\toString\\', hl7)).toBe(
      '\\constructor\\ \\__proto__\\ \\toString\\',
    );
    expect(unescapeAstm('&constructor&&hasOwnProperty&', DEFAULT_ASTM_DELIMITERS)).toBe(
      '&constructor&&hasOwnProperty&',
    );
  });
});
