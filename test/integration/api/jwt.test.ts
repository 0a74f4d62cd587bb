/**
 * `/api/v1` with Tessera-issued JWTs (docs/design.md, "REST API": a JWT for the resource
 * `<issuer>/api`): verified locally (signature, `typ`, `iss`, `aud`, `exp`), scoped by the JWT's
 * `scope` within the user's current entitlements, and only as good as the PAT it came from.
 * A JWT for any other audience, a tampered or expired one is 401 with `WWW-Authenticate: Bearer`.
 *
 * The server clock moves forward once (past a JWT's expiry), in the last test of its describe.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { type ApiResponse, startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const DOWNSTREAM = 'https://downstream.example.com';

let server: TestServer;
let apiAudience: string;
beforeAll(async () => {
  server = await startTestServer({
    configFile: {
      resources: [{ audience: DOWNSTREAM, scopes: ['repo:read', 'tessera:tokens'], tokenTtlSeconds: 600 }],
    },
  });
  apiAudience = `${server.url}/api`;
});
afterAll(() => server.stop());

/** Exchanges `pat` (default audience: the built-in API) and returns the JWT. */
async function jwtFor(pat: string, extra: Record<string, string> = {}): Promise<string> {
  const response = await server.exchange(pat, extra);
  if (response.status !== 200) throw new Error(`exchange failed: ${response.text}`);
  return response.body.access_token as string;
}

