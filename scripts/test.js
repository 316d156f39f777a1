#!/usr/bin/env node
// `npm test`: everything CI checks, in the order that fails fastest — types, lint,
// unit and integration tests, the renderer build, then the end-to-end tests in
// Chromium. Prints one closing line "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { ensureSystemDeps } from './system-deps.js';

ensureSystemDeps();
mkdirSync('test-results', { recursive: true });

const node = process.execPath;
const steps = [
  ['typecheck', [node, 'node_modules/typescript/bin/tsc', '--noEmit', '-p', 'tsconfig.json']],
  ['lint', [node, 'node_modules/eslint/bin/eslint.js', '.']],
  [
    'unit',
    [
      node,
      'node_modules/vitest/vitest.mjs',
      'run',
      '--reporter=default',
      '--reporter=json',
      '--outputFile.json=test-results/unit.json',
    ],
  ],
  ['build', [node, 'node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn']],
  [
    'e2e',
    [
      node,
      'node_modules/vitest/vitest.mjs',
      'run',
      '--config',
      'vitest.e2e.config.ts',
      '--reporter=default',
      '--reporter=json',
      '--outputFile.json=test-results/e2e.json',
    ],
  ],
];

let failedStep = null;
for (const [name, [cmd, ...args]] of steps) {
  console.log(`\n=== ${name} ===`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    failedStep = name;
    break;
  }
}

let passed = 0;
let failed = 0;
for (const f of ['test-results/unit.json', 'test-results/e2e.json']) {
  if (!existsSync(f)) continue;
  const r = JSON.parse(readFileSync(f, 'utf8'));
  passed += r.numPassedTests ?? 0;
  failed += r.numFailedTests ?? 0;
}
if (failedStep) console.error(`\nnpm test: the ${failedStep} step failed.`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failedStep ? 1 : 0);
