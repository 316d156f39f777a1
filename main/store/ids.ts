// Time-ordered ids (UUID version 7: 48-bit millisecond timestamp, then random bits).
// Records written in time order land at the end of their B-tree indexes instead of
// on a random page, which keeps each commit to fewer pages; the random bits keep
// ids unguessable and unique across devices.
import { randomFillSync } from 'node:crypto';

// Random bits come from a pool refilled 256 ids at a time: one CSPRNG call costs
// ~3 µs whatever its size, and every entry and record gets an id. No pool byte is
// used twice.
const POOL_IDS = 256;
const pool = Buffer.alloc(16 * POOL_IDS);
let poolOffset = pool.length;

export function uuidv7(now = Date.now()): string {
  if (poolOffset + 16 > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const b = Buffer.from(pool.subarray(poolOffset, poolOffset + 16));
  pool.fill(0, poolOffset, poolOffset + 16);
  poolOffset += 16;
  // 48-bit big-endian milliseconds, with arithmetic exact up to 2^53 (no 32-bit shifts).
  let ms = now;
  for (let i = 5; i >= 0; i--) {
    b[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  b[6] = (b[6]! & 0x0f) | 0x70; // version 7
  b[8] = (b[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
