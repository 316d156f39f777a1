// Secrets for the CLI: from an environment variable, or typed at a terminal with
// echo off. Never from a command-line flag, where they would land in shell history
// and the process list.
import { stdin, stdout } from 'node:process';

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export async function readSecret(
  envName: string,
  prompt: string,
  options: { confirm?: boolean } = {},
): Promise<string> {
  const fromEnv = process.env[envName];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!stdin.isTTY) throw new CliError(`Set ${envName}, or run this command in a terminal to type it.`, 2);
  const first = await promptHidden(prompt);
  if (options.confirm) {
    const again = await promptHidden('Type it again: ');
    if (again !== first) throw new CliError('The two entries differ. Nothing was changed.');
  }
  return first;
}

function promptHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    stdout.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    let value = '';
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          finish();
          resolve(value);
          return;
        }
        if (ch === '\u0003') {
          finish();
          reject(new CliError('Cancelled.', 130));
          return;
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      stdout.write('\n');
    };
    stdin.on('data', onData);
  });
}
