/**
 * The networks ceiling (issue 18): `allowed_cidrs` bind what a PAT opens. A PAT fenced to some
 * networks, a JWT exchanged from it and a console session opened with it are each usable only
 * from those networks, and mint only PATs whose networks lie within them (403
 * `cidr_exceeds_credential`); a PAT they create without a list inherits theirs. The server
 * trusts 127.0.0.1 as its proxy, so `X-Forwarded-For` says where each request comes from.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bannerToken, ConsoleClient } from '../../helpers/console.js';
import { expectProblem } from '../../helpers/problems.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const INSIDE = { 'x-forwarded-for': '127.0.0.9' };
const OUTSIDE = { 'x-forwarded-for': '198.51.100.7' };

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ configFile: { server: { trustProxy: ['127.0.0.1/32'] } } });
});
afterAll(() => server.stop());

/** A user with an unfenced PAT, and a PAT of theirs fenced to `cidrs`. */
async function fencedPat(cidrs: string[], scopes = ['tessera:tokens', 'repo:read']) {
  const { user, token: open, pat: openPat } = await server.createUserWithToken(uniqueName('fence'), scopes);
  const made = await server.request('POST', '/api/v1/tokens', {
    token: open,
    body: { name: 'fenced', scopes, allowed_cidrs: cidrs },
  });
  expect(made.status).toBe(201);
  return { user, open, openPat, fenced: made.body.token as string, fencedPat: made.body };
}

function create(token: string, body: Record<string, unknown>, headers = INSIDE) {
  return server.request('POST', '/api/v1/tokens', {
    token,
    headers,
    body: { name: uniqueName('child'), scopes: ['repo:read'], ...body },
  });
}

describe('POST /api/v1/tokens with a fenced PAT', () => {
  it('refuses networks outside its own (cidr_exceeds_credential), and creates nothing', async () => {
    const { fenced, open } = await fencedPat(['127.0.0.9/32']);
    for (const allowed_cidrs of [['0.0.0.0/0'], ['127.0.0.0/8'], ['127.0.0.9/32', '10.0.0.1'], ['::/0']]) {
      const answer = await create(fenced, { allowed_cidrs });
      expectProblem(answer, 403, 'cidr_exceeds_credential');
    }
    const listed = await server.request('GET', '/api/v1/tokens', { token: open });
    expect(listed.body.items.map((p: { name: string }) => p.name).sort()).toEqual(['fenced', 'seed']);
  });

  it('gives a PAT created without a list its own list, and accepts networks within it', async () => {
    const { fenced } = await fencedPat(['127.0.0.0/24', '2001:db8::/32']);
    const inherited = await create(fenced, {});
    expect(inherited.status).toBe(201);
    expect(inherited.body.allowed_cidrs).toEqual(['127.0.0.0/24', '2001:db8::/32']);
    const explicitNull = await create(fenced, { allowed_cidrs: null });
    expect(explicitNull.body.allowed_cidrs).toEqual(['127.0.0.0/24', '2001:db8::/32']);
    const narrower = await create(fenced, {
      allowed_cidrs: ['127.0.0.9', '127.0.0.128/25', '2001:db8:1::/48'],
    });
    expect(narrower.status).toBe(201);
    expect(narrower.body.allowed_cidrs).toEqual(['127.0.0.9/32', '127.0.0.128/25', '2001:db8:1::/48']);
    // The inherited fence holds: the child works from inside only.
    const child = inherited.body.token as string;
    expect((await server.request('GET', '/api/v1/me', { token: child, headers: INSIDE })).status).toBe(200);
    expect((await server.request('GET', '/api/v1/me', { token: child, headers: OUTSIDE })).status).toBe(401);
  });

  it('an unfenced PAT is not bound (no list stays no list)', async () => {
    const { open } = await fencedPat(['127.0.0.9/32']);
    const answer = await create(open, {}, OUTSIDE);
    expect(answer.status).toBe(201);
    expect(answer.body.allowed_cidrs).toBeNull();
  });
});

