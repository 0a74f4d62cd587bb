/**
 * The admin pages for trust policies and webhooks in Chromium (issue 22 item 4): an admin
 * creates a webhook and sees its signing secret once, in an alert, and never again on any page;
 * sees the delivery log of a real receiver and a refused URL as a form error; creates a trust
 * policy after an over-matching one is refused, and finds a federated exchange among its events.
 * No serious or critical axe violation on any of these pages, light at desktop width and dark at
 * 360 px. TESSERA_SCREENSHOTS=1 saves the screenshots docs/console-and-sso.md shows.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import {
  launchBrowser,
  screenshot,
  seriousViolations,
  signedInWithToken,
  VIEW_MODES,
} from '../helpers/browser.js';
import { federatedExchange } from '../helpers/federation.js';
import { startTestIssuer, type TestIssuer } from '../helpers/oidc-issuer.js';
import { startTestServer, type TestServer, uniqueName } from '../helpers/server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

jest.setTimeout(120_000);

const API = 'https://api.example.com';
const AUD = 'https://tessera.test';
let browser: Browser;
let server: TestServer;
let github: TestIssuer;
let receiver: WebhookReceiver;
let service: string;

beforeAll(async () => {
  [browser, github, receiver] = await Promise.all([
    launchBrowser(),
    startTestIssuer(),
    startWebhookReceiver(),
  ]);
  server = await startTestServer({
    configFile: {
      resources: [{ audience: API, scopes: ['repo:read'], tokenTtlSeconds: 600 }],
      webhooks: { pollIntervalMs: 3_600_000, maxAttempts: 1 },
    },
  });
  service = (await server.createUserWithToken(uniqueName('ci-bot'), ['tessera:tokens', 'repo:read'])).user
    .username;
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await github?.stop();
  await receiver?.close();
});

const signedIn = (options: (typeof VIEW_MODES)[number][1]) =>
  signedInWithToken(browser, server.url, server.adminToken, options);

/** axe findings and sideways overflow of the page as it is now, prefixed with `where`. */
async function problems(page: Page, where: string, width: number): Promise<string[]> {
  const found = (await seriousViolations(page)).map((v) => `${where}: ${v}`);
  const scroll = Number(await page.evaluate('document.documentElement.scrollWidth'));
  if (scroll > width) found.push(`${where}: the page is ${scroll} px wide`);
  return found;
}

describe('webhook pages in Chromium', () => {
  for (const [mode, options] of VIEW_MODES) {
    it(`create with the secret shown once, delivery log, a refused URL; axe-clean (${mode})`, async () => {
      const { context, page } = await signedIn(options);
      const found: string[] = [];
      const shot = (name: string) => (mode === 'light, desktop' ? screenshot(page, name) : undefined);
      await page.getByRole('link', { name: 'Webhooks' }).click();
      await page.getByRole('link', { name: 'New webhook' }).click();
      found.push(...(await problems(page, 'new', options.viewport.width)));

      // Plain http to an internet host: the API's message, summarised and beside the field.
      await page.getByLabel('URL').fill('http://example.com/hook');
      await page.getByRole('checkbox', { name: 'token.created' }).check();
      await page.getByRole('button', { name: 'Create webhook' }).click();
      const alert = page.getByRole('alert');
      await expect(alert.textContent()).resolves.toContain(
        'url: must be https (plain http only to private hosts)',
      );
      await expect(page.getByLabel('URL').getAttribute('aria-invalid')).resolves.toBe('true');
      found.push(...(await problems(page, 'form error', options.viewport.width)));
      await shot('webhook-form-error');

      await page.getByLabel('URL').fill(receiver.url);
      await page.getByLabel('Description').fill(`audit sink ${mode}`);
      await page.getByRole('button', { name: 'Create webhook' }).click();
      const secret =
        (await page.getByRole('alert').getByTestId('webhook-secret').textContent())?.trim() ?? '';
      expect(secret).toMatch(/^whsec_/);
      await expect(page.getByRole('alert').textContent()).resolves.toContain('It will not be shown again');
      found.push(...(await problems(page, 'secret', options.viewport.width)));
      if (mode === 'light, desktop') await screenshot(page, 'webhook-secret');
      const shownAt = page.url();
      await page.getByRole('link', { name: 'Done' }).click();
      const endpointUrl = page.url();

      await server.createUserWithToken(uniqueName('someone'), ['tessera:tokens']);
      while ((await server.tessera.deliverWebhooks()) > 0) {}
      await page.reload();
      const log = page.getByRole('table', { name: 'Delivery log' });
      await expect(log.textContent()).resolves.toContain('delivered');
      found.push(...(await problems(page, 'endpoint', options.viewport.width)));
      await shot('webhook');

      // The secret is on no other page, and its own page does not show it twice.
      const pages = [
        shownAt,
        endpointUrl,
        `${endpointUrl}/edit`,
        `${endpointUrl}/delete`,
        '/console/admin/webhooks',
      ];
      for (const path of pages) {
        const answer = await page.goto(path.startsWith('http') ? path : `${server.url}${path}`);
        expect([path, (await page.content()).includes(secret)]).toEqual([path, false]);
        if (path === shownAt) expect(answer?.status()).toBe(410);
        else found.push(...(await problems(page, path, options.viewport.width)));
      }
      await page.goto(`${server.url}/console/admin/webhooks`);
      await shot('webhooks');
      expect(found).toEqual([]);
      await context.close();
    });
  }
});

