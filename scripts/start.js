#!/usr/bin/env node
// `npm start [-- --demo] [-- --data-dir DIR]`: build the user interface, then start
// Sijill (Electron when its binary is present, browser mode otherwise).
import { spawnSync } from 'node:child_process';

const build = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], {
  stdio: 'inherit',
});
if (build.status !== 0) {
  console.error('Building the user interface failed; see the messages above.');
  process.exit(build.status ?? 1);
}
const run = spawnSync(process.execPath, ['bin/sijill.js', 'start', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(run.status ?? 1);
