/**
 * The console end to end in headless Chromium: SSO through a real upstream IdP, a token made in
 * the form and used at /token, revoke and restore in the page, the admin figures, token
 * sign-in, sign-out, and a disabled user's session ending at once.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { screenshot, seriousViolations, startSsoConsole } from '../helpers/browser.js';
import type { TestIdp } from '../helpers/idp.js';
import { type TestServer, uniqueName } from '../helpers/server.js';

// Generous: in `npm test` the browser shares two cores with every other suite.
jest.setTimeout(90_000);

let browser: Browser;
let idp: TestIdp;
let server: TestServer;

beforeAll(async () => {
  ({ browser, idp, server } = await startSsoConsole({
    scopes: ['openid', 'profile', 'groups'],
    groupEntitlements: { platform: ['repo:read', 'repo:write'] },
    adminGroups: ['tessera-admins'],
  }));
});
afterAll(async () => {
  expect(cspViolations).toEqual([]);
  await browser?.close();
  await server?.stop();
  await idp?.stop();
});

/** Every message the browser logged about a Content-Security-Policy violation. */
const cspViolations: string[] = [];

async function newPage(): Promise<Page> {
  const context = await browser.newContext();
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) cspViolations.push(message.text());
  });
  return page;
}

/** Signs in through the IdP's development pages as `login`; ends on the console. */
async function ssoSignIn(page: Page, login: string) {
  await page.goto(`${server.url}/console`);
  await page.getByRole('link', { name: 'Sign in with SSO' }).click();
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(`${server.url}/console/**`);
}

async function tokenSignIn(page: Page, token: string) {
  await page.goto(`${server.url}/console/sign-in`);
  await page.getByLabel('Access token').fill(token);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(`${server.url}/console/tokens`);
}

async function userNamed(username: string) {
  const users = await server.request('GET', '/api/v1/users?limit=100', { token: server.adminToken });
  return users.body.items.find((u: { username: string }) => u.username === username);
}

