// Migration 0003: the anchoring outbox table, rows never deleted.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openEncryptedDatabase } from '../../../../main/store/database';
import { migrate } from '../../../../main/store/migrate';
import { migrations } from '../../../../main/store/migrations';
import { tempDir } from '../../../helpers/temp-dir';

describe('migration 0003-anchor-outbox', () => {
  it('applies on top of 0002, constrains states and keeps rows', () => {
    const db = openEncryptedDatabase(join(tempDir('sijill-m3'), 't.db'), new Uint8Array(randomBytes(32)), {
      create: true,
    });
    expect(migrate(db, migrations.slice(0, 2))).toBe(2);
    expect(migrate(db, migrations.slice(0, 3))).toBe(3);
    const insert = db.prepare(
      'INSERT INTO anchor_outbox (batch_id, origin, tree_size, state, version, enqueued_at, batch) VALUES (?, ?, ?, ?, 1, 0, ?)',
    );
    insert.run('0xaa', 'o', 5, 'sealed', '{}');
    expect(() => insert.run('0xbb', 'o', 6, 'lost', '{}')).toThrow(/CHECK/);
    expect(() => insert.run('0xaa', 'o', 5, 'sealed', '{}')).toThrow(/UNIQUE|PRIMARY/);
    expect(() => db.prepare('DELETE FROM anchor_outbox').run()).toThrow(/kept/);
    db.close();
  });
});
