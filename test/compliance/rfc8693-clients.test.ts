/**
 * RFC 8693 token exchange with configured clients and resources: confidential-client
 * authentication (RFC 6749 §2.3.1, client_secret_basic and client_secret_post), clients not
 * allowed the grant, per-client audiences, `defaultAudience`, a resource's own scopes and its
 * `tokenTtlSeconds`. Assertions are on statuses, `error` codes and JWT claims.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { expectOAuthError } from '../helpers/problems.js';
import { type ApiResponse, startTestServer, type TestServer, uniqueName } from '../helpers/server.js';

const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const DOWNSTREAM = 'https://api.example.com';
const DOWNSTREAM_TTL_SECONDS = 300;
const BOT_ID = 'deploy-bot';
const BOT_SECRET = 'deploy-bot-secret-7f3a9c1e5b';
const NO_EXCHANGE_ID = 'no-exchange';
const NO_EXCHANGE_SECRET = 'no-exchange-secret-2d8e4b6a';

let server: TestServer;
let apiAudience: string;
beforeAll(async () => {
  server = await startTestServer({
    configFile: {
      resources: [
        {
          audience: DOWNSTREAM,
          scopes: ['repo:read', 'repo:write'],
          tokenTtlSeconds: DOWNSTREAM_TTL_SECONDS,
        },
      ],
      defaultAudience: DOWNSTREAM,
      clients: [
        { client_id: BOT_ID, client_secret: BOT_SECRET, audiences: [DOWNSTREAM] },
        { client_id: NO_EXCHANGE_ID, client_secret: NO_EXCHANGE_SECRET, grant_types: ['client_credentials'] },
      ],
    },
  });
  apiAudience = `${server.url}/api`;
});
afterAll(() => server.stop());

function grantedClaims(response: ApiResponse) {
  expect({ status: response.status, error: response.body?.error }).toEqual({ status: 200, error: undefined });
  return decodeJwt(response.body.access_token as string);
}

/** RFC 6749 §2.3.1: id and secret form-urlencoded, joined by a colon, base64. */
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** A token exchange of `pat` authenticated with an Authorization header. */
const exchangeWithHeader = (pat: string, authorization: string, extra: Record<string, string> = {}) =>
  server.tokenRequest(
    { grant_type: GRANT, subject_token: pat, subject_token_type: ACCESS_TOKEN_TYPE, ...extra },
    { authorization },
  );

const newHolder = (base: string, entitlements: string[], scopes = entitlements) =>
  server.createUserWithToken(uniqueName(base), entitlements, scopes);

describe('RFC 6749 §2.3.1 confidential client authentication at the token exchange', () => {
  let token: string;
  beforeAll(async () => {
    ({ token } = await newHolder('client', ['tessera:tokens', 'repo:read']));
  });

  it('client_secret_basic authenticates deploy-bot; the JWT names it in client_id', async () => {
    const claims = grantedClaims(await exchangeWithHeader(token, basic(BOT_ID, BOT_SECRET)));
    expect(claims.client_id).toBe(BOT_ID);
  });

  it('client_secret_post authenticates deploy-bot; the JWT names it in client_id', async () => {
    const response = await server.exchange(token, { client_id: BOT_ID, client_secret: BOT_SECRET });
    expect(grantedClaims(response).client_id).toBe(BOT_ID);
  });

  it('a wrong secret in the Authorization header -> 401 invalid_client with WWW-Authenticate', async () => {
    const response = await exchangeWithHeader(token, basic(BOT_ID, 'not-the-secret-at-all'));
    expectOAuthError(response, 401, 'invalid_client');
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic\b/i);
  });

  it('a wrong secret with client_secret_post -> invalid_client', async () => {
    const response = await server.exchange(token, {
      client_id: BOT_ID,
      client_secret: 'not-the-secret-at-all',
    });
    expect(response.body?.error).toBe('invalid_client');
    expect([400, 401]).toContain(response.status);
  });

  it('a client_id without its secret -> invalid_client', async () => {
    const response = await server.exchange(token, { client_id: BOT_ID });
    expect(response.body?.error).toBe('invalid_client');
    expect([400, 401]).toContain(response.status);
  });

  it('requests naming no client act as the public client tessera-cli', async () => {
    expect(grantedClaims(await server.exchange(token)).client_id).toBe('tessera-cli');
  });
});