describe('rotation under the networks ceiling', () => {
  it('a fenced PAT may not rotate an unfenced one (its new secret would work from anywhere)', async () => {
    const { fenced, openPat } = await fencedPat(['127.0.0.9/32']);
    const answer = await server.request('POST', `/api/v1/tokens/${openPat.id}/rotate`, {
      token: fenced,
      headers: INSIDE,
    });
    expectProblem(answer, 403, 'cidr_exceeds_credential');
  });

  it('a fenced PAT rotates itself, keeping its networks', async () => {
    const { fenced, fencedPat: pat } = await fencedPat(['127.0.0.9/32']);
    const answer = await server.request('POST', `/api/v1/tokens/${pat.id}/rotate`, {
      token: fenced,
      headers: INSIDE,
    });
    expect(answer.status).toBe(201);
    expect(answer.body.allowed_cidrs).toEqual(['127.0.0.9/32']);
  });
});

describe('a JWT exchanged from a fenced PAT', () => {
  it('is bound as its PAT: used only from inside, and minting within the same ceiling', async () => {
    const { fenced } = await fencedPat(['127.0.0.9/32']);
    const exchanged = await server.tokenRequest(
      {
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: fenced,
        subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        scope: 'tessera:tokens repo:read',
      },
      INSIDE,
    );
    expect(exchanged.status).toBe(200);
    const jwt = exchanged.body.access_token as string;
    expect((await create(jwt, {}, OUTSIDE)).status).toBe(401);
    const wide = await create(jwt, { allowed_cidrs: ['0.0.0.0/0'] });
    expectProblem(wide, 403, 'cidr_exceeds_credential');
    const inherited = await create(jwt, {});
    expect(inherited.status).toBe(201);
    expect(inherited.body.allowed_cidrs).toEqual(['127.0.0.9/32']);
  });
});

describe('a console session opened with a fenced PAT', () => {
  async function signedInFromInside() {
    const made = await fencedPat(['127.0.0.9/32']);
    const client = new ConsoleClient(server);
    client.headers = INSIDE;
    expect((await client.signInWithToken(made.fenced)).status).toBe(303);
    expect((await client.get('/console/tokens')).status).toBe(200);
    return { ...made, client };
  }

  it('is refused from outside the PAT networks, and still works from inside', async () => {
    const { client } = await signedInFromInside();
    const cookie = client.cookie;
    client.headers = OUTSIDE;
    const away = await client.get('/console/tokens');
    expect(away.status).toBe(303);
    expect(away.location).toMatch(/^\/console\/sign-in/);
    // The stolen copy did not end the session of the browser inside the network.
    const inside = new ConsoleClient(server);
    inside.headers = INSIDE;
    inside.cookie = cookie;
    expect((await inside.get('/console/tokens')).status).toBe(200);
  });

  it('mints only PATs fenced within the session PAT networks', async () => {
    const { client, open } = await signedInFromInside();
    const wide = await client.post(
      '/console/tokens',
      { name: 'wide', scopes: 'repo:read', allowed_cidrs: '0.0.0.0/0' },
      { from: '/console/tokens/new' },
    );
    expect(wide.status).toBe(403);
    expect(bannerToken(wide.html)).toBeNull();
    const unfenced = await client.post(
      '/console/tokens',
      { name: 'no-list', scopes: 'repo:read' },
      { from: '/console/tokens/new' },
    );
    expect(unfenced.status).toBeLessThan(400);
    const listed = await server.request('GET', '/api/v1/tokens', { token: open, headers: OUTSIDE });
    const byName = new Map(
      listed.body.items.map((p: { name: string; allowed_cidrs: unknown }) => [p.name, p.allowed_cidrs]),
    );
    expect(byName.has('wide')).toBe(false);
    expect(byName.get('no-list')).toEqual(['127.0.0.9/32']);
  });
});
