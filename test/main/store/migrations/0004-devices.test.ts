// Migration 0004: device connections, raw byte log, waveform chunks, lab inbox.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openEncryptedDatabase } from '../../../../main/store/database';
import { migrate } from '../../../../main/store/migrate';
import { migrations } from '../../../../main/store/migrations';
import { tempDir } from '../../../helpers/temp-dir';

describe('migration 0004-devices', () => {
  it('applies on top of 0003 and creates the device tables with their guards', () => {
    const db = openEncryptedDatabase(join(tempDir('sijill-m4'), 't.db'), new Uint8Array(randomBytes(32)), {
      create: true,
    });
    expect(migrate(db, migrations.slice(0, 3))).toBe(3);
    expect(migrate(db, migrations.slice(0, 4))).toBe(4);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
      (r) => r.name,
    );
    for (const t of ['device_connections', 'raw_bytes', 'recordings', 'waveform_chunks', 'lab_inbox'])
      expect(tables).toContain(t);
    db.prepare("INSERT INTO raw_bytes (connection_id, seq, direction, at, data) VALUES ('c', 1, 'in', 0, x'06')").run();
    expect(() =>
      db
        .prepare(
          "INSERT INTO raw_bytes (connection_id, seq, direction, at, data) VALUES ('c', 2, 'sideways', 0, x'06')",
        )
        .run(),
    ).toThrow(/CHECK/);
    expect(() => db.prepare("UPDATE raw_bytes SET data = x'15'").run()).toThrow(/append-only/);
    expect(() =>
      db
        .prepare(
          "INSERT INTO lab_inbox (id, received_at, analyzer, patient_ids, results, status) VALUES ('i', 'now', 'a', '[]', '[]', 'lost')",
        )
        .run(),
    ).toThrow(/CHECK/);
    // A waveform chunk must belong to a recording (foreign key).
    expect(() =>
      db
        .prepare(
          "INSERT INTO waveform_chunks (recording_id, seq, t0, sample_rate, codec, data, sha256) VALUES ('nope', 0, 0, 250, 'i16le', x'00', zeroblob(32))",
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
    db.close();
  });
});