describe('the console in a browser', () => {
  it('SSO first sign-in creates the user with mapped entitlements; a token made in the form works until revoked in the page', async () => {
    const login = uniqueName('ada');
    idp.groups.set(login, ['platform']);
    const page = await newPage();
    await ssoSignIn(page, login);
    expect(new URL(page.url()).pathname).toBe('/console/tokens');
    expect(await userNamed(login)).toMatchObject({
      entitlements: ['repo:read', 'repo:write', 'tessera:tokens'],
    });
    await screenshot(page, 'tokens-empty');

    await page.getByRole('link', { name: 'New token' }).click();
    await page.getByLabel('Name').fill('deploy');
    await page.getByRole('checkbox', { name: 'repo:read' }).check();
    await page.getByLabel('Expiration').selectOption('30');
    await screenshot(page, 'new-token-form');
    const [created] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/console/tokens')),
      page.getByRole('button', { name: 'Generate token' }).click(),
    ]);
    expect(created.headers()['cache-control']).toBe('no-store');
    const banner = page.getByRole('alert');
    await expect(banner.textContent()).resolves.toContain('will not be shown again');
    const token = (await banner.getByTestId('new-token').textContent())?.trim() as string;
    expect(token).toMatch(/^tsr_/);
    await screenshot(page, 'new-token-banner');
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await banner.getByRole('button', { name: 'Copy' }).click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(token);
    expect((await server.exchange(token, { scope: 'repo:read' })).status).toBe(200);

    await page.goto(`${server.url}/console/tokens`);
    expect(await page.content()).not.toContain(token);
    await expect(page.getByRole('table', { name: 'Personal access tokens' }).count()).resolves.toBe(1);
    await screenshot(page, 'tokens');
    await page.getByRole('button', { name: 'Revoke deploy' }).click();
    await page.getByRole('button', { name: 'Revoke deploy' }).click();
    // The action ends on the token's page, which says what happened (issue 22).
    await page.waitForURL(/\/console\/tokens\/[0-9a-f-]{36}\?done=revoked$/);
    await expect(page.getByRole('status').textContent()).resolves.toMatch(/^Token revoked/);
    expect((await server.exchange(token, { scope: 'repo:read' })).status).toBe(400);

    await page.goto(`${server.url}/console/tokens`);
    await page.getByRole('button', { name: 'Restore deploy' }).click();
    await page.waitForURL(/\?done=restored$/);
    expect((await server.exchange(token, { scope: 'repo:read' })).status).toBe(200);
    await page.goto(`${server.url}/console/tokens`);

    await page.getByRole('link', { name: 'deploy' }).click();
    await expect(page.getByRole('table', { name: 'Events' }).textContent()).resolves.toContain(
      'token.exchanged',
    );
    await screenshot(page, 'token');
    expect(await page.content()).not.toContain(token);
    expect(server.logs.join('')).not.toContain(token);
    await page.context().close();
  });

  it('a later SSO sign-in re-applies the mapped entitlements', async () => {
    const login = uniqueName('ben');
    idp.groups.set(login, ['platform']);
    const first = await newPage();
    await ssoSignIn(first, login);
    idp.groups.set(login, ['tessera-admins']);
    const second = await newPage();
    await ssoSignIn(second, login);
    expect(await userNamed(login)).toMatchObject({ entitlements: ['tessera:tokens', 'tessera:admin'] });
    await expect(second.getByRole('link', { name: 'Overview' }).count()).resolves.toBe(1);
    await first.context().close();
    await second.context().close();
  });

  it('token sign-in as the bootstrap admin: the figures equal /api/v1/admin/stats', async () => {
    const page = await newPage();
    await screenshotSignIn(page);
    await tokenSignIn(page, server.adminToken);
    await page.goto(`${server.url}/console/admin`);
    const stats = (await server.request('GET', '/api/v1/admin/stats', { token: server.adminToken })).body;
    const figure = async (name: string) =>
      Number(await page.getByRole('figure', { name }).locator('[data-figure]').textContent());
    expect(await figure('Active tokens')).toBe(stats.active_pats);
    expect(await figure('Users with tokens')).toBe(stats.users_with_active_pats);
    expect(await figure('Never used')).toBe(stats.never_used_pats);
    expect(await figure('Exchanges granted (24 h)')).toBe(stats.exchanges_24h_granted);
    expect(await figure('Exchanges denied (24 h)')).toBe(stats.exchanges_24h_denied);
    await screenshot(page, 'admin');
    await page.goto(`${server.url}/console/admin/users`);
    await screenshot(page, 'admin-users');
    await page.context().close();
  });

  it('sign-out ends the session: the old cookie gets the sign-in page', async () => {
    const { token } = await server.createUserWithToken(uniqueName('cy'), ['tessera:tokens']);
    const page = await newPage();
    await tokenSignIn(page, token);
    const cookies = await page.context().cookies();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${server.url}/console/sign-in`);
    const replay = await newPage();
    await replay.context().addCookies(cookies);
    await replay.goto(`${server.url}/console/tokens`);
    expect(new URL(replay.url()).pathname).toBe('/console/sign-in');
    await page.context().close();
    await replay.context().close();
  });

  it("a disabled user's session ends at once", async () => {
    const login = uniqueName('dee');
    const page = await newPage();
    await ssoSignIn(page, login);
    const user = await userNamed(login);
    await server.request('POST', `/api/v1/users/${user.id}/disable`, { token: server.adminToken, body: {} });
    await page.goto(`${server.url}/console/tokens`);
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');

    // Signing in again through the IdP is refused with a page that says why, and audited.
    await ssoSignInExpectingRefusal(page, login);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'Your account cannot sign in',
    );
    const { rows } = await server.tessera.db.query<{ reason: string }>(
      `SELECT reason FROM audit_events WHERE action = 'console.sign_in_refused' ORDER BY id DESC LIMIT 1`,
    );
    expect(rows[0]?.reason).toBe('sso: account_unusable');
    await page.context().close();
  });
});

async function ssoSignInExpectingRefusal(page: Page, login: string) {
  await page.goto(`${server.url}/console/sign-in`);
  await page.getByRole('link', { name: 'Sign in with SSO' }).click();
  // The IdP remembers this browser's login: it may go straight to consent, or straight back.
  const callback = page.waitForURL(/\/console\/callback/);
  const login_ = page.locator('input[name="login"]');
  const consent = page.getByRole('button', { name: 'Continue' });
  await Promise.race([callback, login_.waitFor().catch(() => {}), consent.waitFor().catch(() => {})]);
  if (await login_.isVisible()) {
    await login_.fill(login);
    await page.locator('input[name="password"]').fill('x');
    await page.getByRole('button', { name: 'Sign-in' }).click();
  }
  if (await consent.isVisible().catch(() => false)) await consent.click();
  await callback;
}

async function screenshotSignIn(page: Page) {
  await page.goto(`${server.url}/console/sign-in`);
  await screenshot(page, 'sign-in');
  expect(await seriousViolations(page)).toEqual([]);
}
