import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../../src/config.js';

let dir: string;
let counter = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-config-console-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function load(content: unknown) {
  const path = join(dir, `c-${++counter}.json`);
  writeFileSync(path, JSON.stringify(content));
  return loadConfig({ TESSERA_CONFIG: path });
}

function errorOf(content: unknown): string {
  try {
    load(content);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

const oidc = { issuer: 'https://sso.example.com', clientId: 'tessera', clientSecret: 's3cret' };

describe('console and login config', () => {
  it('defaults: console on, 60 min idle, 12 h max, token sign-in on, no SSO', () => {
    const config = load({});
    expect(config.console).toEqual({ enabled: true, sessionIdleMinutes: 60, sessionMaxHours: 12 });
    expect(config.login).toEqual({ tokenSignIn: true });
  });
  it('fills SSO defaults', () => {
    expect(load({ login: { oidc } }).login.oidc).toMatchObject({
      scopes: ['openid', 'profile', 'email'],
      usernameClaim: 'preferred_username',
      groupsClaim: 'groups',
      defaultEntitlements: ['tessera:tokens'],
      adminGroups: [],
    });
  });
  it('refuses a plain-http IdP unless it is on a loopback host', () => {
    expect(errorOf({ login: { oidc: { ...oidc, issuer: 'http://sso.example.com' } } })).toContain(
      'login.oidc.issuer',
    );
    expect(load({ login: { oidc: { ...oidc, issuer: 'http://127.0.0.1:9000' } } }).login.oidc?.issuer).toBe(
      'http://127.0.0.1:9000',
    );
    expect(load({ login: { oidc: { ...oidc, issuer: 'http://localhost:9000' } } }).login.oidc).toBeDefined();
  });
  it('names an unknown scope in an entitlement mapping', () => {
    expect(
      errorOf({ login: { oidc: { ...oidc, groupEntitlements: { platform: ['repo:nope'] } } } }),
    ).toContain('login.oidc.groupEntitlements.platform[0]: unknown scope "repo:nope"');
  });
  it('names bad and unknown fields', () => {
    expect(errorOf({ console: { sessionIdleMinutes: 0 } })).toContain('console.sessionIdleMinutes');
    expect(errorOf({ login: { tokenSignin: true } })).toContain('login');
    expect(errorOf({ login: { oidc: { issuer: 'https://x.example' } } })).toContain('login.oidc.clientId');
  });
});
