/**
 * The one URL transport rule (src/net/secure-url.ts) and the three doors that use it: the SSO
 * IdP in the config, a trust policy's issuer, a webhook endpoint. Abuse first: names that look
 * like loopback but resolve anywhere, userinfo that puts the real host after `@`, and spellings
 * the URL parser rewrites.
 */
import { describe, expect, it } from '@jest/globals';
import { issuerProblem } from '../../../src/federation/policy.js';
import { isLoopbackHost, secureUrlRefusal } from '../../../src/net/secure-url.js';
import { isAllowedIssuerUrl } from '../../../src/session/issuer-url.js';
import { endpointUrlProblem } from '../../../src/webhooks/url.js';

/** Every door's verdict on `url`: true when it would call it. */
const doors = (url: string) => ({
  rule: secureUrlRefusal(url) === null,
  ssoIssuer: isAllowedIssuerUrl(url),
  trustPolicyIssuer: issuerProblem(url) === null,
  webhookAllowingPrivate: endpointUrlProblem(url, true) === null,
});
const allAccept = { rule: true, ssoIssuer: true, trustPolicyIssuer: true, webhookAllowingPrivate: true };
const allRefuse = { rule: false, ssoIssuer: false, trustPolicyIssuer: false, webhookAllowingPrivate: false };

describe('plain http that only looks like loopback is refused by every door', () => {
  it.each([
    'http://localhost.evil.com/',
    'http://127.0.0.1.nip.io/',
    'http://localhost@evil.com/',
    'http://127.0.0.1@evil.com/',
    'http://localhost:80@evil.com/',
    'http://app.localhost/',
    'http://app.localhost:8080/',
    'http://localhost./',
    'HTTP://APP.LOCALHOST/',
    'http://evil.com#@localhost/',
    'http://evil.com\\@localhost/',
    'http://[::ffff:7f00:1].evil.com/',
  ])('%s', (url) => expect(doors(url)).toEqual(allRefuse));
});

describe('loopback, however the parser spells it, is accepted by every door', () => {
  it.each([
    'http://localhost:8080/',
    'http://127.0.0.1:8080/',
    'http://127.9.9.9/',
    'http://127.1/',
    'http://0x7f.1/',
    'http://2130706433/',
    'http://127.0.0.1./',
    'http://[::1]:9000/',
    'http://[0:0:0:0:0:0:0:1]/',
    'http://[::ffff:127.0.0.1]/',
    'HTTP://LOCALHOST:8080/',
    'Http://LocalHost/',
  ])('%s', (url) => expect(doors(url)).toEqual(allAccept));
});

describe('secureUrlRefusal', () => {
  it('https anywhere, any case of the scheme', () => {
    expect(secureUrlRefusal('https://idp.example.com/')).toBeNull();
    expect(secureUrlRefusal('HTTPS://IDP.EXAMPLE.COM/')).toBeNull();
  });

  it('names why a URL is refused', () => {
    expect(secureUrlRefusal('not a url')).toBe('not_a_url');
    expect(secureUrlRefusal('/relative')).toBe('not_a_url');
    expect(secureUrlRefusal('https://user:pw@idp.example.com/')).toBe('credentials');
    expect(secureUrlRefusal('https://localhost@idp.example.com/')).toBe('credentials');
    expect(secureUrlRefusal('http://idp.example.com/')).toBe('not_https');
    expect(secureUrlRefusal('ftp://localhost/')).toBe('not_https');
    expect(secureUrlRefusal('file:///etc/passwd')).toBe('not_https');
    expect(secureUrlRefusal('javascript:alert(1)')).toBe('not_https');
  });

  it('the unspecified address is not loopback (webhooks may still allow it as private)', () => {
    expect(secureUrlRefusal('http://0.0.0.0/')).toBe('not_https');
    expect(secureUrlRefusal('http://[::]/')).toBe('not_https');
  });

  it('takes an already parsed URL', () => {
    expect(secureUrlRefusal(new URL('http://[::1]/'))).toBeNull();
    expect(secureUrlRefusal(new URL('http://10.0.0.1/'))).toBe('not_https');
  });
});

describe('isLoopbackHost', () => {
  it.each(['localhost', '127.0.0.1', '127.255.255.254', '[::1]', '::1', '[::ffff:7f00:1]'])(
    '%s is loopback',
    (host) => expect(isLoopbackHost(host)).toBe(true),
  );
  it.each([
    'app.localhost',
    'localhost.',
    'localhost.evil.com',
    '128.0.0.1',
    '10.0.0.1',
    '[::2]',
    '[::]',
    '0.0.0.0',
    '',
  ])('%s is not', (host) => expect(isLoopbackHost(host)).toBe(false));
});

describe('webhooks keep their own private-network rule on top', () => {
  it('without allowPrivateNetworks, loopback and *.localhost are refused even over https', () => {
    for (const url of ['http://localhost/', 'https://localhost/', 'https://app.localhost/', 'https://[::1]/'])
      expect(endpointUrlProblem(url)).toBe('must not be a private, loopback or link-local address');
  });

  it('with it, plain http also to private addresses (not on this machine, but on its network)', () => {
    expect(endpointUrlProblem('http://10.0.0.1/h', true)).toBeNull();
    expect(endpointUrlProblem('http://192.168.1.10/h', true)).toBeNull();
    expect(endpointUrlProblem('http://hooks.example.com/h', true)).not.toBeNull();
  });
});
