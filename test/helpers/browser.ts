/**
 * Headless Chromium for browser tests: Debian's chromium driven by playwright-core (nothing is
 * downloaded). One browser per test file; each test takes a fresh context (its own cookies).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { IDP_CLIENT_ID, IDP_CLIENT_SECRET, startTestIdp } from './idp.js';
import { startTestServer } from './server.js';
import { freePort } from './tessera-process.js';

export const CHROMIUM = process.env.TESSERA_CHROMIUM ?? '/usr/lib/chromium/chromium';
export const hasChromium = existsSync(CHROMIUM);

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** The two ways every console page is checked: light at desktop width, dark at 360 px. */
export const VIEW_MODES = [
  ['light, desktop', { viewport: { width: 1280, height: 800 }, colorScheme: 'light' }],
  ['dark, 360 px', { viewport: { width: 360, height: 740 }, colorScheme: 'dark' }],
] as const;

/**
 * A fresh context (its own cookies) signed in to the console at `url` with `token`, on the
 * token list. `onSignInPage` runs on the sign-in page first (an axe check, say).
 */
export async function signedInWithToken(
  browser: Browser,
  url: string,
  token: string,
  options: Parameters<Browser['newContext']>[0],
  onSignInPage?: (page: Page) => Promise<void>,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  await page.goto(`${url}/console/sign-in`);
  await onSignInPage?.(page);
  await page.getByLabel('Access token').fill(token);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(`${url}/console/tokens`);
  return { context, page };
}

/** Serious and critical axe-core violations on the page, as "rule: target" lines (empty is good). */
export async function seriousViolations(page: Page): Promise<string[]> {
  // Legacy mode runs axe.run in the page itself. The default runs axe in each frame and then
  // again in a new blank page to merge frames' results; the console has no frames (its CSP
  // forbids them), so both find the same, in about a quarter less time.
  const results = await new AxeBuilder({ page }).setLegacyMode(true).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
}

/** Saves docs/screenshots/NAME.png, only with TESSERA_SCREENSHOTS=1 (so CI never rewrites them). */
export async function screenshot(page: Page, name: string) {
  if (process.env.TESSERA_SCREENSHOTS !== '1') return;
  mkdirSync('docs/screenshots', { recursive: true });
  await page.screenshot({ path: `docs/screenshots/${name}.png`, fullPage: true });
}

/**
 * A browser, an upstream IdP and a Tessera that signs in through it. Tessera's port is picked
 * first, because the IdP must know the redirect URI (`<issuer>/console/callback`) before either
 * starts. `oidc` adds to the `login.oidc` section.
 */
export async function startSsoConsole(oidc: Record<string, unknown> = {}) {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const [browser, idp] = await Promise.all([launchBrowser(), startTestIdp([`${issuer}/console/callback`])]);
  const server = await startTestServer({
    env: { PORT: String(port), TESSERA_ISSUER: issuer },
    configFile: {
      login: {
        oidc: { issuer: idp.issuer, clientId: IDP_CLIENT_ID, clientSecret: IDP_CLIENT_SECRET, ...oidc },
      },
    },
  });
  return { browser, idp, server };
}