/** RFC 6750 §3: a 401 with a Bearer challenge, as problem+json. */
function expectUnauthenticated(response: ApiResponse) {
  expect({ status: response.status, code: response.body?.code }).toEqual({
    status: 401,
    code: 'unauthenticated',
  });
  expect(response.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
}

const me = (token: string) => server.request('GET', '/api/v1/me', { token });

describe('/api/v1 accepts a Tessera JWT for <issuer>/api', () => {
  it('GET /me: credential type jwt, the PAT it came from, the JWT scope', async () => {
    const { token, user, pat } = await server.createUserWithToken(uniqueName('me'), [
      'tessera:tokens',
      'repo:read',
      'repo:write',
    ]);
    const jwt = await jwtFor(token, { scope: 'tessera:tokens repo:read' });
    expect(decodeJwt(jwt).aud).toBe(apiAudience);

    const response = await me(jwt);
    expect(response.status).toBe(200);
    expect(response.body.id).toBe(user.id);
    expect(response.body.credential).toEqual({
      type: 'jwt',
      pat_id: pat.id,
      scopes: expect.arrayContaining(['tessera:tokens', 'repo:read']),
    });
    expect(response.body.credential.scopes).toHaveLength(2);
  });

  it("scopes are the JWT's scope within the user's current entitlements", async () => {
    const { token, user } = await server.createUserWithToken(uniqueName('narrow'), [
      'tessera:tokens',
      'repo:read',
    ]);
    const jwt = await jwtFor(token, { scope: 'tessera:tokens repo:read' });
    await server.database.db.query('UPDATE users SET entitlements = $2 WHERE id = $1', [
      user.id,
      ['repo:read'],
    ]);

    const response = await me(jwt);
    expect(response.status).toBe(200);
    expect(response.body.credential.scopes).toEqual(['repo:read']);
    const tokens = await server.request('GET', '/api/v1/tokens', { token: jwt });
    expect({ status: tokens.status, code: tokens.body?.code }).toEqual({
      status: 403,
      code: 'insufficient_scope',
    });
  });

  it('a JWT carrying tessera:tokens may list the tokens; one without it gets 403', async () => {
    const { token } = await server.createUserWithToken(uniqueName('scoped'), ['tessera:tokens', 'repo:read']);
    const withTokens = await jwtFor(token, { scope: 'tessera:tokens' });
    const listed = await server.request('GET', '/api/v1/tokens', { token: withTokens });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(1);

    const readOnly = await jwtFor(token, { scope: 'repo:read' });
    expect((await me(readOnly)).status).toBe(200);
    const refused = await server.request('GET', '/api/v1/tokens', { token: readOnly });
    expect({ status: refused.status, code: refused.body?.code }).toEqual({
      status: 403,
      code: 'insufficient_scope',
    });
  });
});

describe('/api/v1 refuses other JWTs with 401 and WWW-Authenticate: Bearer', () => {
  it('a JWT for another audience', async () => {
    const { token } = await server.createUserWithToken(uniqueName('aud'), ['tessera:tokens', 'repo:read']);
    const downstream = await jwtFor(token, { audience: DOWNSTREAM, scope: 'tessera:tokens' });
    expect(decodeJwt(downstream).aud).toBe(DOWNSTREAM);
    expectUnauthenticated(await me(downstream));
    expectUnauthenticated(await server.request('GET', '/api/v1/tokens', { token: downstream }));
  });

  it('a JWT whose signature was tampered with', async () => {
    const { token } = await server.createUserWithToken(uniqueName('sig'), ['tessera:tokens']);
    const jwt = await jwtFor(token);
    expect((await me(jwt)).status).toBe(200);

    // A character well inside the signature (the last one may only carry padding bits).
    const at = jwt.lastIndexOf('.') + 10;
    const tampered = `${jwt.slice(0, at)}${jwt[at] === 'A' ? 'B' : 'A'}${jwt.slice(at + 1)}`;
    expectUnauthenticated(await me(tampered));
  });

  it('a JWT whose payload was altered (signature no longer matches)', async () => {
    const { token } = await server.createUserWithToken(uniqueName('payload'), [
      'tessera:tokens',
      'repo:read',
    ]);
    const jwt = await jwtFor(token, { scope: 'repo:read' });
    const [header, payload, signature] = jwt.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const widened = Buffer.from(JSON.stringify({ ...claims, scope: 'repo:read tessera:tokens' })).toString(
      'base64url',
    );
    expectUnauthenticated(
      await server.request('GET', '/api/v1/tokens', { token: `${header}.${widened}.${signature}` }),
    );
  });

  it('a JWT whose PAT was revoked after it was issued', async () => {
    const owner = await server.createUserWithToken(uniqueName('revoked'), ['tessera:tokens', 'repo:read']);
    const created = await server.request('POST', '/api/v1/tokens', {
      token: owner.token,
      body: { name: 'ci', scopes: ['repo:read'] },
    });
    expect(created.status).toBe(201);
    const jwt = await jwtFor(created.body.token);
    expect((await me(jwt)).status).toBe(200);

    const revoke = await server.request('POST', `/api/v1/tokens/${created.body.id}/revoke`, {
      token: owner.token,
      body: {},
    });
    expect(revoke.status).toBe(200);
    expectUnauthenticated(await me(jwt));
  });

  it('a JWT whose user was disabled after it was issued', async () => {
    const { token, user } = await server.createUserWithToken(uniqueName('disabled'), ['tessera:tokens']);
    const jwt = await jwtFor(token);
    expect((await me(jwt)).status).toBe(200);
    const disable = await server.request('POST', `/api/v1/users/${user.id}/disable`, {
      token: server.adminToken,
      body: {},
    });
    expect(disable.status).toBe(200);
    expectUnauthenticated(await me(jwt));
  });

  it('an expired JWT (the server clock moved past exp)', async () => {
    const { token } = await server.createUserWithToken(uniqueName('expired'), ['tessera:tokens']);
    const response = await server.exchange(token);
    expect(response.status).toBe(200);
    const jwt = response.body.access_token as string;
    expect((await me(jwt)).status).toBe(200);

    server.advance((response.body.expires_in as number) * 1000 + 60_000);
    expectUnauthenticated(await me(jwt));
    // The PAT itself is still good: only the JWT expired.
    expect((await me(token)).status).toBe(200);
  });
});
