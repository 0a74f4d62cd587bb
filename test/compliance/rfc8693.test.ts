/**
 * RFC 8693 token exchange at `POST /token`, case by case against the RFC text, with the default
 * configuration (one resource: Tessera's own API, `<issuer>/api`, TTL 900 s) and the built-in
 * public client `tessera-cli` (requests carry no `client_id`).
 *
 * Cases that need a second configured resource or a confidential client live in
 * rfc8693-clients.test.ts. Assertions are on HTTP statuses, `error` codes and JWT claims, never
 * on message text, except that the invalid-subject-token bodies must be byte-identical.
 *
 * The server clock only moves forward (`server.advance`), by about two days in all, well inside
 * the 90-day default lifetime of the admin's and the seed tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { generatePat } from '../../src/pat/format.js';
import { expectOAuthError } from '../helpers/problems.js';
import { type ApiResponse, startTestServer, type TestServer, uniqueName } from '../helpers/server.js';

const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
const DAY_MS = 86_400_000;
const API_TTL_SECONDS = 900;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

let server: TestServer;
let apiAudience: string;
beforeAll(async () => {
  server = await startTestServer();
  apiAudience = `${server.url}/api`;
});
afterAll(() => server.stop());

/** Asserts a successful exchange and returns the JWT's claims. */
function grantedClaims(response: ApiResponse) {
  expect({ status: response.status, error: response.body?.error }).toEqual({ status: 200, error: undefined });
  return decodeJwt(response.body.access_token as string);
}

const sorted = (scope: string) => scope.split(' ').sort();

/** A fresh user entitled to `entitlements`, with a seed PAT carrying `scopes`. */
const newHolder = (base: string, entitlements: string[], scopes = entitlements) =>
  server.createUserWithToken(uniqueName(base), entitlements, scopes);

/** Sets a user's entitlements directly (the API has no route for it), as an admin change would. */
async function setEntitlements(userId: string, entitlements: string[]) {
  await server.database.db.query('UPDATE users SET entitlements = $2 WHERE id = $1', [userId, entitlements]);
}

/** A second PAT of the user owning `ownerToken`, created through the user's own API. */
async function createOwnPat(ownerToken: string, body: Record<string, unknown>) {
  const created = await server.request('POST', '/api/v1/tokens', { token: ownerToken, body });
  if (created.status !== 201) throw new Error(`token create failed: ${created.text}`);
  return created.body as { id: string; token: string; expires_at: string };
}

describe('RFC 8693 §2.1 request and §2.2.1 successful response', () => {
  it('§2.2.1: 200 with Cache-Control no-store, access_token, issued_token_type, token_type Bearer, expires_in, scope', async () => {
    const { token, user, pat } = await newHolder('ok', ['tessera:tokens', 'repo:read']);
    const response = await server.exchange(token, { scope: 'repo:read' });

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.body).toEqual({
      access_token: expect.stringMatching(JWT_SHAPE),
      issued_token_type: ACCESS_TOKEN_TYPE,
      token_type: 'Bearer',
      expires_in: API_TTL_SECONDS,
      scope: 'repo:read',
    });

    // The access token verifies against the JWKS the server publishes in its metadata.
    const discovery = await server.request('GET', '/.well-known/openid-configuration');
    const jwks = createRemoteJWKSet(new URL(discovery.body.jwks_uri));
    const { payload } = await jwtVerify(response.body.access_token, jwks, {
      issuer: server.url,
      audience: apiAudience,
      typ: 'at+jwt',
    });
    expect(payload).toMatchObject({
      sub: user.id,
      pat_id: pat.id,
      client_id: 'tessera-cli',
      scope: 'repo:read',
    });
  });

  it('§2.2.1: issued_token_type is the jwt URN when requested_token_type is ...:jwt', async () => {
    const { token } = await newHolder('jwt', ['repo:read']);
    const response = await server.exchange(token, { requested_token_type: JWT_TOKEN_TYPE });
    grantedClaims(response);
    expect(response.body.issued_token_type).toBe(JWT_TOKEN_TYPE);
    expect(response.body.token_type).toBe('Bearer');
  });

  it('§2.2.1: issued_token_type is the access_token URN when requested_token_type says so', async () => {
    const { token } = await newHolder('at', ['repo:read']);
    const response = await server.exchange(token, { requested_token_type: ACCESS_TOKEN_TYPE });
    grantedClaims(response);
    expect(response.body.issued_token_type).toBe(ACCESS_TOKEN_TYPE);
  });

  it('§2.1: audience, resource, or both naming the same resource select it as the JWT aud', async () => {
    const { token } = await newHolder('target', ['repo:read']);
    const targets: Array<Record<string, string>> = [
      { audience: apiAudience },
      { resource: apiAudience },
      { audience: apiAudience, resource: apiAudience },
    ];
    for (const target of targets) {
      expect(grantedClaims(await server.exchange(token, target)).aud).toBe(apiAudience);
    }
  });

  it('§2.1: without audience or resource the default audience is used', async () => {
    const { token } = await newHolder('default', ['repo:read']);
    expect(grantedClaims(await server.exchange(token)).aud).toBe(apiAudience);
  });

  it('§2.1: audience may repeat; repeated identical values are accepted', async () => {
    const { token } = await newHolder('repeat', ['repo:read']);
    const claims = grantedClaims(await server.exchange(token, { audience: [apiAudience, apiAudience] }));
    expect(claims.aud).toBe(apiAudience);
  });

  it('§2.1: scope absent -> the whole intersection of PAT scopes, entitlements and resource scopes', async () => {
    const { token, user } = await newHolder('all', ['tessera:tokens', 'repo:read', 'repo:write']);
    const full = await server.exchange(token);
    expect(sorted(full.body.scope)).toEqual(['repo:read', 'repo:write', 'tessera:tokens']);
    expect(sorted(grantedClaims(full).scope as string)).toEqual([
      'repo:read',
      'repo:write',
      'tessera:tokens',
    ]);

    // The user's current entitlements bound it, not those at PAT creation.
    await setEntitlements(user.id, ['tessera:tokens', 'repo:read']);
    const narrowed = await server.exchange(token);
    expect(sorted(narrowed.body.scope)).toEqual(['repo:read', 'tessera:tokens']);
    expect(sorted(grantedClaims(narrowed).scope as string)).toEqual(['repo:read', 'tessera:tokens']);
  });

  it('§2.1: a requested scope within the intersection is granted exactly', async () => {
    const { token } = await newHolder('subset', ['tessera:tokens', 'repo:read', 'repo:write']);
    const response = await server.exchange(token, { scope: 'repo:write repo:read' });
    expect(sorted(response.body.scope)).toEqual(['repo:read', 'repo:write']);
    expect(sorted(grantedClaims(response).scope as string)).toEqual(['repo:read', 'repo:write']);
  });
});

