// Temporary directories for tests: every test gets its own under os.tmpdir() and
// removes it when it finishes, pass or fail.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { onTestFinished } from 'vitest';

/** A new empty directory under os.tmpdir(); the caller removes it (see removeDir). */
export function makeTempDir(label = 'sijill-test'): string {
  return mkdtempSync(join(tmpdir(), `${label}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A new empty directory removed when the current test finishes. Call inside a test. */
export function tempDir(label?: string): string {
  const dir = makeTempDir(label);
  onTestFinished(() => removeDir(dir));
  return dir;
}

/** SHA-256 (hex) of every file below `dir`, keyed by relative path. */
export function hashFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

export const sha256File = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/** The first `n` bytes of a file. */
export function fileHead(file: string, n = 16): Buffer {
  return readFileSync(file).subarray(0, n);
}
