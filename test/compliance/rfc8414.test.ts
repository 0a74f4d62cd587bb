/**
 * RFC 8414 (OAuth 2.0 Authorization Server Metadata), as Tessera serves it through
 * oidc-provider: one document under both well-known names, describing only the endpoints
 * Tessera offers; the browser endpoints oidc-provider would otherwise mount answer 404.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer } from '../helpers/server.js';

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

let server: TestServer;
let metadata: Record<string, any>;
beforeAll(async () => {
  server = await startTestServer();
  metadata = (await server.request('GET', '/.well-known/oauth-authorization-server')).body;
});
afterAll(() => server.stop());

describe('RFC 8414 §3: the metadata documents', () => {
  it('§3.1: /.well-known/oauth-authorization-server answers 200 JSON', async () => {
    const res = await server.request('GET', '/.well-known/oauth-authorization-server');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(typeof res.body).toBe('object');
  });

  it('the OpenID Connect name serves the same document', async () => {
    const oauth = await server.request('GET', '/.well-known/oauth-authorization-server');
    const openid = await server.request('GET', '/.well-known/openid-configuration');
    expect(openid.status).toBe(200);
    expect(openid.headers.get('content-type')).toMatch(/^application\/json/);
    expect(openid.body).toEqual(oauth.body);
  });

  it('§3.3: issuer is identical to the URL the metadata was fetched under', () => {
    expect(metadata.issuer).toBe(server.url);
  });
});

describe('RFC 8414 §2: metadata members', () => {
  it('carries the REQUIRED members issuer and response_types_supported', () => {
    expect(typeof metadata.issuer).toBe('string');
    expect(Array.isArray(metadata.response_types_supported)).toBe(true);
  });

  it('token_endpoint and jwks_uri are absolute URLs on the issuer', () => {
    expect(metadata.token_endpoint).toBe(`${server.url}/token`);
    for (const member of ['token_endpoint', 'jwks_uri']) {
      const url = new URL(metadata[member]);
      expect(url.origin).toBe(new URL(server.url).origin);
    }
  });

  it('jwks_uri serves the JWK set', async () => {
    const res = await fetch(metadata.jwks_uri);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { keys: unknown[] };
    expect(Array.isArray(body.keys)).toBe(true);
    expect(body.keys.length).toBeGreaterThan(0);
  });

  it('grant_types_supported includes RFC 8693 token exchange', () => {
    expect(metadata.grant_types_supported).toEqual(expect.arrayContaining([TOKEN_EXCHANGE]));
  });

  it('token_endpoint_auth_methods_supported: none, client_secret_basic, client_secret_post', () => {
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(['none', 'client_secret_basic', 'client_secret_post']),
    );
  });

  it('scopes_supported lists the scope catalogue and the built-in scopes', () => {
    expect(metadata.scopes_supported).toEqual(
      expect.arrayContaining([
        'repo:read',
        'repo:write',
        'repo:admin',
        'user:read',
        'user:write',
        'tessera:tokens',
        'tessera:admin',
      ]),
    );
  });

  it('names no endpoint Tessera does not serve', () => {
    for (const member of [
      'authorization_endpoint',
      'end_session_endpoint',
      'device_authorization_endpoint',
      'registration_endpoint',
      'pushed_authorization_request_endpoint',
      'introspection_endpoint',
      'revocation_endpoint',
      'userinfo_endpoint',
      'backchannel_authentication_endpoint',
    ]) {
      expect({ member, value: metadata[member] }).toEqual({ member, value: undefined });
    }
  });

  it('advertises the DPoP proof algorithms it accepts (RFC 9449 §5.1): asymmetric only', () => {
    expect(metadata.dpop_signing_alg_values_supported).toEqual([
      'ES256',
      'ES384',
      'EdDSA',
      'Ed25519',
      'RS256',
      'PS256',
    ]);
  });
});

describe('endpoints of flows Tessera does not offer', () => {
  it.each([
    ['GET', '/auth'],
    ['POST', '/auth'],
    ['GET', '/session/end'],
    ['POST', '/session/end/confirm'],
    ['POST', '/device/auth'],
    ['GET', '/device'],
    ['POST', '/reg'],
    ['GET', '/reg/some-client'],
    ['POST', '/request'],
    ['POST', '/token/introspection'],
    ['POST', '/token/revocation'],
    ['GET', '/me'],
    ['POST', '/me'],
    ['GET', '/interaction/x'],
    ['POST', '/interaction/x/login'],
    ['POST', '/backchannel'],
  ])('%s %s answers 404', async (method, path) => {
    const res = await server.request(method, path, {
      raw: method === 'POST' ? 'client_id=tessera-cli' : undefined,
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(res.status).toBe(404);
  });

  it('GET /token is not a token endpoint (404 or 405, never 200)', async () => {
    const res = await server.request('GET', '/token');
    expect([404, 405]).toContain(res.status);
  });
});
