#!/usr/bin/env node
// The `sijill` command. The host is TypeScript run through tsx's loader, so the
// same sources serve the CLI, the tests and the Electron utility process.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../main/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
