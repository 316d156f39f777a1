// Integer helpers for tree sizes and indices. Sizes are JavaScript numbers, so
// everything is done with arithmetic that is exact up to 2^53 - 1: the bitwise
// operators (>>, &) would silently truncate to 32 bits.

/** A leaf count or leaf index: a non-negative safe integer. */
export function isTreeSize(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

export function isOdd(n: number): boolean {
  return n % 2 === 1;
}

/** n >> 1 without the 32-bit truncation. */
export function halve(n: number): number {
  return (n - (n % 2)) / 2;
}

export function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  let rest = n;
  while (rest % 2 === 0) rest /= 2;
  return rest === 1;
}

/** The largest power of two strictly below n (n ≥ 2): RFC 9162's split point k. */
export function largestPowerOfTwoBelow(n: number): number {
  if (!(n >= 2)) throw new RangeError(`a split needs at least 2 leaves, got ${n}`);
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** A complete, aligned subtree: the 2^level leaves starting at index · 2^level. */
export interface PerfectSubtree {
  level: number;
  index: number;
}

/**
 * Splits the leaf range [start, end) into the perfect subtrees that make it up,
 * largest (leftmost) first. `start` must be a multiple of a power of two at least
 * end - start, which holds for every node of an RFC 6962 tree: then each piece is
 * aligned, and the range's hash is the right fold of the pieces' hashes.
 */
export function perfectSubtrees(start: number, end: number): PerfectSubtree[] {
  const pieces: PerfectSubtree[] = [];
  let remaining = end - start;
  let offset = start;
  let width = 1;
  let level = 0;
  while (width * 2 <= remaining) {
    width *= 2;
    level++;
  }
  while (remaining > 0) {
    if (width <= remaining) {
      if (offset % width !== 0) throw new RangeError(`leaf range [${start}, ${end}) is not a subtree of the log`);
      pieces.push({ level, index: offset / width });
      offset += width;
      remaining -= width;
    }
    width /= 2;
    level--;
  }
  return pieces;
}
