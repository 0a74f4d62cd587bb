/**
 * Abuse limits (issue 4, point 4), per client IP: token requests, failed credential
 * presentations (PATs on /token and bearer tokens on /api/v1, and failed client
 * authentication), and leaked-token reports. Over a limit: 429 with `Retry-After`, as RFC 6749
 * JSON on /token and as problem+json under /api/v1.
 *
 * Every request here comes from 127.0.0.1, so each scenario runs on its own server, with its
 * own fresh counters and the `limits` it needs.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generatePat } from '../../../src/pat/format.js';
import { expectOAuthError, expectProblem } from '../../helpers/problems.js';
import { startSecondInstance } from '../../helpers/second-instance.js';
import { type ApiResponse, startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const HIGH = 10_000;
const CLIENT_ID = 'limits-bot';
const CLIENT_SECRET = 'limits-bot-secret-0a9b8c7d6e';

/** Starts a server with these limits (anything not named is out of the way) for one describe. */
function serverWith(limits: Record<string, number>, extra: Record<string, unknown> = {}) {
  const holder: { server: TestServer } = {} as { server: TestServer };
  beforeAll(async () => {
    holder.server = await startTestServer({
      configFile: {
        limits: {
          tokenRequestsPerMinute: HIGH,
          failedAuthPerMinute: HIGH,
          leakReportsPerMinute: HIGH,
          ...limits,
        },
        ...extra,
      },
    });
  });
  afterAll(() => holder.server?.stop());
  return holder;
}

function expectRetryAfter(response: ApiResponse) {
  const header = response.headers.get('retry-after') ?? '';
  expect(header).toMatch(/^[0-9]+$/);
  expect(Number(header)).toBeGreaterThanOrEqual(1);
  expect(Number(header)).toBeLessThanOrEqual(60);
}

/** RFC 6749 §5.2 error JSON, status 429. */
function expectOAuthTooMany(response: ApiResponse) {
  expectOAuthError(response, 429);
  expectRetryAfter(response);
  expect(response.headers.get('cache-control')).toContain('no-store');
  expect(response.body).toEqual({ error: expect.any(String), error_description: expect.any(String) });
  expect(response.body.error).toMatch(/^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/);
}

/** RFC 9457 problem+json, status 429, code `rate_limited`. */
function expectProblemTooMany(response: ApiResponse) {
  expectProblem(response, 429, 'rate_limited');
  expectRetryAfter(response);
}

/** A token exchange of `token`, sent with these headers. */
const exchangeWith = (server: TestServer, token: string, headers: Record<string, string>) =>
  server.tokenRequest(
    {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: token,
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    },
    headers,
  );

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('per-IP limit on /token requests (5 a minute)', () => {
  const ctx = serverWith({ tokenRequestsPerMinute: 5 });

  it('answers 429 with Retry-After, no-store and RFC 6749 JSON past the limit', async () => {
    const { server } = ctx;
    const { token } = await server.createUserWithToken(uniqueName('busy'), ['tessera:tokens']);
    for (let i = 0; i < 5; i++) expect((await server.exchange(token)).status).toBe(200);

    const refused = await server.exchange(token);
    expectOAuthTooMany(refused);
    expect(refused.body.access_token).toBeUndefined();
    // Still refused, whatever the request, and a forged X-Forwarded-For does not make a new client.
    expectOAuthTooMany(await server.tokenRequest({ grant_type: 'client_credentials' }));
    expectOAuthTooMany(await exchangeWith(server, token, { 'x-forwarded-for': '203.0.113.7' }));

    // The limit is on /token: the API answers as usual.
    expect((await server.request('GET', '/api/v1/me', { token })).status).toBe(200);
  });
});

