import { crc32 as zlibCrc32 } from 'node:zlib';
// CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, xorout 0. Check value for "123456789" is 0x29B1.

const TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    t[i] = c;
  }
  return t;
})();

export function crc16CcittFalse(bytes: Uint8Array, start = 0, end = bytes.length, init = 0xffff): number {
  let crc = init;
  for (let i = start; i < end; i++) {
    crc = ((crc << 8) & 0xffff) ^ (TABLE[((crc >> 8) ^ (bytes[i] as number)) & 0xff] as number);
  }
  return crc;
}

/**
 * CRC-32 (IEEE 802.3, as in zlib and PNG: reflected, poly 0xEDB88320, init and final
 * xor 0xFFFFFFFF) of data[from..to). The ECG stream uses it rather than a 16-bit CRC:
 * a frame carries up to 8 KiB, and a false frame header in line noise must not pass
 * its check once in 65,536 tries.
 */
export function crc32Ieee(data: Uint8Array, from = 0, to = data.length): number {
  return zlibCrc32(data.subarray(from, to)) >>> 0;
}
