/**
 * The token page in headless Chromium (issue 22 items 3 and 5, issue 21 items 1 and 7): a token
 * made with an exact expiry date, may_act by username and require_dpop; searched by name;
 * revoked, restored and rotated from its page, each ending on a role=status message; the old
 * token says what replaced it; delegation settings saved; events in words, readable user agents
 * with the raw string on hover, "acted for" rows; and, signed in with a narrow token, a rotation
 * refused with the message that says why. axe finds no serious or critical violation in any of
 * these states. With TESSERA_SCREENSHOTS=1 it saves the screenshots docs/console-and-sso.md shows.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { expiryDateRange } from '../../src/pat/policy.js';
import { launchBrowser, screenshot, seriousViolations } from '../helpers/browser.js';
import { startTestServer, type TestServer, uniqueName } from '../helpers/server.js';

// Generous: in `npm test` the browser shares two cores with every other suite.
jest.setTimeout(120_000);

const AT = 'urn:ietf:params:oauth:token-type:access_token';
const ENTITLED = ['tessera:tokens', 'repo:read', 'repo:write'];

let browser: Browser;
let server: TestServer;
const violations: string[] = [];
const cspViolations: string[] = [];

beforeAll(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startTestServer()]);
});
afterAll(async () => {
  expect(cspViolations).toEqual([]);
  await browser?.close();
  await server?.stop();
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) cspViolations.push(message.text());
  });
  return page;
}

async function tokenSignIn(page: Page, token: string) {
  await page.goto(`${server.url}/console/sign-in`);
  await page.getByLabel('Access token').fill(token);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(`${server.url}/console/tokens`);
}

/** axe on the current page, and a screenshot of it. */
async function check(page: Page, name: string) {
  violations.push(...(await seriousViolations(page)).map((v) => `${name}: ${v}`));
  await screenshot(page, name);
}

const status = (page: Page) => page.getByRole('status').textContent();

