// The committed contract artifacts are what the solc npm package makes of the committed
// source today: the appliance deploys and calls exactly the audited bytecode.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { sijillAnchorArtifact } from '../../../anchor-queue';

const run = promisify(execFile);
const contractDir = 'anchor-queue/ledger/contract';
const script = 'scripts/compile-contracts.js';
const scratch = mkdtempSync(join(tmpdir(), 'sijill-contract-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function check(dir: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [script, '--check', '--dir', dir]);
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe('SijillAnchor artifacts', () => {
  it('are current: a fresh solc compile reproduces them byte for byte, and a stale copy is caught', async () => {
    const stale = join(scratch, 'stale');
    cpSync(contractDir, stale, { recursive: true });
    const json = JSON.parse(readFileSync(join(stale, 'SijillAnchor.json'), 'utf8')) as { bytecode: string };
    json.bytecode = `${json.bytecode.slice(0, -2)}00`;
    writeFileSync(join(stale, 'SijillAnchor.json'), `${JSON.stringify(json, null, 2)}\n`);

    const [current, outdated] = await Promise.all([check(contractDir), check(stale)]);
    expect(current.output).toMatch(/artifacts are current/);
    expect(current.code).toBe(0);
    expect(outdated.code).toBe(1);
    expect(outdated.output).toMatch(/Stale contract artifacts.*SijillAnchor\.json/);
  }, 60_000);

  it('describe the committed source, compiled for a Besu-compatible EVM', () => {
    const source = readFileSync(join(contractDir, 'SijillAnchor.sol'));
    const json = JSON.parse(
      readFileSync(join(contractDir, 'SijillAnchor.json'), 'utf8'),
    ) as typeof sijillAnchorArtifact;
    expect(json.sourceSha256).toBe(createHash('sha256').update(source).digest('hex'));
    expect(sijillAnchorArtifact.bytecode).toBe(json.bytecode);
    expect(sijillAnchorArtifact.evmVersion).toBe('paris');
    expect(sijillAnchorArtifact.optimizer.enabled).toBe(true);
    expect(sijillAnchorArtifact.solcVersion).toMatch(/^0\.8\./);
    expect(sijillAnchorArtifact.bytecode).toMatch(/^0x[0-9a-f]{200,}$/);
    const names = sijillAnchorArtifact.abi.map((item) => ('name' in item ? `${item.type}:${item.name}` : item.type));
    expect(names).toEqual(
      expect.arrayContaining([
        'function:anchor',
        'function:anchors',
        'event:Anchored',
        'error:ConflictingAnchor',
        'error:NotSubmitter',
        'function:setSubmitter',
      ]),
    );
  });
});