describe('RFC 8693 §2.2.2 / RFC 6749 §5.2: clients and their targets', () => {
  it('a client without the token-exchange grant -> 400 unauthorized_client', async () => {
    const { token } = await newHolder('no-exchange', ['repo:read']);
    expectOAuthError(
      await exchangeWithHeader(token, basic(NO_EXCHANGE_ID, NO_EXCHANGE_SECRET)),
      400,
      'unauthorized_client',
    );
    const viaPost = await server.exchange(token, {
      client_id: NO_EXCHANGE_ID,
      client_secret: NO_EXCHANGE_SECRET,
    });
    expectOAuthError(viaPost, 400, 'unauthorized_client');
  });

  it('§2.1: deploy-bot targeting a resource outside its audiences (the built-in API) -> invalid_target', async () => {
    const { token } = await newHolder('bot-api', ['tessera:tokens', 'repo:read']);
    const auth = basic(BOT_ID, BOT_SECRET);
    expectOAuthError(await exchangeWithHeader(token, auth, { audience: apiAudience }), 400, 'invalid_target');
    expectOAuthError(await exchangeWithHeader(token, auth, { resource: apiAudience }), 400, 'invalid_target');
    // The resource exists: the public client may target it.
    expect(grantedClaims(await server.exchange(token, { audience: apiAudience })).aud).toBe(apiAudience);
  });

  it('§2.1: audience and resource naming two different configured resources -> invalid_target', async () => {
    const { token } = await newHolder('two', ['tessera:tokens', 'repo:read']);
    const response = await server.exchange(token, { audience: DOWNSTREAM, resource: apiAudience });
    expectOAuthError(response, 400, 'invalid_target');
    const both = await server.exchange(token, { audience: [DOWNSTREAM, apiAudience] });
    expectOAuthError(both, 400, 'invalid_target');
  });

  it('§2.1: without audience or resource, defaultAudience is used', async () => {
    const { token } = await newHolder('default', ['repo:read']);
    expect(grantedClaims(await server.exchange(token)).aud).toBe(DOWNSTREAM);
    expect(grantedClaims(await exchangeWithHeader(token, basic(BOT_ID, BOT_SECRET))).aud).toBe(DOWNSTREAM);
  });

  it("§2.2.1: the resource's tokenTtlSeconds sets expires_in and exp - iat", async () => {
    const { token } = await newHolder('ttl', ['repo:read']);
    const response = await exchangeWithHeader(token, basic(BOT_ID, BOT_SECRET));
    const claims = grantedClaims(response);
    expect(response.body.expires_in).toBe(DOWNSTREAM_TTL_SECONDS);
    expect((claims.exp as number) - (claims.iat as number)).toBe(DOWNSTREAM_TTL_SECONDS);
  });
});

describe("RFC 8693 §2.2.2 invalid_scope: the resource's own scopes", () => {
  it('a scope the PAT and user hold but the resource does not allow -> invalid_scope', async () => {
    const { token } = await newHolder('res-scope', ['repo:read', 'repo:admin']);
    expectOAuthError(await server.exchange(token, { scope: 'repo:admin' }), 400, 'invalid_scope');
    expectOAuthError(await server.exchange(token, { scope: 'repo:read repo:admin' }), 400, 'invalid_scope');
    // The built-in API resource allows it.
    const api = await server.exchange(token, { scope: 'repo:admin', audience: apiAudience });
    expect(grantedClaims(api).scope).toBe('repo:admin');
  });

  it('scope absent -> only the scopes the resource allows', async () => {
    const { token } = await newHolder('res-all', ['tessera:tokens', 'repo:read', 'repo:admin']);
    const response = await server.exchange(token);
    expect(response.body.scope).toBe('repo:read');
    expect(grantedClaims(response).scope).toBe('repo:read');
  });

  it('scope absent and no PAT scope applies to the resource -> invalid_scope', async () => {
    const { token } = await newHolder('res-none', ['tessera:tokens', 'repo:admin']);
    expectOAuthError(await server.exchange(token), 400, 'invalid_scope');
  });
});
