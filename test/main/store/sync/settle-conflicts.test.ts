// settleConflicts (main/store/sync/conflicts.ts): which open conflicts a change from
// another device ends, and which it cannot.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConflictRecord } from '../../../../sync';
import { openEncryptedDatabase } from '../../../../main/store/database';
import { migrate } from '../../../../main/store/migrate';
import { migrations } from '../../../../main/store/migrations';
import {
  getConflict,
  settleConflicts,
  SETTLED_ELSEWHERE,
  SETTLED_REPLACED,
  sqliteConflictQueue,
} from '../../../../main/store/sync/conflicts';
import { tempDir } from '../../../helpers/temp-dir';

function openQueue() {
  const db = openEncryptedDatabase(join(tempDir('sijill-settle'), 't.db'), new Uint8Array(randomBytes(32)), {
    create: true,
  });
  migrate(db, migrations);
  const q = sqliteConflictQueue(db, () => null);
  return { db, q };
}

/** A conflict Automerge shows as concurrent values (op ids), or one found by comparing merge sides. */
const record = (id: string, standing: boolean): ConflictRecord => ({
  id,
  documentId: 'doc-1',
  kind: standing ? 'concurrent-value' : 'removed-vs-edited',
  path: standing ? ['demographics', 'phone'] : ['allergies', 'a1'],
  values: standing
    ? [
        { value: '0770', opId: '5@aa', actors: ['aa'] },
        { value: '0771', opId: '5@bb', actors: ['bb'] },
      ]
    : [
        { value: 'latex', side: 'ours', actors: ['aa'] },
        { value: null, side: 'theirs', actors: ['bb'] },
      ],
  merged: null,
  heads: [],
});

const id = (n: number) => String(n).padStart(32, '0');

describe('settling queued conflicts', () => {
  it('settles what a resolution names or what no longer stands, never what the document still shows', () => {
    const { db, q } = openQueue();
    for (const [n, standing] of [
      [1, true],
      [2, true],
      [3, false],
      [4, false],
    ] as const)
      q.put(record(id(n), standing), 'then');
    // 1 still stands, and a change claims to resolve it: kept open.
    // 2 no longer stands: replaced. 3 (merge sides) is named by a resolution. 4 is not.
    expect(settleConflicts(db, 'doc-1', new Set([id(1)]), new Set([id(1), id(3)]), 'now')).toBe(2);
    const status = (n: number) => {
      const r = getConflict(db, id(n))!;
      return [r.status, r.reason, r.resolved_by];
    };
    expect(status(1)).toEqual(['open', null, null]);
    expect(status(2)).toEqual(['settled', SETTLED_REPLACED, null]);
    expect(status(3)).toEqual(['settled', SETTLED_ELSEWHERE, null]);
    expect(status(4)).toEqual(['open', null, null]);
    // Settled is final: seen again, it is not reopened.
    expect(q.put(record(id(2), true), 'later')).toBe(false);
    expect(getConflict(db, id(2))!.status).toBe('settled');
    // Other charts' conflicts are not touched.
    expect(settleConflicts(db, 'doc-2', new Set(), new Set([id(4)]), 'now')).toBe(0);
    expect(getConflict(db, id(4))!.status).toBe('open');
    db.close();
  });
});
