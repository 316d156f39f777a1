// Sync end to end, as separate processes with their own encrypted data directories:
// a desktop serving (`sijill serve --listen-peers`), a laptop that joins it with a
// one-time code and syncs (`sijill sync`, exit 0 only when both hold the same data),
// then USB bundles through the CLI: imported once, refused when replayed, tampered
// with, or made for another clinic — and a refusal changes nothing.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDataDir } from '../../../main/store/data-dir';

const BIN = resolve(__dirname, '../../../bin/sijill.js');
const PASS = 'sync cli test passphrase';
let root: string;
let desk: string;
let laptop: string;
let other: string;
let server: ChildProcess | undefined;
let peerUrl: string;

function sijill(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env: { ...process.env, SIJILL_PASSPHRASE: PASS, SIJILL_ADMIN_PASSWORD: 'admin-password-1' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** What a data directory holds, as comparable data (opened after the processes exit). */
async function holdings(dir: string) {
  const store = await openDataDir(dir, PASS);
  try {
    const db = store.db;
    return {
      patients: (db.prepare('SELECT id, mrn, given_name, heads FROM patients ORDER BY id').all() as object[]).map((r) =>
        JSON.stringify(r),
      ),
      entries: (db.prepare('SELECT id, hex(content_hash) AS h FROM entries ORDER BY id').all() as object[]).map((r) =>
        JSON.stringify(r),
      ),
      chunks: (db.prepare('SELECT count(*) AS n FROM automerge_chunks').get() as { n: number }).n,
    };
  } finally {
    store.db.close();
  }
}

const thisDevice = (dir: string): string => {
  const r = sijill(['peers', 'list', '--data-dir', dir, '--json']);
  expect(r.code).toBe(0);
  return (JSON.parse(r.stdout) as { devices: { deviceId: string; thisDevice: boolean }[] }).devices.find(
    (d) => d.thisDevice,
  )!.deviceId;
};

async function startServe(dir: string): Promise<void> {
  server = spawn(
    process.execPath,
    [BIN, 'serve', '--data-dir', dir, '--port', '0', '--listen-peers', '--peer-port', '0', '--peer-bind', '127.0.0.1'],
    { env: { ...process.env, SIJILL_PASSPHRASE: PASS }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  server.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  peerUrl = await new Promise<string>((res, rej) => {
    const t = setTimeout(() => rej(new Error(`serve did not start: ${out} ${err}`)), 60_000);
    server!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Listening for peers on (ws:\/\/[\d.]+:\d+)/.exec(out);
      if (m) {
        clearTimeout(t);
        res(m[1]!);
      }
    });
    server!.once('exit', (code) => rej(new Error(`serve exited (${code}): ${out} ${err}`)));
  });
}

async function stopServe(): Promise<void> {
  const s = server;
  server = undefined;
  if (!s || s.exitCode !== null) return;
  const exited = new Promise((r) => s.once('exit', r));
  s.kill('SIGTERM');
  await exited;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'sijill-sync-cli-'));
  desk = join(root, 'desk');
  laptop = join(root, 'laptop');
  other = join(root, 'other');
  for (const [dir, name] of [
    [desk, 'Desk Clinic'],
    [laptop, 'Field Laptop'],
    [other, 'Other Clinic'],
  ] as const)
    expect(sijill(['init', '--data-dir', dir, '--clinic', name, '--admin', 'admin']).code).toBe(0);
  expect(sijill(['demo', 'seed', '--data-dir', desk, '--patients', '5', '--seed', '1']).code).toBe(0);
  expect(sijill(['demo', 'seed', '--data-dir', laptop, '--patients', '4', '--seed', '2']).code).toBe(0);
}, 180_000);

afterAll(async () => {
  await stopServe();
  rmSync(root, { recursive: true, force: true });
});

