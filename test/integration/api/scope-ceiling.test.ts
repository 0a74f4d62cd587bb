/**
 * docs/design.md "Scope ceiling": a credential never mints more than it holds. A PAT created or
 * rotated through /api/v1 must be within the presenting credential's scopes (the PAT's, or the
 * exchanged JWT's `scope`) and within the owner's entitlements, else 403
 * `scope_exceeds_credential`.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const EVERYTHING = ['tessera:tokens', 'tessera:admin', 'repo:read', 'repo:write', 'repo:admin'];

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

/** A user entitled to everything, with a PAT of only `scopes`. */
async function narrowPat(scopes: string[]) {
  return server.createUserWithToken(uniqueName('narrow'), EVERYTHING, scopes);
}

async function jwtFor(pat: string, scope: string): Promise<string> {
  const answer = await server.exchange(pat, { audience: `${server.url}/api`, scope });
  if (answer.status !== 200) throw new Error(`exchange failed: ${answer.text}`);
  return answer.body.access_token as string;
}

const create = (token: string, scopes: string[]) =>
  server.request('POST', '/api/v1/tokens', { token, body: { name: 'minted', scopes } });

function expectExceeds(answer: { status: number; body: any }) {
  expect({ status: answer.status, code: answer.body?.code }).toEqual({
    status: 403,
    code: 'scope_exceeds_credential',
  });
  expect(answer.body.token).toBeUndefined();
}

describe('creating a PAT through /api/v1', () => {
  it('a PAT with only tessera:tokens cannot mint tessera:admin or catalogue scopes', async () => {
    const { token } = await narrowPat(['tessera:tokens']);
    expectExceeds(await create(token, ['tessera:tokens', 'tessera:admin']));
    expectExceeds(await create(token, ['repo:write']));
    expectExceeds(await create(token, EVERYTHING));
    const within = await create(token, ['tessera:tokens']);
    expect(within.status).toBe(201);
    expect(within.body.scopes).toEqual(['tessera:tokens']);
  });

  it('a JWT with scope=tessera:tokens cannot mint more, though its PAT holds more', async () => {
    const { token } = await narrowPat(['tessera:tokens', 'repo:read', 'repo:write']);
    const jwt = await jwtFor(token, 'tessera:tokens');
    expectExceeds(await create(jwt, ['repo:read']));
    expectExceeds(await create(jwt, ['tessera:tokens', 'tessera:admin']));
    expect((await create(jwt, ['tessera:tokens'])).status).toBe(201);
  });

  it('the problem says what the token holds and how to get the rest; type and status unchanged (issue 22)', async () => {
    const { token } = await narrowPat(['tessera:tokens', 'repo:read']);
    const answer = await create(token, ['repo:read', 'repo:write']);
    expectExceeds(answer);
    expect(answer.body.type).toMatch(/scope_exceeds_credential$/);
    expect(answer.body.detail).toBe(
      'you signed in with a token holding tessera:tokens repo:read; ' +
        'sign in with SSO or with a token that holds repo:write',
    );
  });

  it('within the credential but outside the entitlements stays scope_not_entitled', async () => {
    const { token } = await server.createUserWithToken(uniqueName('ent'), ['tessera:tokens']);
    const answer = await create(token, ['repo:read']);
    expect({ status: answer.status, code: answer.body.code }).toEqual({
      status: 403,
      code: 'scope_not_entitled',
    });
  });

  it("an admin credential mints for another user within that user's entitlements", async () => {
    const { token: adminPat } = await narrowPat(['tessera:admin']);
    const target = await server.request('POST', '/api/v1/users', {
      token: adminPat,
      body: { username: uniqueName('svc'), entitlements: ['repo:read'], service: true },
    });
    const mint = (scopes: string[]) =>
      server.request('POST', `/api/v1/users/${target.body.id}/tokens`, {
        token: adminPat,
        body: { name: 'svc', scopes },
      });
    expect((await mint(['repo:read'])).status).toBe(201);
    expect((await mint(['repo:write'])).body.code).toBe('scope_not_entitled');
  });

  it('an admin credential minting for its own user is bounded by the credential', async () => {
    const { token: adminPat, user } = await narrowPat(['tessera:admin']);
    const answer = await server.request('POST', `/api/v1/users/${user.id}/tokens`, {
      token: adminPat,
      body: { name: 'self', scopes: ['tessera:admin', 'repo:admin'] },
    });
    expectExceeds(answer);
  });
});

describe('rotating a PAT through /api/v1', () => {
  it('a narrow sibling cannot rotate a broader PAT and read its new secret', async () => {
    const { token, user } = await narrowPat(['tessera:tokens']);
    const broad = await server.request('POST', `/api/v1/users/${user.id}/tokens`, {
      token: server.adminToken,
      body: { name: 'broad', scopes: ['tessera:tokens', 'repo:write'] },
    });
    expect(broad.status).toBe(201);
    const rotated = await server.request('POST', `/api/v1/tokens/${broad.body.id}/rotate`, {
      token,
      body: {},
    });
    expectExceeds(rotated);
    // The refused rotation changed nothing: the broad PAT still works.
    expect((await server.request('GET', '/api/v1/me', { token: broad.body.token })).status).toBe(200);
  });

  it('a JWT narrower than the PAT it rotates is refused; one as broad succeeds', async () => {
    const { token, pat } = await narrowPat(['tessera:tokens', 'repo:read']);
    const narrowJwt = await jwtFor(token, 'tessera:tokens');
    expectExceeds(
      await server.request('POST', `/api/v1/tokens/${pat.id}/rotate`, { token: narrowJwt, body: {} }),
    );
    const fullJwt = await jwtFor(token, 'tessera:tokens repo:read');
    const rotated = await server.request('POST', `/api/v1/tokens/${pat.id}/rotate`, {
      token: fullJwt,
      body: {},
    });
    expect(rotated.status).toBe(201);
    expect(rotated.body.scopes).toEqual(['tessera:tokens', 'repo:read']);
  });
});
