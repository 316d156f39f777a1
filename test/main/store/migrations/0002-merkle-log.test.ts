// Migration 0002: the Merkle log tables, append-only, on top of 0001.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openEncryptedDatabase } from '../../../../main/store/database';
import { migrate } from '../../../../main/store/migrate';
import { migration0001 } from '../../../../main/store/migrations/0001-initial';
import { migration0002 } from '../../../../main/store/migrations/0002-merkle-log';
import { tempDir } from '../../../helpers/temp-dir';

function freshDb() {
  return openEncryptedDatabase(join(tempDir('sijill-m2'), 't.db'), new Uint8Array(randomBytes(32)), { create: true });
}

describe('migration 0002-merkle-log', () => {
  it('applies on top of 0001 and creates the log tables with an empty log', () => {
    const db = freshDb();
    expect(migrate(db, [migration0001])).toBe(1);
    expect(migrate(db, [migration0001, migration0002])).toBe(2);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
      (r) => r.name,
    );
    for (const t of ['merkle_nodes', 'merkle_leaves', 'checkpoints']) expect(tables).toContain(t);
    // The log's size is the number of level-0 nodes: none yet.
    expect(db.prepare('SELECT count(*) AS n FROM merkle_nodes WHERE level = 0').get()).toEqual({ n: 0 });
    db.close();
  });

  it('keeps nodes, leaves and checkpoints append-only', () => {
    const db = freshDb();
    migrate(db, [migration0001, migration0002]);
    const h = Buffer.alloc(32, 7);
    db.prepare('INSERT INTO merkle_nodes (level, idx, hash) VALUES (0, 0, ?)').run(h);
    expect(() => db.prepare('INSERT INTO merkle_nodes (level, idx, hash) VALUES (0, 0, ?)').run(h)).toThrow(
      /UNIQUE|PRIMARY/,
    );
    expect(() => db.prepare('UPDATE merkle_nodes SET hash = ? WHERE level = 0').run(Buffer.alloc(32))).toThrow(
      /append-only/,
    );
    expect(() => db.prepare('DELETE FROM merkle_nodes').run()).toThrow(/append-only/);
    db.prepare(
      "INSERT INTO merkle_leaves (leaf_index, record_kind, record_id, content_hash, salt, leaf_hash, created_at) VALUES (0, 'entry', 'e1', ?, ?, ?, 'now')",
    ).run(h, h, h);
    expect(() => db.prepare("UPDATE merkle_leaves SET record_id = 'e2'").run()).toThrow(/append-only/);
    db.prepare("INSERT INTO checkpoints (tree_size, root, note, created_at) VALUES (1, ?, 'note', 'now')").run(h);
    expect(() => db.prepare('DELETE FROM checkpoints').run()).toThrow(/kept forever/);
    db.close();
  });
});
