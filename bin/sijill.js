#!/usr/bin/env node
// The `sijill` command. The host is TypeScript run through tsx's loader, so the
// same sources serve the CLI, the tests and the Electron utility process.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../main/cli/main.ts');
const code = await main(process.argv.slice(2));
// Exit once the command is done, even if a library left a timer running: after a
// sync through the hub, automerge-repo 2.5 keeps retrying documents that were
// evicted from memory, and a one-shot command must not hang on that.
process.exit(code);