describe('the token page in a browser', () => {
  it('create with a date, may_act and DPoP; search; revoke, restore, rotate; replaced by; settings; events', async () => {
    const person = await server.createUserWithToken(uniqueName('ada'), ENTITLED);
    const { user: bot, token: botToken } = await server.createUserWithToken(uniqueName('bot'), [
      'tessera:tokens',
      'repo:read',
    ]);
    const page = await newPage();
    await tokenSignIn(page, person.token);

    // The form: an exact date within policy, who may act, and DPoP.
    const { latest } = expiryDateRange({ maxLifetimeDays: 365 }, server.now());
    await page.getByRole('link', { name: 'New token' }).click();
    await page.getByLabel('Name').fill('deploy');
    await page.getByRole('checkbox', { name: 'repo:read' }).check();
    await page.getByLabel('Expiration').selectOption('date');
    await expect(page.getByLabel('Expiry date').getAttribute('max')).resolves.toBe(latest);
    await page.getByLabel('Expiry date').fill(latest);
    await page.getByLabel('May act for you').fill(`${bot.username} = repo:read`);
    await page.getByRole('checkbox', { name: 'Require DPoP' }).check();
    await check(page, 'new-token-form-delegation');
    await page.getByRole('button', { name: 'Generate token' }).click();
    await expect(status(page)).resolves.toBe('Token created.');
    const token = (await page.getByTestId('new-token').textContent())?.trim() as string;

    // Search by name.
    await page.goto(`${server.url}/console/tokens`);
    await page.getByLabel('Search by name').fill('DEPL');
    await page.getByRole('button', { name: 'Filter' }).click();
    const table = page.getByRole('table', { name: 'Personal access tokens' });
    await expect(table.getByRole('link').allTextContents()).resolves.toEqual(['deploy']);
    await check(page, 'tokens-search');

    // An exchange as curl, and one where the bot acts with this token (DPoP off first).
    await page.getByRole('link', { name: 'deploy' }).click();
    const tokenUrl = page.url();
    await page.getByRole('checkbox', { name: 'Require DPoP' }).uncheck();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(status(page)).resolves.toBe('Settings saved.');
    const exchange = { grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: token };
    expect(
      (await server.tokenRequest({ ...exchange, subject_token_type: AT }, { 'user-agent': 'curl/8.5.0' }))
        .status,
    ).toBe(200);
    const acted = await server.tokenRequest({
      ...exchange,
      subject_token_type: AT,
      actor_token: botToken,
      actor_token_type: AT,
    });
    expect(acted.status).toBe(200);
    await page.goto(tokenUrl);
    await expect(page.getByRole('heading', { name: 'Events' }).count()).resolves.toBe(1);
    const events = page.getByRole('table', { name: 'Events' });
    await expect(events.getByText(`acted for you by ${bot.username}`).count()).resolves.toBe(1);
    await expect(events.getByText('curl 8.5').getAttribute('title')).resolves.toBe('curl/8.5.0');
    await expect(events.getByRole('row').filter({ hasText: 'pat.created' }).textContent()).resolves.toContain(
      'created',
    );
    await expect(
      events.getByRole('row').filter({ hasText: 'pat.created' }).getByText('granted').count(),
    ).resolves.toBe(0);
    await expect(page.getByText(`${bot.username} (repo:read)`, { exact: true }).count()).resolves.toBe(1);
    await check(page, 'token-page');

    // Revoke (with its confirmation step), then restore, from the page.
    await page.getByRole('button', { name: 'Revoke', exact: true }).click();
    await page.getByRole('button', { name: 'Revoke deploy' }).click();
    await expect(status(page)).resolves.toMatch(/^Token revoked/);
    expect((await server.exchange(token)).status).toBe(400);
    await check(page, 'token-revoked');
    await page.getByRole('button', { name: 'Restore', exact: true }).click();
    await expect(status(page)).resolves.toMatch(/^Token restored/);
    expect((await server.exchange(token)).status).toBe(200);

    // Rotate: the banner says so; the old page says what replaced it and offers no Restore.
    await page.getByRole('button', { name: 'Rotate', exact: true }).click();
    await page.getByRole('button', { name: 'Rotate deploy' }).click();
    await expect(status(page)).resolves.toMatch(/^Token rotated/);
    await page.goto(tokenUrl);
    await expect(page.getByRole('button', { name: 'Restore', exact: true }).count()).resolves.toBe(0);
    await check(page, 'token-replaced');
    await page.getByRole('link', { name: 'deploy' }).last().click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('deploy');
    expect(page.url()).not.toBe(tokenUrl);

    // The bot's own token page says for whom it acted.
    const botPage = await newPage();
    await tokenSignIn(botPage, botToken);
    await botPage.getByRole('link', { name: 'seed' }).click();
    await expect(
      botPage.getByRole('table', { name: 'Events' }).getByText(`acted for ${person.user.username}`).count(),
    ).resolves.toBe(1);
    await check(botPage, 'token-acted-for');

    // Delete the old one from its page.
    await page.goto(tokenUrl);
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('button', { name: 'Delete deploy' }).click();
    await expect(status(page)).resolves.toMatch(/^Token deleted/);
    await page.context().close();
    await botPage.context().close();
    expect(violations).toEqual([]);
  });

  it('a refused may_act says why beside the field, and changes nothing', async () => {
    const person = await server.createUserWithToken(uniqueName('bea'), ENTITLED);
    const page = await newPage();
    await tokenSignIn(page, person.token);
    await page.getByRole('link', { name: 'seed' }).click();
    await page.getByLabel('May act for you').fill('nobody-of-that-name');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain(
      'no such user: nobody-of-that-name',
    );
    await expect(page.getByLabel('May act for you').getAttribute('aria-invalid')).resolves.toBe('true');
    await check(page, 'token-settings-error');
    await page.context().close();
    expect(violations).toEqual([]);
  });

  it('signed in with a narrow token: the sign-in page warns, and rotating a broader token says why not', async () => {
    const person = await server.createUserWithToken(uniqueName('cal'), ENTITLED, [
      'tessera:tokens',
      'repo:read',
    ]);
    const broad = await server.request('POST', `/api/v1/users/${person.user.id}/tokens`, {
      token: server.adminToken,
      body: { name: 'broad', scopes: ['repo:read', 'repo:write'] },
    });
    expect(broad.status).toBe(201);
    const page = await newPage();
    await page.goto(`${server.url}/console/sign-in`);
    await expect(page.getByText("The session then holds that token's scopes only").count()).resolves.toBe(1);
    await check(page, 'sign-in-token-scopes');
    await tokenSignIn(page, person.token);
    await page.getByRole('link', { name: 'broad' }).click();
    await page.getByRole('button', { name: 'Rotate', exact: true }).click();
    await page.getByRole('button', { name: 'Rotate broad' }).click();
    await expect(page.locator('main').textContent()).resolves.toContain(
      'you signed in with a token holding tessera:tokens repo:read; sign in with SSO or with a token that holds repo:write',
    );
    await check(page, 'scope-exceeds-credential');
    await page.context().close();
    expect(violations).toEqual([]);
  });
});
