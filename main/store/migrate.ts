// Applies pending migrations, each in its own transaction, recording progress in
// PRAGMA user_version. A database newer than this build is refused rather than
// touched, so an old app version can never damage data written by a newer one.
import type { Db } from './database';
import { StoreError } from './errors';
import { migrations as allMigrations, type Migration } from './migrations';

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function migrate(db: Db, migrations: readonly Migration[] = allMigrations, target?: number): number {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${m.name} is numbered ${m.version}, expected ${i + 1}`);
  });
  const latest = target ?? migrations.length;
  const current = schemaVersion(db);
  if (current > migrations.length) {
    throw new StoreError(
      'UNSUPPORTED',
      `This database was written by a newer Sijill (schema ${current}; this build knows ${migrations.length}). Update Sijill.`,
    );
  }
  for (const m of migrations.slice(current, latest)) {
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return schemaVersion(db);
}