describe('RFC 8693 §2.2.2: malformed requests -> 400 invalid_request', () => {
  let token: string;
  beforeAll(async () => {
    ({ token } = await newHolder('params', ['repo:read']));
  });

  it('§2.1: subject_token is REQUIRED', async () => {
    const response = await server.tokenRequest({ grant_type: GRANT, subject_token_type: ACCESS_TOKEN_TYPE });
    expectOAuthError(response, 400, 'invalid_request');
  });

  it('§2.1: subject_token_type is REQUIRED', async () => {
    const response = await server.tokenRequest({ grant_type: GRANT, subject_token: token });
    expectOAuthError(response, 400, 'invalid_request');
  });

  it.each([
    JWT_TOKEN_TYPE,
    'urn:ietf:params:oauth:token-type:refresh_token',
    'urn:ietf:params:oauth:token-type:id_token',
    'access_token',
  ])('§2.1: subject_token_type %s (not the access_token URN) is refused', async (type) => {
    expectOAuthError(await server.exchange(token, { subject_token_type: type }), 400, 'invalid_request');
  });

  it('§2.1: actor_token without actor_token_type is refused', async () => {
    expectOAuthError(await server.exchange(token, { actor_token: token }), 400, 'invalid_request');
  });

  it('§2.1: actor_token_type without actor_token is refused', async () => {
    const response = await server.exchange(token, { actor_token_type: ACCESS_TOKEN_TYPE });
    expectOAuthError(response, 400, 'invalid_request');
  });

  it.each(['urn:ietf:params:oauth:token-type:id_token', 'urn:ietf:params:oauth:token-type:saml2', 'jwt'])(
    '§2.1: requested_token_type %s is not supported',
    async (type) => {
      const response = await server.exchange(token, { requested_token_type: type });
      expectOAuthError(response, 400, 'invalid_request');
    },
  );

  it.each([
    ['subject_token', () => ({ subject_token: [token, token] })],
    ['subject_token_type', () => ({ subject_token_type: [ACCESS_TOKEN_TYPE, ACCESS_TOKEN_TYPE] })],
    ['scope', () => ({ scope: ['repo:read', 'repo:read'] })],
    ['grant_type', () => ({ grant_type: [GRANT, GRANT] })],
    ['requested_token_type', () => ({ requested_token_type: [ACCESS_TOKEN_TYPE, ACCESS_TOKEN_TYPE] })],
  ])('§2.1 / RFC 6749 §3.2: a duplicated %s is refused', async (_name, extra) => {
    expectOAuthError(await server.exchange(token, extra()), 400, 'invalid_request');
  });

  it('the same token is exchangeable when the request is well-formed (control)', async () => {
    grantedClaims(await server.exchange(token));
  });
});

