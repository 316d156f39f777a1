// appendRecordLeaf: the leaf it appends is the library's leaf hash of the record's
// preimage (origin device, kind, id, content hash, the returned salt), whatever the
// length of the id, and it only runs inside the record's transaction.
import { describe, expect, it } from 'vitest';
import { leafHash } from '../../../../anchor-queue';
import { appendRecordLeaf, merkleLogOf } from '../../../../main/store/anchor-log/record-leaf';
import { requireMeta } from '../../../../main/store/repositories/meta';
import { openTestDb } from '../../../helpers/store';

const hashOf = (byte: number) => new Uint8Array(32).fill(byte);

describe('appendRecordLeaf', () => {
  it('appends leafHash(preimage) with the returned salt, for short, long and non-ASCII ids', () => {
    const { db } = openTestDb();
    const origin = requireMeta(db, 'device.id');
    const ids = ['1', 'entry-0001', 'x'.repeat(700), 'سجل-٧', 'y'.repeat(5_000)];
    db.transaction(() => {
      ids.forEach((recordId, i) => {
        const kind = i % 2 === 0 ? 'entry' : 'audit';
        const { leafIndex, salt } = appendRecordLeaf(db, kind, recordId, hashOf(i + 1));
        expect(leafIndex).toBe(i);
        expect(salt).toHaveLength(32);
        const expected = leafHash({
          originDeviceId: origin,
          recordKind: kind,
          recordId,
          contentHash: hashOf(i + 1),
          salt,
        });
        expect(merkleLogOf(db).log.leafHash(leafIndex)).toEqual(expected);
      });
    })();
    expect(merkleLogOf(db).log.size).toBe(ids.length);
  });

  it('refuses to run outside a transaction, and refuses invalid fields before appending', () => {
    const { db } = openTestDb();
    expect(() => appendRecordLeaf(db, 'entry', 'e1', hashOf(1))).toThrow(/inside the transaction/);
    db.transaction(() => {
      expect(() => appendRecordLeaf(db, 'entry', '', hashOf(1))).toThrow(/record id/);
      expect(() => appendRecordLeaf(db, 'entry', 'e1', new Uint8Array(31))).toThrow(/content hash/);
    })();
    expect(merkleLogOf(db).log.size).toBe(0);
  });
});