describe('sync between two processes over WebSocket', () => {
  it('enrolls the laptop with a code and syncs until both hold the same data', async () => {
    const enroll = sijill(['peers', 'enroll', '--data-dir', desk]);
    expect(enroll.code).toBe(0);
    const code = /Enrollment code: (\S+)/.exec(enroll.stdout)![1]!;
    expect(enroll.stdout).toMatch(/QR: sijill:\/\/enroll\?/);
    await startServe(desk);

    const wrong = sijill(['peers', 'join', '--data-dir', laptop, '--code', 'AAAA-BBBB-CC', '--peer', peerUrl]);
    expect(wrong.code).not.toBe(0);
    const join_ = sijill([
      'peers',
      'join',
      '--data-dir',
      laptop,
      '--code',
      code,
      '--peer',
      peerUrl,
      '--name',
      'laptop',
    ]);
    expect(join_.stderr + join_.stdout).toMatch(/Joined clinic "Desk Clinic"/);
    expect(join_.code).toBe(0);
    // The code is single use.
    const again = sijill(['peers', 'join', '--data-dir', other, '--code', code, '--peer', peerUrl]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/wrong, expired or already used/);

    const sync = sijill(['sync', '--data-dir', laptop, '--peer', peerUrl, '--timeout', '90']);
    expect(sync.stdout).toMatch(/In sync with device/);
    expect(sync.code).toBe(0);
    await stopServe();

    const d = await holdings(desk);
    const l = await holdings(laptop);
    expect(d.patients).toHaveLength(9);
    expect(l.patients).toEqual(d.patients);
    expect(l.entries).toEqual(d.entries);
    expect(d.entries.length).toBeGreaterThan(9);

    const stats = JSON.parse(sijill(['stats', '--data-dir', laptop, '--json']).stdout) as Record<string, number>;
    expect(stats).toMatchObject({ patients: 9, peers: 1, conflicts: 0, unsentChanges: 0 });
  }, 240_000);

  it('moves new work by USB bundle; a replayed, tampered or foreign bundle is refused and changes nothing', async () => {
    const deskId = thisDevice(desk);
    expect(sijill(['demo', 'seed', '--data-dir', laptop, '--patients', '2', '--seed', '3']).code).toBe(0);
    const file = join(root, 'laptop.sijillbundle');
    const exp = sijill(['bundle', 'export', '--data-dir', laptop, '--since-peer', deskId, '--out', file]);
    expect(exp.stdout).toMatch(/Wrote .*laptop\.sijillbundle/);
    expect(exp.code).toBe(0);

    const tampered = join(root, 'tampered.sijillbundle');
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    writeFileSync(tampered, bytes);

    // A bundle from another clinic (its own device, its own clinic key).
    expect(sijill(['peers', 'enroll', '--data-dir', other]).code).toBe(0);
    const foreign = join(root, 'foreign.sijillbundle');
    expect(
      sijill(['bundle', 'export', '--data-dir', other, '--since-peer', thisDevice(other), '--out', foreign]).code,
    ).toBe(0);

    const before = await holdings(desk);
    const bad = sijill(['bundle', 'import', '--data-dir', desk, tampered]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/altered/);
    const alien = sijill(['bundle', 'import', '--data-dir', desk, foreign]);
    expect(alien.code).not.toBe(0);
    expect(alien.stderr).toMatch(/another clinic/);
    expect(await holdings(desk)).toEqual(before);

    const ok = sijill(['bundle', 'import', '--data-dir', desk, file]);
    expect(ok.stdout).toMatch(/Imported bundle/);
    expect(ok.code).toBe(0);
    const after = await holdings(desk);
    expect(after.patients).toHaveLength(11);
    expect(after.patients).toEqual((await holdings(laptop)).patients);
    expect(after.entries).toEqual((await holdings(laptop)).entries);

    const replay = sijill(['bundle', 'import', '--data-dir', desk, file]);
    expect(replay.code).not.toBe(0);
    expect(replay.stderr).toMatch(/already imported/);
    expect(await holdings(desk)).toEqual(after);
  }, 240_000);
});