describe('RFC 8693 §2.2.2: an unusable subject_token -> 400 invalid_request, one fixed description', () => {
  it('answers a bad checksum, unknown, revoked, expired, disabled-user and deleted-user PAT identically', async () => {
    // Expiry first: the clock moves past it before the others are even created.
    const expiring = await newHolder('expired', ['tessera:tokens', 'repo:read']);
    const shortLived = await createOwnPat(expiring.token, {
      name: 'short',
      scopes: ['repo:read'],
      expires_in_days: 1,
    });
    grantedClaims(await server.exchange(shortLived.token));
    server.advance(DAY_MS + 60_000);

    const valid = await newHolder('checksum', ['repo:read']);
    const last = valid.token.at(-1) === 'A' ? 'B' : 'A';
    const badChecksum = `${valid.token.slice(0, -1)}${last}`;

    const revoked = await newHolder('revoked', ['repo:read']);
    const revoke = await server.request('POST', `/api/v1/admin/tokens/${revoked.pat.id}/revoke`, {
      token: server.adminToken,
      body: {},
    });
    expect(revoke.status).toBe(200);

    const disabled = await newHolder('disabled', ['repo:read']);
    const disable = await server.request('POST', `/api/v1/users/${disabled.user.id}/disable`, {
      token: server.adminToken,
      body: {},
    });
    expect(disable.status).toBe(200);

    const deleted = await newHolder('deleted', ['repo:read']);
    const remove = await server.request('DELETE', `/api/v1/users/${deleted.user.id}`, {
      token: server.adminToken,
    });
    expect(remove.status).toBe(204);

    const responses: Record<string, ApiResponse> = {
      'bad checksum': await server.exchange(badChecksum),
      'not a PAT at all': await server.exchange('definitely-not-a-token'),
      'well-formed unknown': await server.exchange(generatePat('tsr')),
      revoked: await server.exchange(revoked.token),
      expired: await server.exchange(shortLived.token),
      'user disabled': await server.exchange(disabled.token),
      'user deleted': await server.exchange(deleted.token),
    };
    const outcomes = Object.fromEntries(
      Object.entries(responses).map(([cause, r]) => [cause, { status: r.status, error: r.body?.error }]),
    );
    const expected = { status: 400, error: 'invalid_request' };
    expect(outcomes).toEqual(Object.fromEntries(Object.keys(responses).map((cause) => [cause, expected])));

    // No oracle: every cause gets the very same body.
    const bodies = Object.values(responses).map((r) => r.body);
    expect(typeof bodies[0].error_description).toBe('string');
    for (const body of bodies) expect(body).toEqual(bodies[0]);
    expect(new Set(Object.values(responses).map((r) => r.text)).size).toBe(1);
  });
});

describe('RFC 8693 §2.2.2: invalid_target', () => {
  let token: string;
  beforeAll(async () => {
    ({ token } = await newHolder('target-err', ['repo:read']));
  });

  it('§2.1: an audience naming no configured resource', async () => {
    const response = await server.exchange(token, { audience: 'https://unknown.example.com' });
    expectOAuthError(response, 400, 'invalid_target');
  });

  it('§2.1: a resource naming no configured resource', async () => {
    const response = await server.exchange(token, { resource: 'https://unknown.example.com/api' });
    expectOAuthError(response, 400, 'invalid_target');
  });

  it('§2.1: audience and resource naming different resources', async () => {
    const response = await server.exchange(token, {
      audience: apiAudience,
      resource: 'https://unknown.example.com/api',
    });
    expectOAuthError(response, 400, 'invalid_target');
  });

  it('§2.1: two different audience values', async () => {
    const response = await server.exchange(token, { audience: [apiAudience, `${apiAudience}/other`] });
    expectOAuthError(response, 400, 'invalid_target');
  });
});

