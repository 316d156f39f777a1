// A bundle uploaded from the browser in pieces: in order, by the user who started it,
// within the size limit; an idle upload expires; taking the file ends the upload.
import { describe, expect, it } from 'vitest';
import { ApiError, MAX_BUNDLE_UPLOAD_BYTES } from '../../../../main/api';
import { BundleUploads } from '../../../../main/host/sync/bundle-uploads';

const id = '6f9619ff-8b86-4011-b42d-00c04fc964ff';
const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof ApiError ? e.code : 'other';
  }
  return 'none';
};

describe('bundle uploads', () => {
  it('puts the pieces back together in order and ends the upload when taken', () => {
    const u = new BundleUploads();
    expect(u.append('admin', id, 0, Buffer.from([1, 2]))).toBe(2);
    expect(u.append('admin', id, 1, Buffer.from([3]))).toBe(3);
    expect([...u.take('admin', id)]).toEqual([1, 2, 3]);
    expect(code(() => u.take('admin', id))).toBe('NOT_FOUND');
  });

  it('refuses a piece out of order, another user, an unknown upload, and a file over the limit', () => {
    const u = new BundleUploads();
    u.append('admin', id, 0, Buffer.from([1]));
    expect(code(() => u.append('admin', id, 2, Buffer.from([1])))).toBe('VALIDATION');
    expect(code(() => u.append('intruder', id, 1, Buffer.from([1])))).toBe('NOT_FOUND');
    expect(code(() => u.take('intruder', id))).toBe('NOT_FOUND');
    expect(code(() => u.append('admin', '00000000-0000-4000-8000-000000000000', 3, Buffer.from([1])))).toBe(
      'NOT_FOUND',
    );
    const huge = Buffer.alloc(1); // the limit is checked on the running total
    const big = new BundleUploads();
    const other = '7f9619ff-8b86-4011-b42d-00c04fc964ff';
    Object.defineProperty(huge, 'length', { value: MAX_BUNDLE_UPLOAD_BYTES + 1 });
    expect(code(() => big.append('admin', other, 0, huge))).toBe('VALIDATION');
    expect(code(() => big.take('admin', other))).toBe('NOT_FOUND');
  });

  it('drops an upload left idle', () => {
    let now = 0;
    const u = new BundleUploads(() => now);
    u.append('admin', id, 0, Buffer.from([1]));
    now += 11 * 60_000;
    expect(code(() => u.take('admin', id))).toBe('NOT_FOUND');
  });
});
