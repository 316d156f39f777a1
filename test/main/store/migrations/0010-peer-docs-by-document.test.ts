// Migration 0010: the unsent count finds a chart's acknowledgements through an index
// instead of reading every peer's acknowledgements for every chart.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openEncryptedDatabase } from '../../../../main/store/database';
import { migrate } from '../../../../main/store/migrate';
import { migrations } from '../../../../main/store/migrations';
import { setPeerDocHeads, unsentCount, upsertPeer } from '../../../../main/store/sync/peers';
import { tempDir } from '../../../helpers/temp-dir';

const ALL_UNSENT = `SELECT count(*) AS n FROM patients p WHERE NOT EXISTS
  (SELECT 1 FROM sync_peer_docs s WHERE s.document_id = p.document_id AND s.heads = p.heads)`;

describe('migration 0010-peer-docs-by-document', () => {
  it('indexes acknowledgements by document and heads; the unsent count uses it and counts the same', () => {
    const db = openEncryptedDatabase(join(tempDir('sijill-m10'), 't.db'), new Uint8Array(randomBytes(32)), {
      create: true,
    });
    expect(migrate(db, migrations.slice(0, 9))).toBe(9);
    const plan = () =>
      (db.prepare(`EXPLAIN QUERY PLAN ${ALL_UNSENT}`).all() as { detail: string }[]).map((r) => r.detail).join('\n');
    expect(plan()).not.toMatch(/sync_peer_docs_by_document/);
    for (let i = 0; i < 4; i++)
      db.prepare(
        `INSERT INTO patients (id, document_id, mrn, given_name, family_name, sex, birth_date, heads, created_at, updated_at)
         VALUES (?, ?, ?, 'A', 'B', 'female', '1990-01-01', ?, 'now', 'now')`,
      ).run(`p${i}`, `doc-${i}`, `MRN-${i}`, JSON.stringify([`h${i}`]));
    upsertPeer(db, 'laptop', null, 'now');
    upsertPeer(db, 'tablet', null, 'now');
    setPeerDocHeads(db, 'laptop', 'doc-0', ['h0'], 'now'); // acknowledged at the current heads
    setPeerDocHeads(db, 'tablet', 'doc-1', ['h1'], 'now'); // by another peer: sent too
    setPeerDocHeads(db, 'laptop', 'doc-2', ['old'], 'now'); // older heads: not sent
    const before = { all: unsentCount(db), laptop: unsentCount(db, 'laptop') };
    expect(before).toEqual({ all: 2, laptop: 3 });

    expect(migrate(db, migrations.slice(0, 10))).toBe(10);
    expect(plan()).toMatch(/USING COVERING INDEX sync_peer_docs_by_document/);
    expect({ all: unsentCount(db), laptop: unsentCount(db, 'laptop') }).toEqual(before);
    db.close();
  });
});