describe('RFC 8693 §2.2.2: invalid_scope', () => {
  it('§2.1: a scope outside the PAT scopes', async () => {
    const { token } = await newHolder('pat-scope', ['repo:read', 'repo:write'], ['repo:read']);
    expectOAuthError(await server.exchange(token, { scope: 'repo:write' }), 400, 'invalid_scope');
    expectOAuthError(await server.exchange(token, { scope: 'repo:read repo:write' }), 400, 'invalid_scope');
    grantedClaims(await server.exchange(token, { scope: 'repo:read' }));
  });

  it('§2.1: a scope the PAT carries but its user is no longer entitled to', async () => {
    const { token, user } = await newHolder('entitled', ['repo:read', 'repo:write']);
    grantedClaims(await server.exchange(token, { scope: 'repo:write' }));
    await setEntitlements(user.id, ['repo:read']);
    expectOAuthError(await server.exchange(token, { scope: 'repo:write' }), 400, 'invalid_scope');
    grantedClaims(await server.exchange(token, { scope: 'repo:read' }));
  });

  it('§2.1: a scope in no catalogue at all', async () => {
    const { token } = await newHolder('unknown-scope', ['repo:read']);
    expectOAuthError(await server.exchange(token, { scope: 'repo:nuke' }), 400, 'invalid_scope');
  });

  it('names the refused scopes the resource publishes, and never echoes other requested text', async () => {
    const { token } = await newHolder('echo-scope', ['repo:read']);
    const refused = await server.exchange(token, { scope: 'repo:read repo:write' });
    expectOAuthError(refused, 400, 'invalid_scope');
    expect(refused.body.scope).toBe('repo:write');
    // A PAT pasted into the scope field is refused without being sent back.
    const { token: pasted } = await newHolder('pasted', ['repo:read']);
    const leaked = await server.exchange(token, { scope: pasted });
    expectOAuthError(leaked, 400, 'invalid_scope');
    expect(leaked.text).not.toContain(pasted);
  });

  it('§2.1: scope absent and an empty intersection', async () => {
    const { token, user } = await newHolder('empty', ['repo:read', 'repo:write'], ['repo:write']);
    await setEntitlements(user.id, ['repo:read']);
    expectOAuthError(await server.exchange(token), 400, 'invalid_scope');
  });
});

describe('RFC 6749 §5.2 errors at the token endpoint', () => {
  it('an unknown grant_type -> 400 unsupported_grant_type', async () => {
    const { token } = await newHolder('grant', ['repo:read']);
    const response = await server.tokenRequest({
      grant_type: 'urn:example:grant-type:unknown',
      subject_token: token,
      subject_token_type: ACCESS_TOKEN_TYPE,
    });
    expectOAuthError(response, 400, 'unsupported_grant_type');
  });

  it('an unknown client_id -> invalid_client', async () => {
    const { token } = await newHolder('client', ['repo:read']);
    const response = await server.exchange(token, { client_id: 'no-such-client' });
    expect(response.body?.error).toBe('invalid_client');
    expect([400, 401]).toContain(response.status);
  });
});

describe('PAT lifecycle changes take effect on the very next exchange', () => {
  it('revoke -> the next exchange fails; restore -> it works again', async () => {
    const owner = await newHolder('revoke', ['tessera:tokens', 'repo:read']);
    const work = await createOwnPat(owner.token, { name: 'ci', scopes: ['repo:read'] });
    grantedClaims(await server.exchange(work.token));

    const revoke = await server.request('POST', `/api/v1/tokens/${work.id}/revoke`, {
      token: owner.token,
      body: {},
    });
    expect(revoke.status).toBe(200);
    expectOAuthError(await server.exchange(work.token), 400, 'invalid_request');

    const restore = await server.request('POST', `/api/v1/tokens/${work.id}/restore`, {
      token: owner.token,
      body: {},
    });
    expect(restore.status).toBe(200);
    expect(grantedClaims(await server.exchange(work.token)).pat_id).toBe(work.id);
  });

  it('rotate -> the old secret fails, the new one works', async () => {
    const owner = await newHolder('rotate', ['tessera:tokens', 'repo:read']);
    const work = await createOwnPat(owner.token, { name: 'ci', scopes: ['repo:read'] });
    grantedClaims(await server.exchange(work.token));

    const rotated = await server.request('POST', `/api/v1/tokens/${work.id}/rotate`, {
      token: owner.token,
      body: {},
    });
    expect(rotated.status).toBe(201);
    expectOAuthError(await server.exchange(work.token), 400, 'invalid_request');
    expect(grantedClaims(await server.exchange(rotated.body.token)).pat_id).toBe(rotated.body.id);
  });
});

describe('a JWT never outlives its PAT (RFC 8693 §2.2.1 expires_in)', () => {
  it('100 s before the PAT expires, the JWT lives at most 100 s and expires no later than the PAT', async () => {
    const owner = await newHolder('outlive', ['tessera:tokens', 'repo:read']);
    const pat = await createOwnPat(owner.token, { name: 'day', scopes: ['repo:read'], expires_in_days: 1 });
    const patExpiresAt = Math.floor(Date.parse(pat.expires_at) / 1000);

    server.advance(DAY_MS - 100_000);
    const response = await server.exchange(pat.token);
    const claims = grantedClaims(response);

    expect(response.body.expires_in).toBeGreaterThan(0);
    expect(response.body.expires_in).toBeLessThanOrEqual(100);
    expect(claims.exp).toBeLessThanOrEqual(patExpiresAt);
    expect((claims.exp as number) - (claims.iat as number)).toBe(response.body.expires_in);
  });
});
