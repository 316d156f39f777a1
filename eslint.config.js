// Lint, and the layering rules of docs/architecture.md: who may import whom.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process', 'net', 'http', 'worker_threads'];
const subsystem = (name, others) => ({
  files: [`${name}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          { group: ['electron'], message: 'Only main/electron/ imports electron.' },
          { group: ['**/renderer/**'], message: 'Subsystems never import the renderer.' },
          ...others.map((o) => ({
            group: [`**/${o}/*`, `!**/${o}/index`, `!**/${o}`],
            message: `${name}/ may use only ${o}/index.ts, never its internals (main/host wires subsystems together).`,
          })),
        ],
      },
    ],
  },
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'test-results/**', 'release/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The renderer knows only the API contract and browser packages.
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins
            .filter((n) => !n.includes('*'))
            .map((name) => ({ name, message: 'The renderer never uses Node.' })),
          patterns: [
            { group: ['node:*'], message: 'The renderer never uses Node.' },
            { group: ['electron'], message: 'Only main/electron/ imports electron.' },
            {
              group: [
                '**/main/*',
                '!**/main/api',
                '!**/main/api/*',
                '**/sync/**',
                '**/device-bridge/**',
                '**/anchor-queue/**',
                '**/insight/**',
              ],
              message: 'The renderer imports only main/api (the contract).',
            },
            {
              group: ['better-sqlite3*', 'serialport', '@serialport/*', 'ws'],
              message: 'The renderer never uses Node packages.',
            },
          ],
        },
      ],
    },
  },
  {
    // Only main/electron imports electron; the rest of main/ never reaches into the renderer.
    files: ['main/**/*.ts'],
    ignores: ['main/electron/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['electron'], message: 'Only main/electron/ imports electron.' },
            { group: ['**/renderer/**'], message: 'main/ never imports the renderer.' },
          ],
        },
      ],
    },
  },
  {
    // The API contract is shared with the renderer: no Node, no other part of main/.
    files: ['main/api/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'main/api is imported by the renderer: no Node.' },
            { group: ['../*', '!../api'], message: 'main/api depends on nothing else in the project.' },
          ],
        },
      ],
    },
  },
  subsystem('device-bridge', ['sync', 'anchor-queue', 'insight']),
  subsystem('anchor-queue', ['sync', 'device-bridge', 'insight']),
  subsystem('insight', ['sync', 'device-bridge', 'anchor-queue']),
  subsystem('sync', ['device-bridge', 'anchor-queue', 'insight']),
);
