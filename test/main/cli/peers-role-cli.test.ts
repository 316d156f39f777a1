// `sijill peers role DEVICE --role … [--team …]`: an administrator device signs a
// device's role into the roster from the command line; `peers list` shows it; bad
// input is refused with exit code 2 and changes nothing.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';

const BIN = resolve(__dirname, '../../../bin/sijill.js');
const PASS = 'peers role cli passphrase';
let root: string;
let dir: string;

function sijill(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env: { ...process.env, SIJILL_PASSPHRASE: PASS, SIJILL_ADMIN_PASSWORD: 'admin-password-1' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

type Listed = { deviceId: string; thisDevice: boolean; role: string; teamIds: string[] };
const listed = (): Listed[] => {
  const r = sijill(['peers', 'list', '--data-dir', dir, '--json']);
  expect(r.code).toBe(0);
  return (JSON.parse(r.stdout) as { devices: Listed[] }).devices;
};

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'sijill-peers-role-'));
  dir = join(root, 'desk');
  expect(sijill(['init', '--data-dir', dir, '--clinic', 'Role Clinic', '--admin', 'admin']).code).toBe(0);
}, 120_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

it('sets a device role and teams, shows them, and refuses bad input', () => {
  // Not enrolled yet: nothing to sign into.
  const before = sijill(['peers', 'role', 'some-device', '--data-dir', dir, '--role', 'hub']);
  expect(before.code).toBe(1);
  expect(before.stderr).toMatch(/not enrolled/);
  expect(sijill(['peers', 'enroll', '--data-dir', dir]).code).toBe(0); // founds the clinic
  const me = listed().find((d) => d.thisDevice)!;
  expect(me.role).toBe('clinic');

  const set = sijill([
    'peers',
    'role',
    me.deviceId,
    '--data-dir',
    dir,
    '--role',
    'field',
    '--team',
    'T2',
    '--team',
    'T1',
  ]);
  expect(set.stderr).toBe('');
  expect(set.code).toBe(0);
  expect(set.stdout).toMatch(/now a field device of team\(s\) T1, T2/);
  expect(listed().find((d) => d.thisDevice)).toMatchObject({ role: 'field', teamIds: ['T1', 'T2'] });
  expect(sijill(['peers', 'list', '--data-dir', dir]).stdout).toMatch(/field \(teams T1, T2\)/);

  for (const bad of [
    ['--role', 'boss'],
    ['--role', 'clinic', '--team', 'T1'],
  ]) {
    const r = sijill(['peers', 'role', me.deviceId, '--data-dir', dir, ...bad]);
    expect(r.code, bad.join(' ')).toBe(2);
  }
  expect(sijill(['peers', 'role', '--data-dir', dir, '--role', 'hub']).code).toBe(2); // no DEVICE
  const unknown = sijill(['peers', 'role', 'no-such-device', '--data-dir', dir, '--role', 'hub']);
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toMatch(/not on the roster/);
  expect(listed().find((d) => d.thisDevice)).toMatchObject({ role: 'field', teamIds: ['T1', 'T2'] });
}, 180_000);