describe('trust policy pages in Chromium', () => {
  for (const [mode, options] of VIEW_MODES) {
    it(`an over-matching policy refused, then created; its events; axe-clean (${mode})`, async () => {
      const { context, page } = await signedIn(options);
      const found: string[] = [];
      const shot = (name: string) => (mode === 'light, desktop' ? screenshot(page, name) : undefined);
      const name = uniqueName('deploy-main');
      await page.getByRole('link', { name: 'Federation' }).click();
      await page.getByRole('link', { name: 'New trust policy' }).click();
      await page.getByLabel('Name', { exact: true }).fill(name);
      await page.getByLabel('Issuer', { exact: true }).fill(github.url);
      await page.getByLabel('Audience', { exact: true }).fill(AUD);
      await page.getByLabel('Subject', { exact: true }).fill('*');
      await page.getByLabel('Claims', { exact: true }).fill('repository_id = 123456');
      await page.getByLabel('User', { exact: true }).fill(service);
      await page.getByRole('checkbox', { name: 'repo:read' }).check();
      await page.getByRole('checkbox', { name: API }).check();
      found.push(...(await problems(page, 'new', options.viewport.width)));
      await page.getByRole('button', { name: 'Create trust policy' }).click();
      await expect(page.getByRole('alert').textContent()).resolves.toContain(
        'subject: matches every subject; name a value or a narrower pattern',
      );
      await expect(page.getByLabel('Subject', { exact: true }).getAttribute('aria-invalid')).resolves.toBe(
        'true',
      );
      found.push(...(await problems(page, 'form error', options.viewport.width)));
      await shot('trust-policy-form-error');

      await page.getByLabel('Subject', { exact: true }).fill('repo:acme/api:ref:refs/heads/main');
      await page.getByRole('button', { name: 'Create trust policy' }).click();
      await page.getByRole('heading', { name, level: 1 }).waitFor();
      const claims = github.githubClaims({ aud: AUD, repository_id: '123456' });
      const exchanged = await federatedExchange(server, await github.mint(claims), {
        audience: API,
        trust_policy: name,
      });
      expect(exchanged.response.status).toBe(200);
      await page.reload();
      const events = page.getByRole('table', { name: 'Events' });
      await expect(events.textContent()).resolves.toMatch(/token\.exchanged\s*granted/);
      found.push(...(await problems(page, 'policy', options.viewport.width)));
      await shot('trust-policy');

      await page.getByRole('link', { name: `Edit ${name}` }).click();
      found.push(...(await problems(page, 'edit', options.viewport.width)));
      await page.goto(`${server.url}/console/admin/trust-policies`);
      found.push(...(await problems(page, 'list', options.viewport.width)));
      await shot('trust-policies');
      await page.getByRole('link', { name }).click();
      await page.getByRole('link', { name: `Delete ${name}` }).click();
      found.push(...(await problems(page, 'delete', options.viewport.width)));
      await page.getByRole('button', { name: `Delete ${name}` }).click();
      await page.waitForURL(`${server.url}/console/admin/trust-policies`);
      await expect(page.getByRole('link', { name }).count()).resolves.toBe(0);
      expect(found).toEqual([]);
      await context.close();
    });
  }
});
