/**
 * The console's defences in a real browser: a cross-site form post, a `return_to` to another
 * site, a tampered `state`, a replayed callback, a wrong `nonce` and an IdP error all end on a
 * refusal or an error page and never in a session or a change.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { startSsoConsole } from '../helpers/browser.js';
import type { TestIdp } from '../helpers/idp.js';
import { type TestServer, uniqueName } from '../helpers/server.js';

// Generous: in `npm test` the browser shares two cores with every other suite.
jest.setTimeout(90_000);

let browser: Browser;
let idp: TestIdp;
let server: TestServer;

beforeAll(async () => {
  ({ browser, idp, server } = await startSsoConsole());
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await idp?.stop();
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext();
  context.setDefaultTimeout(15_000);
  return context.newPage();
}

async function sessionCount(): Promise<number> {
  const { rows } = await server.tessera.db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM console_sessions',
  );
  return rows[0]?.n ?? 0;
}

/** Starts SSO and logs in at the IdP; stops on its consent page. */
async function toConsent(page: Page, login: string) {
  await page.goto(`${server.url}/console/sign-in`);
  await page.getByRole('link', { name: 'Sign in with SSO' }).click();
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('x');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).waitFor();
}

async function expectSignInFailed(page: Page) {
  await page.waitForURL(/\/console\/callback/);
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Sign-in failed');
  const cookies = await page.context().cookies(server.url);
  expect(cookies.some((c) => c.name === 'tessera_session' && c.value)).toBe(false);
}

describe('console security in a browser', () => {
  it('a cross-site form post without the CSRF token is refused and changes nothing', async () => {
    const { token, pat } = await server.createUserWithToken(uniqueName('vic'), ['tessera:tokens']);
    const page = await newPage();
    await page.goto(`${server.url}/console/sign-in`);
    await page.getByLabel('Access token').fill(token);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${server.url}/console/tokens`);

    // Another origin (same host, another port: the same "site", so SameSite=Lax still sends the cookie).
    const evil: Server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<form id="f" method="post" action="${server.url}/console/tokens/${pat.id}/revoke"></form>
        <script>document.getElementById('f').submit()</script>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/revoke')),
      page.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`),
    ]);
    expect(response.status()).toBe(403);
    expect((await server.exchange(token)).status).toBe(200);
    evil.close();
    await page.context().close();
  });

  it('ignores a return_to of https://evil.example', async () => {
    const { token } = await server.createUserWithToken(uniqueName('ret'), ['tessera:tokens']);
    const page = await newPage();
    await page.goto(`${server.url}/console/sign-in?return_to=${encodeURIComponent('https://evil.example')}`);
    await page.getByLabel('Access token').fill(token);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${server.url}/console/tokens`);
    await page.context().close();
  });

  it('a tampered state ends on an error page, not a session', async () => {
    const page = await newPage();
    const before = await sessionCount();
    // The redirect to the IdP (which also sets this browser's state cookie), with its state changed.
    const start = await page.request.get(`${server.url}/console/sso`, { maxRedirects: 0 });
    const authorization = new URL(start.headers().location as string);
    authorization.searchParams.set('state', `${authorization.searchParams.get('state')}x`);
    await page.goto(authorization.href);
    await page.locator('input[name="login"]').fill(uniqueName('tam'));
    await page.locator('input[name="password"]').fill('x');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await expectSignInFailed(page);
    expect(await sessionCount()).toBe(before);
    await page.context().close();
  });

  it('a wrong nonce ends on an error page, not a session', async () => {
    const page = await newPage();
    const before = await sessionCount();
    await toConsent(page, uniqueName('non'));
    // The ID token will carry the nonce the IdP was sent; Tessera now expects another.
    await server.tessera.db.query(
      `UPDATE console_sign_ins SET nonce = 'not-the-nonce' WHERE consumed_at IS NULL`,
    );
    await page.getByRole('button', { name: 'Continue' }).click();
    await expectSignInFailed(page);
    expect(await sessionCount()).toBe(before);
    await page.context().close();
  });

  it('a replayed callback ends on an error page, not a second session', async () => {
    const page = await newPage();
    await toConsent(page, uniqueName('rep'));
    const callback = page.waitForRequest(/\/console\/callback\?/);
    await page.getByRole('button', { name: 'Continue' }).click();
    const url = (await callback).url();
    await page.waitForURL(`${server.url}/console/tokens`);
    const after = await sessionCount();

    // Replayed with the state cookie put back, as an attacker holding both would.
    const replay = await newPage();
    const state = new URL(url).searchParams.get('state') as string;
    await replay.context().addCookies([{ name: 'tessera_sign_in', value: state, url: server.url }]);
    await replay.goto(url);
    await expectSignInFailed(replay);
    expect(await sessionCount()).toBe(after);
    await page.context().close();
    await replay.context().close();
  });

  it('an IdP error (the person cancels) ends on an error page; sign-ins that can no longer finish are swept', async () => {
    const stale = Buffer.alloc(32, 7);
    await server.tessera.db.query(
      `INSERT INTO console_sign_ins (state_hash, code_verifier, nonce, return_to, created_at)
       VALUES ($1, 'v', 'n', '/console/tokens', now() - interval '11 minutes')`,
      [stale],
    );
    const page = await newPage();
    await page.goto(`${server.url}/console/sign-in`);
    await page.getByRole('link', { name: 'Sign in with SSO' }).click();
    const left = await server.tessera.db.query('SELECT 1 FROM console_sign_ins WHERE state_hash = $1', [
      stale,
    ]);
    expect(left.rows).toHaveLength(0);
    await page.getByRole('link', { name: '[ Cancel ]' }).click();
    await expectSignInFailed(page);
    await expect(page.locator('main').textContent()).resolves.toContain('access_denied');
    await page.context().close();
  });
});

describe('the page that shows a new token (issue 18)', () => {
  it('a reload says the token was already shown, and mints no second token', async () => {
    const { token } = await server.createUserWithToken(uniqueName('reload'), ['tessera:tokens', 'repo:read']);
    const page = await newPage();
    await page.goto(`${server.url}/console/sign-in`);
    await page.getByLabel('Access token').fill(token);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${server.url}/console/tokens`);
    await page.getByRole('link', { name: 'New token' }).click();
    await page.getByLabel('Name').fill('once');
    await page.getByRole('checkbox', { name: 'repo:read' }).check();
    await page.getByRole('button', { name: 'Generate token' }).click();
    const banner = page.getByRole('alert');
    const secret = (await banner.getByTestId('new-token').textContent())?.trim() as string;
    expect(secret).toMatch(/^tsr_/);
    await banner.getByRole('button', { name: 'Copy' }).waitFor();

    const reloaded = await page.reload();
    expect(reloaded?.status()).toBe(410);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'This token was already shown',
    );
    expect(await page.getByTestId('new-token').count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
    const listed = await server.request('GET', '/api/v1/tokens?limit=100', { token });
    expect(listed.body.items.filter((p: { name: string }) => p.name === 'once')).toHaveLength(1);
  });
});
