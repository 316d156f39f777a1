// Latin-1 bytes of a string (test data builders).
export const asciiBytesForTest = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
