// The demo clinic end to end, as a newcomer would see it with `npm start -- --demo`:
// simulated bedside devices streaming into a chart (live numerics and waveform),
// checkpoints anchored on a local EVM node, an entry's receipt downloaded from the
// chart that `sijill verify` accepts, and lab results waiting in the inbox.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '../main/host/ws-client';
import { launchChromium, ROOT, serve, SCREENSHOTS, type ServedApp } from './support';

let dir: string;
let app: ServedApp;
let browser: Browser;
let page: Page;
let api: TestClient;
const problems: string[] = [];
const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sijill-e2e-demo-'));
  app = await serve(['--demo', '--data-dir', join(dir, 'demo')], { SIJILL_PASSPHRASE: '' });
  api = await TestClient.connect(`${app.url.replace('http', 'ws')}api`);
  api.token = (await api.call('auth.login', { username: 'admin', password: 'sijill-demo' })).token;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(app.url);
  await page.getByTestId('login-username').fill('admin');
  await page.getByTestId('login-password').fill('sijill-demo');
  await page.getByTestId('login-submit').click();
  await page.getByTestId('status-bar').waitFor();
});

afterAll(async () => {
  api?.close();
  await browser?.close();
  await app?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the demo clinic', () => {
  it('shows the simulated devices connected', async () => {
    await page.getByTestId('nav-devices').click();
    await expect
      .poll(() => page.locator('[data-testid="device-row"][data-state="connected"]').count(), { timeout: 30_000 })
      .toBe(3);
    await shot('10-demo-devices');
  });

  it('streams live numerics and a waveform into the attached patient’s chart', async () => {
    const { connections } = await api.call('devices.list', {});
    const oximeter = connections.find((c) => c.profileId === 'contec-cms50d-plus' && c.patientId)!;
    await page.goto(`${app.url}#/patients/${oximeter.patientId}`);
    await page.getByTestId('live-panel').waitFor({ timeout: 20_000 });
    await expect
      .poll(async () => (await page.getByTestId('live-numeric').allTextContents()).join(' '), { timeout: 20_000 })
      .toMatch(/\d{2}/);
    await page.getByTestId('live-waveform').waitFor();
    await shot('11-demo-live-chart');
  });

  it('anchors checkpoints on the local EVM and shows the last anchor', async () => {
    await page.getByTestId('nav-ledger').click();
    await expect
      .poll(() => page.getByTestId('anchor-last').getAttribute('data-anchored'), { timeout: 40_000 })
      .toBe('true');
    await shot('12-demo-ledger');
  });

  it('downloads an entry receipt that `sijill verify` accepts, anchor included', async () => {
    const { connections } = await api.call('devices.list', {});
    const patientId = connections.find((c) => c.patientId)!.patientId!;
    // A seeded visit entry is covered by the demo's first anchored checkpoint.
    const { patients } = await api.call('patients.search', { query: '', limit: 100 });
    let target = patientId;
    for (const p of patients) {
      const { entries } = await api.call('patients.get', { patientId: p.id });
      if (entries.some((e) => e.kind === 'vitals')) {
        target = p.id;
        break;
      }
    }
    await page.goto(`${app.url}#/patients/${target}`);
    const entry = page.locator('[data-testid="entry"][data-kind="vitals"]').first();
    await entry.getByTestId('entry-receipt').click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('receipt-download').click()]);
    const file = join(dir, 'receipt.json');
    await download.saveAs(file);
    const verify = spawnSync(process.execPath, [resolve(ROOT, 'bin/sijill.js'), 'verify', file], { encoding: 'utf8' });
    expect(verify.stdout).toMatch(/PASS {2}inclusion/);
    expect(verify.stdout).toMatch(/PASS {2}batch id/); // the anchor is in the receipt
    expect(verify.status).toBe(0);
    await shot('13-demo-receipt');
  });

  it('keeps unmatched lab results in the inbox', async () => {
    await page.getByTestId('nav-lab-inbox').click();
    await expect.poll(() => page.getByTestId('inbox-row').count(), { timeout: 60_000 }).toBeGreaterThan(0);
    await shot('14-demo-lab-inbox');
  });

  it('logged no browser errors or CSP violations', () => {
    expect(problems).toEqual([]);
  });
});
