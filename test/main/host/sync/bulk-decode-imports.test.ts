// The decoding thread (bulk-decode-worker.ts) starts in about 0.2 s because its
// module graph is small: Automerge, hashing and Ed25519. It once reached the
// anchoring library (viem), the API schemas (zod) and the store through one import of
// the entries repository, and took 1.4 s to start: the first batches of a first sync
// were then decoded on the main thread. This walks the TypeScript imports from the
// worker's entry and names any package or project module outside that set.
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const ENTRY = join(ROOT, 'main/host/sync/bulk-decode-worker.ts');
const ALLOWED_PACKAGES = [/^node:/, /^@automerge\/automerge$/, /^@noble\/hashes\//, /^@noble\/curves\//];

/** Imports that load code at run time (type-only imports are erased). */
function runtimeImports(source: string): string[] {
  const out: string[] = [];
  const re = /^\s*(?:import|export)\s+(?!type\b)(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
  for (const m of source.matchAll(re)) out.push(m[1]!);
  return out;
}

function resolveProjectFile(from: string, spec: string): string {
  const base = resolve(dirname(from), spec);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base])
    try {
      readFileSync(candidate);
      return candidate;
    } catch {
      /* try the next form */
    }
  throw new Error(`cannot resolve ${spec} from ${relative(ROOT, from)}`);
}

function moduleGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const stack = [entry];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const spec of runtimeImports(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) stack.push(resolveProjectFile(file, spec));
      else packages.add(spec);
    }
  }
  return { files: [...files].map((f) => relative(ROOT, f)).sort(), packages: [...packages].sort() };
}

describe('the bulk decoding thread', () => {
  it('loads only Automerge, hashing and signature checks, not the store, the API schemas or anchoring', () => {
    const { files, packages } = moduleGraph(ENTRY);
    expect(files).toContain('main/host/sync/bulk-decode.ts');
    expect(files).toContain('main/store/sync/wire-entries.ts');
    expect(packages.filter((p) => !ALLOWED_PACKAGES.some((re) => re.test(p)))).toEqual([]);
    expect(
      files.filter((f) =>
        /^(anchor-queue|main\/store\/(database|anchor-log|statements))|main\/api\/(index|schemas|contract)\.ts$/.test(
          f,
        ),
      ),
    ).toEqual([]);
  });
});
