/**
 * An administrator makes a service account's token in Chromium (issue 22 item 3): an exact
 * expiry date, a `may_act` entry and DPoP required, from the same form a person has; the token's
 * page then shows them. No serious or critical axe violation on the form, light at desktop
 * width and dark at 360 px. TESSERA_SCREENSHOTS=1 saves the screenshot docs/console-and-sso.md
 * shows. One form load per mode: the browser project is the slowest part of the suite.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { expiryDateRange } from '../../src/pat/policy.js';
import {
  launchBrowser,
  screenshot,
  seriousViolations,
  signedInWithToken,
  VIEW_MODES,
} from '../helpers/browser.js';
import { startTestServer, type TestServer, uniqueName } from '../helpers/server.js';

jest.setTimeout(120_000);

const DAY_MS = 86_400_000;
let browser: Browser;
let server: TestServer;
let bot: string;

beforeAll(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startTestServer()]);
  bot = (await server.createUserWithToken(uniqueName('bot'), ['tessera:tokens', 'repo:read'])).user.username;
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("a service account's token, made by an administrator in Chromium", () => {
  for (const [mode, options] of VIEW_MODES) {
    it(`with a date, may_act and DPoP; its page shows them; axe-clean (${mode})`, async () => {
      const svc = await server.request('POST', '/api/v1/users', {
        token: server.adminToken,
        body: { username: uniqueName('deployer'), entitlements: ['repo:read'], service: true },
      });
      expect(svc.status).toBe(201);
      const { context, page } = await signedInWithToken(browser, server.url, server.adminToken, options);

      await page.goto(`${server.url}/console/admin/users/${svc.body.id}/tokens/new`);
      const { latest } = expiryDateRange({ maxLifetimeDays: 365 }, server.now());
      await page.getByLabel('Name').fill('deploy');
      await page.getByRole('checkbox', { name: 'repo:read' }).check();
      await page.getByLabel('Expiration').selectOption('date');
      await page.getByLabel('Expiry date').fill(latest);
      await page.getByLabel(`May act for ${svc.body.username}`).fill(`${bot} = repo:read`);
      await page.getByRole('checkbox', { name: 'Require DPoP' }).check();
      const found = (await seriousViolations(page)).map((v) => `form: ${v}`);
      const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
      if (width > options.viewport.width) found.push(`form: the page is ${width} px wide`);
      if (mode === 'light, desktop') await screenshot(page, 'admin-service-token-form');

      await page.getByRole('button', { name: 'Generate token' }).click();
      await expect(page.getByTestId('new-token').textContent()).resolves.toMatch(/^\s*tsr_/);
      await page.getByRole('link', { name: 'Done' }).click();
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('deploy');
      const settings = page.locator('dl.settings');
      await expect(settings.getByText(`${bot} (repo:read)`, { exact: true }).count()).resolves.toBe(1);
      await expect(settings.getByText('yes: exchanges need a proof of possession').count()).resolves.toBe(1);
      const end = new Date(Date.parse(`${latest}T00:00:00Z`) + DAY_MS).toISOString();
      await expect(settings.locator(`time[datetime="${end}"]`).count()).resolves.toBe(1);
      expect(found).toEqual([]);
      await context.close();
    });
  }
});
