import type { Db } from '../database';
import { stmt } from '../statements';

export function getMeta(db: Db, key: string): string | null {
  const row = stmt(db, 'SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value ?? null;
}

export function setMeta(db: Db, key: string, value: string): void {
  stmt(db, 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(
    key,
    value,
  );
}

export function requireMeta(db: Db, key: string): string {
  const v = getMeta(db, key);
  if (v === null) throw new Error(`database is missing required metadata "${key}"`);
  return v;
}
