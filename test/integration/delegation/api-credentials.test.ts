/**
 * `/api/v1` as a resource server for the credentials issue 21 adds (docs/dpop.md,
 * docs/delegation.md): a PAT whose owner asked for proof of possession (`require_dpop`) is not a
 * bearer credential there, and a delegated JWT (`act`) is refused, since with it an actor could
 * mint or rotate the subject's PATs and so keep the subject's rights with no actor on record
 * (act stripping through the API). Each refusal is on the PAT's trail.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConsoleClient } from '../../helpers/console.js';
import { dpopKey, dpopProof } from '../../helpers/dpop.js';
import { startSecondInstance } from '../../helpers/second-instance.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const AT = 'urn:ietf:params:oauth:token-type:access_token';
const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const SCOPES = ['tessera:tokens', 'repo:read'];

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
}, 60_000);
afterAll(() => server?.stop());

const person = (base: string) => server.createUserWithToken(uniqueName(base), SCOPES, SCOPES);
const nowSeconds = () => Math.floor(server.now().getTime() / 1000);
const apiUrl = (path: string) => new URL(path, `${server.url}/`).href;

async function createPat(token: string, body: Record<string, unknown>) {
  const created = await server.request('POST', '/api/v1/tokens', {
    token,
    body: { name: uniqueName('t'), scopes: SCOPES, ...body },
  });
  if (created.status !== 201) throw new Error(created.text);
  return created.body as { id: string; token: string };
}

async function refusals(patId: string) {
  const { rows } = await server.database.db.query<{ reason: string; actor_chain: unknown }>(
    `SELECT reason, actor_chain FROM audit_events
     WHERE action = 'api.authenticated' AND outcome = 'failure' AND pat_id = $1 ORDER BY id`,
    [patId],
  );
  return rows;
}

const tokenCount = async (userId: string) =>
  Number(
    (
      await server.database.db.query<{ n: string }>('SELECT count(*) AS n FROM pats WHERE user_id = $1', [
        userId,
      ])
    ).rows[0]?.n,
  );

describe('a PAT with require_dpop on /api/v1', () => {
  it('is refused as Bearer (401, DPoP challenge), audited dpop_required, mints nothing', async () => {
    const owner = await person('owner');
    const bound = await createPat(owner.token, { require_dpop: true });
    const me = await server.request('GET', '/api/v1/me', { token: bound.token });
    expect(me.status).toBe(401);
    expect(me.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_token"/);
    const before = await tokenCount(owner.user.id);
    const mint = await server.request('POST', '/api/v1/tokens', {
      token: bound.token,
      body: { name: 'escape', scopes: ['repo:read'] },
    });
    expect(mint.status).toBe(401);
    // Nor can it take its own binding off.
    const patch = await server.request('PATCH', `/api/v1/tokens/${bound.id}`, {
      token: bound.token,
      body: { require_dpop: false },
    });
    expect(patch.status).toBe(401);
    expect(await tokenCount(owner.user.id)).toBe(before);
    expect((await refusals(bound.id)).map((r) => r.reason)).toEqual([
      'dpop_required',
      'dpop_required',
      'dpop_required',
    ]);
  });

  it('signs nobody in to the console: a session would be a bearer credential', async () => {
    const owner = await person('owner');
    const bound = await createPat(owner.token, { require_dpop: true });
    const client = new ConsoleClient(server);
    expect((await client.signInWithToken(bound.token)).status).toBe(400);
    expect(client.cookie).toBeNull();
    const { rows } = await server.database.db.query<{ reason: string }>(
      "SELECT reason FROM audit_events WHERE action = 'console.sign_in_refused' AND pat_id = $1",
      [bound.id],
    );
    expect(rows).toEqual([{ reason: 'token requires DPoP' }]);
  });

  it('also ends the bearer JWTs exchanged before it was set: they cannot lift it', async () => {
    const owner = await person('owner');
    const pat = await createPat(owner.token, {});
    const exchanged = await server.tokenRequest({
      grant_type: EXCHANGE,
      subject_token: pat.token,
      subject_token_type: AT,
      audience: `${server.url}/api`,
    });
    const earlier = exchanged.body.access_token as string;
    expect((await server.request('GET', '/api/v1/me', { token: earlier })).status).toBe(200);
    const set = await server.request('PATCH', `/api/v1/tokens/${pat.id}`, {
      token: owner.token,
      body: { require_dpop: true },
    });
    expect(set.status).toBe(200);
    const lift = await server.request('PATCH', `/api/v1/tokens/${pat.id}`, {
      token: earlier,
      body: { require_dpop: false },
    });
    expect(lift.status).toBe(401);
    expect(lift.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_token"/);
    const shown = await server.request('GET', `/api/v1/tokens/${pat.id}`, { token: owner.token });
    expect(shown.body.require_dpop).toBe(true);
  });

  it('works through its DPoP-bound JWT, sent with the DPoP scheme', async () => {
    const owner = await person('owner');
    const bound = await createPat(owner.token, { require_dpop: true });
    const key = await dpopKey();
    const exchanged = await server.tokenRequest(
      {
        grant_type: EXCHANGE,
        subject_token: bound.token,
        subject_token_type: AT,
        audience: `${server.url}/api`,
      },
      { dpop: await dpopProof(key, { htu: apiUrl('token'), iat: nowSeconds() }) },
    );
    expect(exchanged.body.token_type).toBe('DPoP');
    const jwt = exchanged.body.access_token as string;
    const proof = await dpopProof(key, {
      htm: 'GET',
      htu: apiUrl('api/v1/me'),
      accessToken: jwt,
      iat: nowSeconds(),
    });
    const me = await server.request('GET', '/api/v1/me', {
      headers: { authorization: `DPoP ${jwt}`, dpop: proof },
    });
    expect(me.status).toBe(200);
  });
});

describe('a bound JWT on /api/v1 behind two instances', () => {
  it('a proof used at one instance is a replay at the other (the ledger is the database)', async () => {
    const owner = await person('owner');
    const key = await dpopKey();
    const exchanged = await server.tokenRequest(
      {
        grant_type: EXCHANGE,
        subject_token: owner.token,
        subject_token_type: AT,
        audience: `${server.url}/api`,
      },
      { dpop: await dpopProof(key, { htu: apiUrl('token'), iat: nowSeconds() }) },
    );
    const jwt = exchanged.body.access_token as string;
    const proof = await dpopProof(key, {
      htm: 'GET',
      htu: apiUrl('api/v1/me'),
      accessToken: jwt,
      iat: nowSeconds(),
    });
    const headers = { authorization: `DPoP ${jwt}`, dpop: proof };
    const second = await startSecondInstance(server);
    try {
      expect((await server.request('GET', '/api/v1/me', { headers })).status).toBe(200);
      const replayed = await fetch(`${second.url}/api/v1/me`, { headers });
      expect(replayed.status).toBe(401);
      expect(replayed.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_dpop_proof"/);
    } finally {
      await second.stop(1000);
    }
  });
});

describe('a delegated JWT (act) on /api/v1', () => {
  it('is refused, Bearer or DPoP; the actor can neither read nor mint nor rotate; the try is on the trail', async () => {
    const alice = await person('alice');
    const bob = await person('bob');
    const subject = await createPat(alice.token, { may_act: [{ user_id: bob.user.id }] });
    const key = await dpopKey();
    const delegated = async (proof?: string) => {
      const response = await server.tokenRequest(
        {
          grant_type: EXCHANGE,
          subject_token: subject.token,
          subject_token_type: AT,
          actor_token: bob.token,
          actor_token_type: AT,
          audience: `${server.url}/api`,
        },
        proof ? { dpop: proof } : {},
      );
      expect(response.status).toBe(200);
      return response.body.access_token as string;
    };
    const jwt = await delegated();
    const before = await tokenCount(alice.user.id);

    const me = await server.request('GET', '/api/v1/me', { token: jwt });
    expect(me.status).toBe(401);
    expect(me.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
    const mint = await server.request('POST', '/api/v1/tokens', {
      token: jwt,
      body: { name: 'stripped', scopes: ['repo:read'] },
    });
    expect(mint.status).toBe(401);
    const rotate = await server.request('POST', `/api/v1/tokens/${subject.id}/rotate`, {
      token: jwt,
      body: {},
    });
    expect(rotate.status).toBe(401);
    expect(await tokenCount(alice.user.id)).toBe(before);

    // Bound to the actor's key and sent with a good proof: refused all the same.
    const bound = await delegated(await dpopProof(key, { htu: apiUrl('token'), iat: nowSeconds() }));
    const proof = await dpopProof(key, {
      htm: 'GET',
      htu: apiUrl('api/v1/me'),
      accessToken: bound,
      iat: nowSeconds(),
    });
    const dpopMe = await server.request('GET', '/api/v1/me', {
      headers: { authorization: `DPoP ${bound}`, dpop: proof },
    });
    expect(dpopMe.status).toBe(401);

    const rows = await refusals(subject.id);
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      expect(row).toEqual({ reason: 'delegated_token_refused', actor_chain: { sub: bob.user.id } });
    }
    // The owner sees who tried, on the subject PAT's trail.
    const trail = await server.request('GET', `/api/v1/tokens/${subject.id}/events`, { token: alice.token });
    expect(trail.body.items[0]).toMatchObject({
      action: 'api.authenticated',
      outcome: 'failure',
      reason: 'delegated_token_refused',
      actor: { id: bob.user.id },
      actor_chain: [{ sub: bob.user.id }],
    });
  });
});
