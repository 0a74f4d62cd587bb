/**
 * The admin *Federation* page in Chromium: trust policies and recent refusals, with the exact
 * reason and the closest policy's differing claim; no serious or critical axe violation, light
 * at desktop width and dark at 360 px. TESSERA_SCREENSHOTS=1 saves docs/screenshots/federation.png.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Browser } from 'playwright-core';
import {
  launchBrowser,
  screenshot,
  seriousViolations,
  signedInWithToken,
  VIEW_MODES,
} from '../helpers/browser.js';
import { createPolicy, federatedExchange } from '../helpers/federation.js';
import { startTestIssuer, type TestIssuer } from '../helpers/oidc-issuer.js';
import { startTestServer, type TestServer, uniqueName } from '../helpers/server.js';

jest.setTimeout(90_000);

const API = 'https://api.example.com';
const AUD = 'https://tessera.test';
let browser: Browser;
let server: TestServer;
let github: TestIssuer;
let policyName: string;

beforeAll(async () => {
  [browser, github] = await Promise.all([launchBrowser(), startTestIssuer()]);
  server = await startTestServer({
    configFile: { resources: [{ audience: API, scopes: ['repo:read'], tokenTtlSeconds: 600 }] },
  });
  const { user } = await server.createUserWithToken(uniqueName('ci'), ['tessera:tokens', 'repo:read']);
  policyName = uniqueName('deploy-main');
  await createPolicy(server, {
    name: policyName,
    issuer: github.url,
    audience: AUD,
    subject: 'repo:acme/api:ref:refs/heads/main',
    claims: { repository_id: '123456' },
    user_id: user.id,
    audiences: [API],
    scopes: ['repo:read'],
  });
  const wrongRepo = github.githubClaims({ aud: AUD, repository_id: '999' });
  await federatedExchange(server, await github.mint(wrongRepo), { audience: API });
  const wrongAud = github.githubClaims({ aud: 'https://elsewhere.example', repository_id: '123456' });
  await federatedExchange(server, await github.mint(wrongAud), { audience: API });
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await github?.stop();
});

describe('/console/admin/federation', () => {
  for (const [mode, options] of VIEW_MODES) {
    it(`shows policies and refusals with the differing claim; axe-clean (${mode})`, async () => {
      const { context, page } = await signedInWithToken(browser, server.url, server.adminToken, options);
      await page.getByRole('link', { name: 'Federation' }).click();
      await page.waitForURL(`${server.url}/console/admin/federation`);

      const policies = page.getByRole('table', { name: 'Trust policies' });
      await expect(policies.getByRole('rowheader', { name: policyName }).count()).resolves.toBe(1);
      const refusals = page.getByRole('table', { name: 'Recent refusals' });
      const text = (await refusals.textContent()) ?? '';
      expect(text).toContain('no_policy_matched');
      expect(text).toMatch(/repository_id: expected 123456, got 999 \(policy /);
      expect(text).toContain('audience_mismatch');
      expect(text).toContain('https://elsewhere.example');

      expect(await seriousViolations(page)).toEqual([]);
      const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
      expect(width).toBeLessThanOrEqual(options.viewport.width);
      if (mode === 'light, desktop') await screenshot(page, 'federation');
      await context.close();
    });
  }
});
