/**
 * Delegation at `POST /token` (issue 21): actor tokens, consent through `may_act`, act chains,
 * and the ways they could be abused. Every refusal is the one fixed `invalid_request`.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const AT = 'urn:ietf:params:oauth:token-type:access_token';
const JWT = 'urn:ietf:params:oauth:token-type:jwt';
const OTHER = 'https://other.example.com';
const FIXED = 'the subject_token is invalid, expired or revoked';

let server: TestServer;
beforeAll(async () => {
  // A second resource, so a subject JWT could be taken to another audience Tessera serves.
  server = await startTestServer({
    configFile: {
      resources: [{ audience: OTHER, scopes: ['repo:read', 'repo:write'], tokenTtlSeconds: 900 }],
    },
  });
}, 60_000);
afterAll(() => server.stop());

const person = (base: string) =>
  server.createUserWithToken(
    uniqueName(base),
    ['tessera:tokens', 'repo:read', 'repo:write'],
    ['tessera:tokens', 'repo:read', 'repo:write'],
  );

async function patWithMayAct(token: string, may_act: unknown[], scopes = ['repo:read', 'repo:write']) {
  const created = await server.request('POST', '/api/v1/tokens', {
    token,
    body: { name: 'agent-ok', scopes, may_act },
  });
  if (created.status !== 201) throw new Error(created.text);
  return created.body as { id: string; token: string };
}

async function lastExchangeRow(patId: string) {
  const { rows } = await server.database.db.query<{
    outcome: string;
    reason: string | null;
    actor_chain: unknown;
    actor_pat_id: string | null;
  }>(
    "SELECT outcome, reason, actor_chain, actor_pat_id FROM audit_events WHERE action = 'token.exchanged' AND (pat_id = $1 OR actor_pat_id = $1) ORDER BY id DESC LIMIT 1",
    [patId],
  );
  return rows[0];
}

function expectRefused(response: { status: number; body: any }) {
  expect({ status: response.status, body: response.body }).toEqual({
    status: 400,
    body: { error: 'invalid_request', error_description: FIXED },
  });
}

const withActor = (subject: string, actor: string, extra: Record<string, string> = {}, subjectType = AT) =>
  server.tokenRequest({
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    subject_token: subject,
    subject_token_type: subjectType,
    actor_token: actor,
    actor_token_type: AT,
    ...extra,
  });

describe('actor tokens', () => {
  it('issues a JWT with act for a permitted actor, narrowed to the entry, verified against the JWKS', async () => {
    const alice = await person('alice');
    const bob = await person('bob');
    const subject = await patWithMayAct(alice.token, [{ user_id: bob.user.id, scopes: ['repo:read'] }]);
    const response = await withActor(subject.token, bob.token, { audience: `${server.url}/api` });
    expect(response.status).toBe(200);
    const jwks = createRemoteJWKSet(new URL(`${server.url}/jwks`));
    const { payload } = await jwtVerify(response.body.access_token, jwks, { issuer: server.url });
    expect(payload).toMatchObject({
      sub: alice.user.id,
      act: { sub: bob.user.id },
      scope: 'repo:read',
      pat_id: subject.id,
    });
    const row = await lastExchangeRow(bob.pat.id);
    expect(row).toMatchObject({
      outcome: 'success',
      actor_chain: { sub: bob.user.id },
      actor_pat_id: bob.pat.id,
    });
    // On both trails: the subject's, and the actor's as "acted for".
    const own = await server.request('GET', `/api/v1/tokens/${subject.id}/events`, { token: alice.token });
    expect(own.body.items[0]).toMatchObject({
      action: 'token.exchanged',
      actor_chain: [{ sub: bob.user.id }],
      acted_for: null,
    });
    const actors = await server.request('GET', `/api/v1/tokens/${bob.pat.id}/events`, { token: bob.token });
    expect(actors.body.items[0]).toMatchObject({ action: 'token.exchanged', acted_for: alice.user.id });
  });

  it('refuses an actor not in may_act, a revoked actor PAT, and a PAT without may_act', async () => {
    const alice = await person('alice');
    const bob = await person('bob');
    const carol = await person('carol');
    const subject = await patWithMayAct(alice.token, [{ user_id: bob.user.id }]);
    expectRefused(await withActor(subject.token, carol.token));
    expect((await lastExchangeRow(subject.id))?.reason).toMatch(/^actor_not_permitted/);

    await server.request('POST', `/api/v1/tokens/${bob.pat.id}/revoke`, { token: bob.token, body: {} });
    expectRefused(await withActor(subject.token, bob.token));
    expect((await lastExchangeRow(subject.id))?.reason).toMatch(/^actor_not_permitted: token revoked/);

    const dave = await person('dave');
    expectRefused(await withActor(alice.token, dave.token));
  });

  it('refuses actor_token without actor_token_type and the reverse', async () => {
    const alice = await person('alice');
    const base = {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: alice.token,
      subject_token_type: AT,
    };
    const one = await server.tokenRequest({ ...base, actor_token: alice.token });
    const two = await server.tokenRequest({ ...base, actor_token_type: AT });
    expect([one.status, one.body.error, two.status, two.body.error]).toEqual([
      400,
      'invalid_request',
      400,
      'invalid_request',
    ]);
  });
});

describe('chains', () => {
  async function chainStart(alsoCarol = false) {
    const alice = await person('alice');
    const bob = await person('bob');
    const carol = await person('carol');
    const subject = await patWithMayAct(alice.token, [{ user_id: bob.user.id }, { user_id: carol.user.id }]);
    // Alice hands out a JWT that Bob may act with.
    const named = alsoCarol
      ? [{ user_id: bob.user.id }, { user_id: carol.user.id }]
      : [{ user_id: bob.user.id }];
    const handed = await server.exchange(subject.token, { may_act: JSON.stringify(named) });
    expect(handed.status).toBe(200);
    return { alice, bob, carol, subject, jwt: handed.body.access_token as string };
  }

  it('lets the named actor act with a subject JWT, nesting act on the next hop', async () => {
    const { alice, bob, carol, jwt } = await chainStart(true);
    const hop1 = await withActor(
      jwt,
      bob.token,
      { may_act: JSON.stringify([{ user_id: carol.user.id }]) },
      JWT,
    );
    expect(hop1.status).toBe(200);
    const hop2 = await withActor(hop1.body.access_token, carol.token, {}, JWT);
    expect(hop2.status).toBe(200);
    const claims = decodeJwt(hop2.body.access_token);
    expect(claims).toMatchObject({
      sub: alice.user.id,
      act: { sub: carol.user.id, act: { sub: bob.user.id } },
    });
    expect(claims.exp as number).toBeLessThanOrEqual(decodeJwt(jwt).exp as number);
  });

  it('refuses splicing: a subject JWT naming B presented by C, or for another audience', async () => {
    const { carol, bob, jwt } = await chainStart();
    expectRefused(await withActor(jwt, carol.token, {}, JWT));
    expectRefused(await withActor(jwt, bob.token, { audience: OTHER }, JWT));
  });

  it('refuses an expired subject JWT and one whose root PAT was revoked', async () => {
    const { alice, bob, subject, jwt } = await chainStart();
    await server.request('POST', `/api/v1/tokens/${subject.id}/revoke`, { token: alice.token, body: {} });
    expectRefused(await withActor(jwt, bob.token, {}, JWT));
    const fresh = await chainStart();
    server.advance(901_000);
    expectRefused(await withActor(fresh.jwt, fresh.bob.token, {}, JWT));
  });

  it('refuses act stripping: a JWT as subject without actor, or typed as access_token', async () => {
    const { bob, jwt } = await chainStart();
    const hop1 = await withActor(jwt, bob.token, {}, JWT);
    expect(hop1.status).toBe(200);
    const delegated = hop1.body.access_token;
    expectRefused(await server.exchange(delegated));
    expectRefused(
      await server.tokenRequest({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: delegated,
        subject_token_type: JWT,
      }),
    );
  });

  it('refuses depth 4 when the cap is 3', async () => {
    const people = await Promise.all([person('a'), person('b'), person('c'), person('d'), person('e')]);
    const [root, ...actors] = people as [
      Awaited<ReturnType<typeof person>>,
      ...Awaited<ReturnType<typeof person>>[],
    ];
    const everyone = actors.map((a) => ({ user_id: a.user.id }));
    const subject = await patWithMayAct(root.token, everyone);
    let token = (await server.exchange(subject.token, { may_act: JSON.stringify(everyone) })).body
      .access_token;
    for (const [i, actor] of actors.entries()) {
      const hop = await withActor(token, actor.token, { may_act: JSON.stringify(everyone) }, JWT);
      if (i < 3) {
        expect(hop.status).toBe(200);
        token = hop.body.access_token;
      } else {
        expectRefused(hop);
      }
    }
  });

  it('refuses a may_act wider than the subject’s own', async () => {
    const alice = await person('alice');
    const bob = await person('bob');
    const carol = await person('carol');
    const subject = await patWithMayAct(alice.token, [{ user_id: bob.user.id }]);
    const wider = await server.exchange(subject.token, {
      may_act: JSON.stringify([{ user_id: carol.user.id }]),
    });
    expect([wider.status, wider.body.error]).toEqual([400, 'invalid_request']);
  });
});
