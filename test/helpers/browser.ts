/**
 * Headless Chromium for browser tests: Debian's chromium driven by playwright-core (nothing is
 * downloaded). One browser per test file; each test takes a fresh context (its own cookies).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
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

/** Serious and critical axe-core violations on the page, as "rule: target" lines (empty is good). */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
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
