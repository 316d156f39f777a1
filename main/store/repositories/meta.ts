import type { Db } from '../database';

export function getMeta(db: Db, key: string): string | null {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value ?? null;
}

export function setMeta(db: Db, key: string, value: string): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(
    key,
    value,
  );
}

export function requireMeta(db: Db, key: string): string {
  const v = getMeta(db, key);
  if (v === null) throw new Error(`database is missing required metadata "${key}"`);
  return v;
}
