// The sijill CLI as a user runs it: separate processes, secrets from the
// environment, exit codes that scripts can rely on.
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
  closeSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDataDir } from '../../../main/store/data-dir';

const BIN = resolve(__dirname, '../../../bin/sijill.js');
const PASS = 'cli test passphrase';
let root: string;
let dataDir: string;

function sijill(args: string[], env: Record<string, string | undefined> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env: { ...process.env, SIJILL_PASSPHRASE: PASS, SIJILL_ADMIN_PASSWORD: 'admin-password-1', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const digest = (dir: string) =>
  ['sijill.db', 'sijill.key.json']
    .map((f) =>
      createHash('sha256')
        .update(readFileSync(join(dir, f)))
        .digest('hex'),
    )
    .join();

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'sijill-cli-'));
  dataDir = join(root, 'clinic');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('sijill CLI', () => {
  it('init creates an encrypted database non-interactively', () => {
    const r = sijill(['init', '--data-dir', dataDir, '--clinic', 'Test Clinic', '--admin', 'admin']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(join(dataDir, 'sijill.db')).subarray(0, 15).toString('latin1')).not.toBe('SQLite format 3');
  });

  it('init refuses an existing directory and changes nothing', () => {
    const before = digest(dataDir);
    const r = sijill(['init', '--data-dir', dataDir, '--clinic', 'Other', '--admin', 'admin']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/already holds a Sijill database/);
    expect(digest(dataDir)).toBe(before);
  });

  it('user add validates the role and adds the user', () => {
    const bad = sijill(['user', 'add', '--data-dir', dataDir, '--username', 'n1', '--role', 'surgeon'], {
      SIJILL_USER_PASSWORD: 'nurse-password-1',
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Role/);
    const ok = sijill(['user', 'add', '--data-dir', dataDir, '--username', 'n1', '--role', 'nurse'], {
      SIJILL_USER_PASSWORD: 'nurse-password-1',
    });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/Added n1 \(nurse\)/);
  });

  it('demo seed and stats --json report the counts', () => {
    const seed = sijill(['demo', 'seed', '--data-dir', dataDir, '--patients', '6', '--seed', '7']);
    expect(seed.code).toBe(0);
    const stats = sijill(['stats', '--data-dir', dataDir, '--json']);
    expect(stats.code).toBe(0);
    const s = JSON.parse(stats.stdout) as { patients: number; entries: number; auditRecords: number; users: number };
    expect(s.patients).toBe(6);
    expect(s.users).toBe(2 + 6); // admin, n1 and the demo users other than "admin"
    expect(s.auditRecords).toBeGreaterThan(s.patients);
  });

  it('demo seed is deterministic for a seed', async () => {
    const names: string[][] = [];
    for (const name of ['a', 'b']) {
      const dir = join(root, `seed-${name}`);
      expect(sijill(['init', '--data-dir', dir, '--clinic', 'C', '--admin', 'boss']).code).toBe(0);
      expect(sijill(['demo', 'seed', '--data-dir', dir, '--patients', '4', '--seed', '42']).code).toBe(0);
      const store = await openDataDir(dir, PASS);
      names.push(
        (
          store.db.prepare('SELECT given_name || family_name || birth_date AS n FROM patients ORDER BY mrn').all() as {
            n: string;
          }[]
        ).map((r) => r.n),
      );
      store.db.close();
    }
    expect(names[0]).toHaveLength(4);
    expect(names[0]).toEqual(names[1]);
  });

  it('audit verify exits 0 on an intact chain', () => {
    const r = sijill(['audit', 'verify', '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Audit chain verified: \d+ records/);
  });

  it('audit verify exits non-zero and names the record when one byte of an audit row is changed', async () => {
    const dir = join(root, 'tampered');
    cpSync(dataDir, dir, { recursive: true });
    const store = await openDataDir(dir, PASS);
    store.db.exec('DROP TRIGGER audit_no_update');
    // Actions start with a lower-case letter, so this changes exactly one byte.
    const r0 = store.db.prepare("UPDATE audit_log SET action = 'X' || substr(action, 2) WHERE seq = 3").run();
    expect(r0.changes).toBe(1);
    store.db.close();
    const r = sijill(['audit', 'verify', '--data-dir', dir]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/AUDIT CHAIN BROKEN at record 3/);
  });

  it('audit verify exits non-zero on a corrupted database file', () => {
    const dir = join(root, 'corrupt');
    cpSync(dataDir, dir, { recursive: true });
    for (const f of ['sijill.db-wal', 'sijill.db-shm']) rmSync(join(dir, f), { force: true });
    const fd = openSync(join(dir, 'sijill.db'), 'r+');
    writeSync(fd, Buffer.alloc(64, 0xab), 0, 64, 0);
    closeSync(fd);
    const r = sijill(['audit', 'verify', '--data-dir', dir]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/damaged|cannot be read/);
  });

  it('a wrong passphrase is refused with a clear message and changes nothing', () => {
    const before = digest(dataDir);
    const r = sijill(['stats', '--data-dir', dataDir, '--json'], { SIJILL_PASSPHRASE: 'not the passphrase' });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/Wrong database passphrase/);
    expect(digest(dataDir)).toBe(before);
  });

  it('without a passphrase and without a terminal it says how to give one', () => {
    const r = sijill(['stats', '--data-dir', dataDir], { SIJILL_PASSPHRASE: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/SIJILL_PASSPHRASE/);
  });

  it('passphrase change re-wraps the key without rewriting the database', () => {
    const dir = join(root, 'rekey');
    cpSync(dataDir, dir, { recursive: true });
    const dbBefore = createHash('sha256')
      .update(readFileSync(join(dir, 'sijill.db')))
      .digest('hex');
    const r = sijill(['passphrase', 'change', '--data-dir', dir], { SIJILL_NEW_PASSPHRASE: 'a brand new passphrase' });
    expect(r.code).toBe(0);
    expect(
      createHash('sha256')
        .update(readFileSync(join(dir, 'sijill.db')))
        .digest('hex'),
    ).toBe(dbBefore);
    expect(sijill(['stats', '--data-dir', dir, '--json'], { SIJILL_PASSPHRASE: 'a brand new passphrase' }).code).toBe(
      0,
    );
    expect(sijill(['stats', '--data-dir', dir, '--json']).code).toBe(4);
  });

  it('anchor seal, receipt and verify: a receipt verifies offline, a tampered one does not', async () => {
    expect(sijill(['anchor', 'seal', '--data-dir', dataDir]).stdout).toMatch(/Sealed a checkpoint at tree size \d+/);
    const store = await openDataDir(dataDir, PASS);
    const { id } = store.db.prepare("SELECT id FROM entries WHERE kind = 'vitals' LIMIT 1").get() as { id: string };
    store.db.close();
    const file = join(root, 'receipt.json');
    const r = sijill(['receipt', id, '--data-dir', dataDir, '--out', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/not anchored yet/);
    const ok = sijill(['verify', file]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/PASS {2}inclusion/);
    const receipt = JSON.parse(readFileSync(file, 'utf8'));
    receipt.leaf.contentHash = (receipt.leaf.contentHash[0] === 'a' ? 'b' : 'a') + receipt.leaf.contentHash.slice(1);
    writeFileSync(join(root, 'bad.json'), JSON.stringify(receipt));
    const bad = sijill(['verify', join(root, 'bad.json')]);
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toMatch(/NOT valid/);
    const stats = JSON.parse(sijill(['stats', '--data-dir', dataDir, '--json']).stdout);
    expect(stats).toMatchObject({ checkpoints: 1, anchored: 0, pendingAnchors: 0 });
    expect(stats.leaves).toBe(stats.entries + stats.auditRecords);
    const status = JSON.parse(sijill(['anchor', 'status', '--data-dir', dataDir, '--json']).stdout);
    expect(status).toMatchObject({ ledgerConfigured: false, checkpoints: 1 });
  });

  it('verify-store exits non-zero and names the entry changed after it was anchored', async () => {
    const dir = join(root, 'verify-store');
    cpSync(dataDir, dir, { recursive: true });
    expect(sijill(['verify-store', '--data-dir', dir]).code).toBe(0);
    const store = await openDataDir(dir, PASS);
    const { id } = store.db.prepare("SELECT id FROM entries WHERE kind = 'note' LIMIT 1").get() as { id: string };
    store.db.exec('DROP TRIGGER entries_no_update');
    store.db
      .prepare('UPDATE entries SET canonical = replace(canonical, \'"text":"\', \'"text":"X\') WHERE id = ?')
      .run(id);
    store.db.close();
    const r = sijill(['verify-store', '--data-dir', dir]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`entry ${id}`);
  });

  it('device decode prints one JSON object per item, and errors with byte offsets', () => {
    const capture = resolve(__dirname, '../../../../shared/fixtures/astm/senaite/cobas_c111.txt');
    const ok = sijill(['device', 'decode', '--protocol', 'astm', capture]);
    expect(ok.code).toBe(0);
    const items = ok.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; value?: unknown; unit?: string });
    expect(items.find((i) => i.kind === 'numeric')).toMatchObject({ value: 40.13, unit: 'g/L' });
    const bad = join(root, 'garbage.bin');
    writeFileSync(bad, Buffer.from('noise\x02unterminated'));
    const r = sijill(['device', 'decode', '--protocol', 'astm', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/byte \d+: /);
    expect(sijill(['device', 'decode', '--protocol', 'morse', bad]).code).toBe(2);
  });

  it('start falls back to browser mode, saying so, when the Electron binary is not there', async () => {
    const child = spawn(process.execPath, [BIN, 'start', '--data-dir', join(root, 'start'), '--port', '0'], {
      // Points Electron at a folder without its binary, whatever this machine has installed.
      env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: join(root, 'no-electron-here') },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await expect.poll(() => out, { timeout: 30_000 }).toMatch(/Sijill is serving on http:\/\/127\.0\.0\.1:\d+\//);
      expect(out).toMatch(/Electron is not available on this machine \(.+\), so Sijill starts in browser mode/);
      const url = /serving on (\S+)/.exec(out)![1]!;
      expect([200, 503]).toContain((await fetch(url)).status); // 503 only when the UI was not built
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('unknown commands and missing flags exit 2 with usage', () => {
    expect(sijill(['frobnicate']).code).toBe(2);
    const r = sijill(['stats']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--data-dir/);
    expect(existsSync(join(root, 'nothing'))).toBe(false);
  });
});