describe('failed PAT presentations on /token (3 a minute)', () => {
  const ctx = serverWith({ failedAuthPerMinute: 3 });

  it('after three bad PATs, further bad ones get 429, and a valid PAT still works', async () => {
    const { server } = ctx;
    const valid = await server.createUserWithToken(uniqueName('valid'), ['tessera:tokens']);
    const revoked = await server.createUserWithToken(uniqueName('revoked'), ['tessera:tokens']);
    const revocation = await server.request('POST', `/api/v1/tokens/${revoked.pat.id}/revoke`, {
      token: revoked.token,
      body: {},
    });
    expect(revocation.status).toBe(200);

    // Good exchanges do not count.
    for (let i = 0; i < 5; i++) expect((await server.exchange(valid.token)).status).toBe(200);

    for (const bad of [generatePat('tsr'), 'tsr_not-even-close', revoked.token]) {
      const response = await server.exchange(bad);
      expectOAuthError(response, 400, 'invalid_request');
    }
    expectOAuthTooMany(await server.exchange(generatePat('tsr')));
    expectOAuthTooMany(await server.exchange(revoked.token));
    // CI fleets share NAT addresses: a valid credential from a blocked address is never refused.
    expect((await server.exchange(valid.token)).status).toBe(200);
    expect((await server.request('GET', '/api/v1/me', { token: valid.token })).status).toBe(200);
    expectOAuthTooMany(await server.exchange('tsr_not-even-close'));
  });
});

describe('a PAT that expires within the second (2 failures a minute)', () => {
  const DAY_MS = 86_400_000;
  const ctx: { server: TestServer } = {} as { server: TestServer };
  beforeAll(async () => {
    ctx.server = await startTestServer({
      configFile: {
        limits: { tokenRequestsPerMinute: HIGH, failedAuthPerMinute: 2, leakReportsPerMinute: HIGH },
      },
      clockAt: new Date('2026-06-01T12:00:00Z'),
    });
  });
  afterAll(() => ctx.server?.stop());

  // The response calls it an invalid subject_token, so the limit counts it as one too (it was
  // answered like one and never counted: the endpoint and the grant disagreed).
  it('is a failed credential: counted, and past the limit answered 429', async () => {
    const { server } = ctx;
    const owner = await server.createUserWithToken(uniqueName('brink'), ['tessera:tokens']);
    const created = await server.request('POST', '/api/v1/tokens', {
      token: owner.token,
      body: { name: 'brink', scopes: ['tessera:tokens'], expires_in_days: 1 },
    });
    expect(created.status).toBe(201);
    server.advance(DAY_MS - 500);
    for (let i = 0; i < 2; i++) {
      const response = await server.exchange(created.body.token);
      expectOAuthError(response, 400, 'invalid_request');
    }
    expectOAuthTooMany(await server.exchange(created.body.token));
    expect((await server.exchange(owner.token)).status).toBe(200);
  });
});

describe('failed bearer presentations on /api/v1 (3 a minute)', () => {
  const ctx = serverWith({ failedAuthPerMinute: 3 });

  it('count too: then bad ones get 429 problem+json on /api/v1 and 429 on /token; valid ones pass', async () => {
    const { server } = ctx;
    const valid = await server.createUserWithToken(uniqueName('valid'), ['tessera:tokens']);
    for (let i = 0; i < 5; i++) {
      expect((await server.request('GET', '/api/v1/me', { token: valid.token })).status).toBe(200);
    }

    for (const bad of [generatePat('tsr'), 'garbage', 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln']) {
      const response = await server.request('GET', '/api/v1/me', { token: bad });
      expectProblem(response, 401, 'unauthenticated');
    }

    expectProblemTooMany(await server.request('GET', '/api/v1/me', { token: generatePat('tsr') }));
    expectProblemTooMany(
      await server.request('POST', '/api/v1/tokens', {
        token: 'garbage',
        body: { name: 'blocked', scopes: ['tessera:tokens'] },
      }),
    );
    expectOAuthTooMany(await server.exchange(generatePat('tsr')));

    expect((await server.request('GET', '/api/v1/me', { token: valid.token })).status).toBe(200);
    const created = await server.request('POST', '/api/v1/tokens', {
      token: valid.token,
      body: { name: 'allowed', scopes: ['tessera:tokens'] },
    });
    expect(created.status).toBe(201);
    expect((await server.exchange(valid.token)).status).toBe(200);

    // Nothing was created by the refused request.
    const { rows } = await server.database.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pats WHERE name = 'blocked'",
    );
    expect(rows[0]?.n).toBe(0);
  });
});

