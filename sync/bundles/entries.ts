// Signed entries are append-only: an entry is inserted once and never changes. A
// received entry is accepted only if its own hash and signature verify (the host's
// check, the same one it runs on every read); an entry whose id the receiver already
// holds must be byte-for-byte the same content (same hash), otherwise someone is
// trying to rewrite history and the whole batch is refused and reported.
import type { BundleEntry } from './format';
import { BundleError } from './errors';

export interface EntryChecks {
  verifyEntry(row: BundleEntry): true | string;
  existingEntryHash(id: string): string | undefined;
}

export function checkEntries(rows: BundleEntry[], ctx: EntryChecks): { fresh: BundleEntry[]; alreadyHeld: number } {
  const problems: { id: string; reason: string }[] = [];
  const fresh: BundleEntry[] = [];
  const ids = new Set<string>();
  let alreadyHeld = 0;
  for (const row of rows) {
    if (ids.has(row.id)) {
      problems.push({ id: row.id, reason: 'listed twice' });
      continue;
    }
    ids.add(row.id);
    let verdict: true | string;
    try {
      verdict = ctx.verifyEntry(row);
    } catch (e) {
      verdict = `verification failed: ${(e as Error).message}`;
    }
    if (verdict !== true) {
      problems.push({ id: row.id, reason: verdict });
      continue;
    }
    const held = ctx.existingEntryHash(row.id);
    if (held === undefined) fresh.push(row);
    else if (held === row.contentHash) alreadyHeld++;
    else
      problems.push({
        id: row.id,
        reason: 'differs from the entry already stored under this id (entries are append-only)',
      });
  }
  if (problems.length > 0) {
    throw new BundleError(
      'bad-entries',
      `${problems.length} signed ${problems.length === 1 ? 'entry does' : 'entries do'} not verify; the bundle is refused and nothing was imported.`,
      problems,
    );
  }
  return { fresh, alreadyHeld };
}
