// The foundation's end-to-end path, as a clinic would walk it in browser mode:
// first-run setup → login → register أحمد علي → search احمد finds him → record vital
// signs → they appear in the chart → switch to Arabic (dir=rtl). Screenshots of each
// step are left in test-results/e2e/.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, serve, SCREENSHOTS, type ServedApp } from './support';

let dir: string;
let app: ServedApp;
let browser: Browser;
let page: Page;
const problems: string[] = [];

const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sijill-e2e-'));
  app = await serve(['--data-dir', join(dir, 'clinic')]);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('first run to a recorded vital sign, in English and Arabic', () => {
  it('completes first-run setup', async () => {
    await page.goto(app.url);
    await page.getByTestId('setup-clinic').fill('Al-Noor Primary Health Care Centre');
    await page.getByTestId('setup-passphrase').fill('clinic database passphrase');
    await page.getByTestId('setup-passphrase-confirm').fill('clinic database passphrase');
    await page.getByTestId('setup-admin-username').fill('admin');
    await page.getByTestId('setup-admin-name').fill('Dr. Huda Kareem');
    await page.getByTestId('setup-admin-password').fill('admin-password-1');
    await page.getByTestId('setup-admin-password-confirm').fill('admin-password-1');
    await shot('01-setup');
    await page.getByTestId('setup-submit').click();
    await page.getByTestId('login-username').waitFor({ timeout: 30_000 });
  });

  it('refuses a wrong password, then logs in', async () => {
    await page.getByTestId('login-username').fill('admin');
    await page.getByTestId('login-password').fill('wrong-password');
    await page.getByTestId('login-submit').click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toMatch(/Wrong username or password/);
    await page.getByTestId('login-password').fill('admin-password-1');
    await shot('02-login');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('status-bar').waitFor();
    await expect
      .poll(() => page.getByTestId('status-bar').textContent())
      .toContain('Al-Noor Primary Health Care Centre');
  });

  it('registers a patient named أحمد علي', async () => {
    await page.getByTestId('nav-register').click();
    await page.getByTestId('reg-given').fill('أحمد');
    await page.getByTestId('reg-family').fill('علي');
    await page.getByTestId('reg-latin').fill('Ahmed Ali');
    await page.getByTestId('reg-sex').selectOption('male');
    await page.getByTestId('reg-birthdate').fill('1984-03-11');
    await page.getByTestId('reg-phone').fill('+964 770 123 4567');
    await shot('03-register');
    await page.getByTestId('reg-submit').click();
    await expect.poll(() => page.getByTestId('chart-name').textContent(), { timeout: 15_000 }).toContain('أحمد');
    await expect.poll(() => page.getByTestId('chart-mrn').textContent()).toMatch(/[A-Z0-9]{5}-\d{7}/);
  });

  it('finds him by searching احمد (no hamza)', async () => {
    await page.getByTestId('nav-patients').click();
    await page.getByTestId('patient-search').fill('احمد');
    const row = page.getByTestId('patient-row').filter({ hasText: 'أحمد' });
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
    await shot('04-search');
    await row.first().click();
    await expect.poll(() => page.getByTestId('chart-name').textContent()).toContain('علي');
  });

  it('rejects SpO2 120 with a clear message, then records vital signs that appear in the chart', async () => {
    await page.getByTestId('vitals-spo2').fill('120');
    await page.getByTestId('vitals-submit').click();
    await expect
      .poll(async () => (await page.getByRole('alert').allTextContents()).join(' '))
      .toMatch(/SpO2 \(%\) must be between 50 and 100/);
    expect(await page.getByTestId('vitals-row').count()).toBe(0);

    await page.getByTestId('vitals-temp').fill('38.4');
    await page.getByTestId('vitals-hr').fill('104');
    await page.getByTestId('vitals-rr').fill('22');
    await page.getByTestId('vitals-sys').fill('132');
    await page.getByTestId('vitals-dia').fill('84');
    await page.getByTestId('vitals-spo2').fill('94');
    await page.getByTestId('vitals-submit').click();
    const row = page.getByTestId('vitals-row');
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
    const text = (await row.first().textContent()) ?? '';
    for (const v of ['38.4', '104', '22', '132', '84', '94']) expect(text).toContain(v);
    await expect.poll(() => page.getByTestId('entry-signature').first().textContent()).toMatch(/Signed/);
    await shot('05-chart-vitals');
  });

  it('switches to Arabic with a right-to-left layout', async () => {
    await page.getByTestId('lang-toggle').click();
    await expect.poll(() => page.locator('html').getAttribute('dir')).toBe('rtl');
    expect(await page.locator('html').getAttribute('lang')).toBe('ar');
    // The data stays, the interface speaks Arabic.
    expect(await page.getByTestId('vitals-row').count()).toBe(1);
    expect(await page.getByTestId('status-bar').textContent()).toMatch(/[\u0600-\u06FF]/);
    await shot('06-chart-arabic-rtl');
  });

  it('logged no browser errors or CSP violations', () => {
    expect(problems).toEqual([]);
  });
});