describe('failed client authentication on /token (3 a minute)', () => {
  const ctx = serverWith(
    { failedAuthPerMinute: 3 },
    { clients: [{ client_id: CLIENT_ID, client_secret: CLIENT_SECRET }] },
  );

  it('counts as a failed presentation', async () => {
    const { server } = ctx;
    const { token } = await server.createUserWithToken(uniqueName('client'), ['tessera:tokens']);
    const good = { authorization: basic(CLIENT_ID, CLIENT_SECRET) };
    for (let i = 0; i < 5; i++) expect((await exchangeWith(server, token, good)).status).toBe(200);

    for (let i = 0; i < 3; i++) {
      const response = await exchangeWith(server, token, {
        authorization: basic(CLIENT_ID, `wrong-secret-${i}-0123456789`),
      });
      expectOAuthError(response, 401, 'invalid_client');
    }

    expectOAuthTooMany(
      await exchangeWith(server, token, { authorization: basic(CLIENT_ID, 'wrong-secret-again-0123456789') }),
    );
    expect((await exchangeWith(server, token, good)).status).toBe(200);
    expect((await server.exchange(token)).status).toBe(200);
  });
});

describe('leaked-token reports (2 a minute)', () => {
  const ctx = serverWith({ leakReportsPerMinute: 2 });

  it('answers 429 problem+json past the limit, and revokes nothing in a refused report', async () => {
    const { server } = ctx;
    const report = (tokens: string[]) =>
      server.request('POST', '/api/v1/credentials/revoke', { body: { tokens } });
    const first = await server.createUserWithToken(uniqueName('leak'), ['tessera:tokens']);
    const spared = await server.createUserWithToken(uniqueName('spared'), ['tessera:tokens']);

    expect((await report([first.token])).status).toBe(202);
    expect((await report([generatePat('tsr')])).status).toBe(202);
    const refused = await report([spared.token]);
    expectProblemTooMany(refused);
    // The limit answers before the body is parsed: a malformed report past it is a 429 too.
    expectProblemTooMany(
      await server.request('POST', '/api/v1/credentials/revoke', { body: { tokens: 'x' } }),
    );

    expect((await server.request('GET', '/api/v1/me', { token: first.token })).status).toBe(401);
    expect((await server.request('GET', '/api/v1/me', { token: spared.token })).status).toBe(200);
  });
});

describe('requests without credentials', () => {
  const ctx = serverWith({ failedAuthPerMinute: 3 });

  it('do not count as failed presentations', async () => {
    const { server } = ctx;
    const { token } = await server.createUserWithToken(uniqueName('anon'), ['tessera:tokens']);
    for (let i = 0; i < 20; i++) {
      const response = await server.request('GET', '/api/v1/me');
      expectProblem(response, 401, 'unauthenticated');
    }
    expect((await server.request('GET', '/api/v1/me', { token })).status).toBe(200);
    expect((await server.exchange(token)).status).toBe(200);
  });
});

describe('the failed-credential counters are shared by instances on one database', () => {
  const ctx = serverWith({ failedAuthPerMinute: 3 });

  it('failures at one instance block bad credentials at the other; valid ones pass at both', async () => {
    const { server } = ctx;
    const other = await startSecondInstance(server);
    try {
      const { token } = await server.createUserWithToken(uniqueName('shared'), ['tessera:tokens']);
      for (let i = 0; i < 3; i++) expect((await server.exchange(generatePat('tsr'))).status).toBe(400);
      const atOther = await fetch(`${other.url}/api/v1/me`, {
        headers: { authorization: `Bearer ${generatePat('tsr')}` },
      });
      expect(atOther.status).toBe(429);
      const valid = await fetch(`${other.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(valid.status).toBe(200);
    } finally {
      await other.stop(1000);
    }
  });
});
