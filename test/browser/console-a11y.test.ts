/**
 * Accessibility: axe-core finds no serious or critical violation on any console page, in light
 * and dark mode, at desktop width and at 360 px. With TESSERA_SCREENSHOTS=1 it also saves the
 * screenshots docs/console-and-sso.md shows (docs/screenshots/).
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { launchBrowser, screenshot, seriousViolations, signedInWithToken } from '../helpers/browser.js';
import { startTestServer, type TestServer, uniqueName } from '../helpers/server.js';

// Generous: in `npm test` the browser shares two cores with every other suite.
jest.setTimeout(90_000);

let browser: Browser;
let server: TestServer;
let ids: { pat: string; user: string; own: string };

beforeAll(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startTestServer()]);
  const { user, pat, token } = await server.createUserWithToken(
    uniqueName('svc'),
    ['tessera:tokens', 'repo:read'],
    ['repo:read'],
    { service: true },
  );
  await server.exchange(token);
  await server.exchange('tsr_not_a_token');
  // The admin's own token with may_act and a delegated exchange, for the token page (issue 21).
  const own = await server.request('POST', '/api/v1/tokens', {
    token: server.adminToken,
    body: { name: 'delegated', scopes: ['repo:read'], may_act: [{ user_id: user.id }] },
  });
  await server.exchange(own.body.token, {
    actor_token: token,
    actor_token_type: 'urn:ietf:params:oauth:token-type:access_token',
  });
  ids = { pat: pat.id, user: user.id, own: own.body.id };
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const signedInAdmin = (options: Parameters<Browser['newContext']>[0]) =>
  signedInWithToken(browser, server.url, server.adminToken, options, async (page) => {
    expect(await seriousViolations(page)).toEqual([]);
  });

const PAGES = () => [
  '/console/tokens',
  '/console/tokens/new',
  '/console/tokens?name=deleg&done=deleted',
  `/console/tokens/${ids.own}?done=saved`,
  `/console/tokens/${ids.own}/rotate`,
  '/console/sessions',
  '/console/admin',
  '/console/admin/tokens',
  `/console/admin/tokens/${ids.pat}`,
  `/console/admin/tokens/${ids.pat}/revoke`,
  '/console/admin/users',
  `/console/admin/users/${ids.user}`,
  `/console/admin/users/${ids.user}/tokens/new`,
  '/console/no-such-page',
];

describe('accessibility of every console page', () => {
  for (const [mode, options] of [
    ['light, desktop', { viewport: { width: 1280, height: 800 }, colorScheme: 'light' }],
    ['dark, 360 px', { viewport: { width: 360, height: 740 }, colorScheme: 'dark' }],
  ] as const) {
    it(`no serious or critical axe violation (${mode})`, async () => {
      const { context, page } = await signedInAdmin(options);
      const found: string[] = [];
      for (const path of PAGES()) {
        await page.goto(`${server.url}${path}`);
        found.push(...(await seriousViolations(page)).map((v) => `${path}: ${v}`));
        // Works at 360 px: wide tables scroll inside their box, the page itself never sideways.
        const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
        if (width > (options.viewport?.width ?? 0)) found.push(`${path}: the page is ${width} px wide`);
      }
      // The render-once banner, and a form sent back with an error.
      await page.goto(`${server.url}/console/tokens/new`);
      await page.getByLabel('Name').fill(`a11y-${mode}`);
      await page.getByRole('checkbox', { name: 'repo:read' }).check();
      await page.getByRole('button', { name: 'Generate token' }).click();
      await page.getByTestId('new-token').waitFor();
      found.push(...(await seriousViolations(page)).map((v) => `banner: ${v}`));
      if (mode === 'dark, 360 px') await screenshot(page, 'new-token-banner-360-dark');
      await page.goto(`${server.url}/console/tokens/new`);
      await page.getByLabel('Name').fill('no scopes chosen');
      await page.getByRole('button', { name: 'Generate token' }).click();
      await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
      found.push(...(await seriousViolations(page)).map((v) => `form error: ${v}`));
      if (mode === 'dark, 360 px') {
        await page.goto(`${server.url}/console/tokens`);
        await screenshot(page, 'tokens-360-dark');
      }
      expect(found).toEqual([]);
      await context.close();
    }, 120_000);
  }
});
