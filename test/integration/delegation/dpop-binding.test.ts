/**
 * Delegation and DPoP together (issue 21: "binding survives delegation"). The peers get this
 * wrong in both directions: a delegated token that silently drops the binding, and an actor
 * that sheds its own `require_dpop` by acting for someone whose PAT does not ask for one.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { runTessera } from '../../helpers/cli.js';
import { type DpopKey, dpopKey, dpopProof } from '../../helpers/dpop.js';
import { expectOAuthError } from '../../helpers/problems.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const AT = 'urn:ietf:params:oauth:token-type:access_token';
const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

let server: TestServer;
let key: DpopKey;
let tokenUrl: string;
beforeAll(async () => {
  server = await startTestServer();
  key = await dpopKey();
  tokenUrl = (await server.request('GET', '/.well-known/oauth-authorization-server')).body.token_endpoint;
}, 60_000);
afterAll(() => server.stop());

const person = (base: string) =>
  server.createUserWithToken(
    uniqueName(base),
    ['tessera:tokens', 'repo:read'],
    ['tessera:tokens', 'repo:read'],
  );

async function pat(token: string, body: Record<string, unknown>) {
  const created = await server.request('POST', '/api/v1/tokens', {
    token,
    body: { name: uniqueName('pat'), scopes: ['repo:read'], ...body },
  });
  if (created.status !== 201) throw new Error(created.text);
  return created.body as { id: string; token: string };
}

const proof = () => dpopProof(key, { htu: tokenUrl, iat: Math.floor(server.now().getTime() / 1000) });

function delegated(subject: string, actor: string, dpop?: string) {
  return server.tokenRequest(
    {
      grant_type: EXCHANGE,
      subject_token: subject,
      subject_token_type: AT,
      actor_token: actor,
      actor_token_type: AT,
      audience: `${server.url}/api`,
    },
    dpop ? { dpop } : {},
  );
}

describe('a delegated exchange with a DPoP proof', () => {
  it('binds the delegated JWT to the proof key (cnf.jkt beside act), token_type DPoP', async () => {
    const alice = await person('alice');
    const bob = await person('bob');
    const subject = await pat(alice.token, { may_act: [{ user_id: bob.user.id }] });
    const response = await delegated(subject.token, bob.token, await proof());
    expect(response.status).toBe(200);
    expect(response.body.token_type).toBe('DPoP');
    const jwks = createRemoteJWKSet(new URL(`${server.url}/jwks`));
    const { payload } = await jwtVerify(response.body.access_token, jwks, { issuer: server.url });
    expect(payload).toMatchObject({ sub: alice.user.id, act: { sub: bob.user.id }, cnf: { jkt: key.jkt } });
  });

  it("refuses without a proof when the actor's own PAT requires DPoP, though the subject's does not", async () => {
    const alice = await person('alice');
    const bob = await person('bob');
    const bound = await pat(bob.token, { require_dpop: true });
    const subject = await pat(alice.token, { may_act: [{ user_id: bob.user.id }] });
    const refused = await delegated(subject.token, bound.token);
    expectOAuthError(refused, 400, 'invalid_dpop_proof');
    expect((await delegated(subject.token, bound.token, await proof())).status).toBe(200);
  });

  it('refuses without a proof when the subject PAT requires DPoP', async () => {
    const alice = await person('alice');
    const bob = await person('bob');
    const subject = await pat(alice.token, { may_act: [{ user_id: bob.user.id }], require_dpop: true });
    const refused = await delegated(subject.token, bob.token);
    expectOAuthError(refused, 400, 'invalid_dpop_proof');
  });
});

describe('the audit trail of a bound, delegated exchange (issue 21 item 7)', () => {
  it("carries the actor chain and the DPoP thumbprint on the subject PAT's and the actor PAT's trail", async () => {
    const alice = await person('alice');
    const bob = await person('bob');
    const subject = await pat(alice.token, { may_act: [{ user_id: bob.user.id }] });
    const response = await delegated(subject.token, bob.token, await proof());
    expect(response.status).toBe(200);

    const own = await server.request('GET', `/api/v1/tokens/${subject.id}/events`, { token: alice.token });
    expect(own.body.items[0]).toMatchObject({
      action: 'token.exchanged',
      outcome: 'success',
      actor_chain: [{ sub: bob.user.id }],
      dpop_jkt: key.jkt,
      acted_for: null,
    });
    const actors = await server.request('GET', `/api/v1/tokens/${bob.pat.id}/events`, { token: bob.token });
    expect(actors.body.items[0]).toMatchObject({
      action: 'token.exchanged',
      actor_chain: [{ sub: bob.user.id }],
      dpop_jkt: key.jkt,
      acted_for: alice.user.id,
    });
    // tessera token events says the same, on both trails.
    const text = async (id: string, token: string) =>
      (
        await runTessera(['token', 'events', id], { TESSERA_URL: server.url, TESSERA_TOKEN: token })
      ).stdout.replace(/\s+/g, ' ');
    const ownText = await text(subject.id, alice.token);
    expect(ownText).toContain(`acted by ${bob.user.id.slice(0, 8)}; dpop ${key.jkt.slice(0, 8)}`);
    expect(await text(bob.pat.id, bob.token)).toContain(`acted for ${alice.user.id.slice(0, 8)}`);
  });

  it('names the thumbprint of a refused exchange too, and none for an unbound one', async () => {
    const alice = await person('alice');
    const carol = await person('carol');
    const subject = await pat(alice.token, { may_act: [] });
    // carol is not in may_act: refused after the proof was checked.
    expect((await delegated(subject.token, carol.token, await proof())).status).toBe(400);
    expect((await server.exchange(subject.token)).status).toBe(200);
    const own = await server.request('GET', `/api/v1/tokens/${subject.id}/events`, { token: alice.token });
    const exchanges = own.body.items.filter((e: { action: string }) => e.action === 'token.exchanged');
    expect(
      exchanges.map((e: { outcome: string; dpop_jkt: string | null }) => [e.outcome, e.dpop_jkt]),
    ).toEqual([
      ['success', null],
      ['failure', key.jkt],
    ]);
  });
});

describe('a chain keeps the binding (no silent drop, issue 21: "binding survives delegation")', () => {
  const JWT_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
  const hop = (subjectJwt: string, actor: string, dpop?: string) =>
    server.tokenRequest(
      {
        grant_type: EXCHANGE,
        subject_token: subjectJwt,
        subject_token_type: JWT_TYPE,
        actor_token: actor,
        actor_token_type: AT,
        audience: `${server.url}/api`,
      },
      dpop ? { dpop } : {},
    );
  const handOut = (pat: string, bobId: string, dpop?: string) =>
    server.tokenRequest(
      {
        grant_type: EXCHANGE,
        subject_token: pat,
        subject_token_type: AT,
        audience: `${server.url}/api`,
        may_act: JSON.stringify([{ user_id: bobId }]),
      },
      dpop ? { dpop } : {},
    );

  it("a bound subject JWT is re-exchanged only with a proof, and the next JWT is bound to the actor's key", async () => {
    const alice = await person('alice');
    const bob = await person('bob');
    const subject = await pat(alice.token, { may_act: [{ user_id: bob.user.id }] });
    const handed = await handOut(subject.token, bob.user.id, await proof());
    expect(handed.body.token_type).toBe('DPoP');

    const unbound = await hop(handed.body.access_token, bob.token);
    expect({ status: unbound.status, error: unbound.body.error }).toEqual({
      status: 400,
      error: 'invalid_dpop_proof',
    });
    const bobKey = await dpopKey();
    const bobProof = await dpopProof(bobKey, {
      htu: tokenUrl,
      iat: Math.floor(server.now().getTime() / 1000),
    });
    const bound = await hop(handed.body.access_token, bob.token, bobProof);
    expect(bound.body.token_type).toBe('DPoP');
    const jwks = createRemoteJWKSet(new URL(`${server.url}/jwks`));
    const { payload } = await jwtVerify(bound.body.access_token, jwks, { issuer: server.url });
    expect(payload).toMatchObject({ act: { sub: bob.user.id }, cnf: { jkt: bobKey.jkt } });
  });

  it('a subject JWT whose root PAT has since been set to require_dpop needs a proof too', async () => {
    const alice = await person('alice');
    const bob = await person('bob');
    const subject = await pat(alice.token, { may_act: [{ user_id: bob.user.id }] });
    const handed = await handOut(subject.token, bob.user.id);
    expect(handed.body.token_type).toBe('Bearer');
    const set = await server.request('PATCH', `/api/v1/tokens/${subject.id}`, {
      token: alice.token,
      body: { require_dpop: true },
    });
    expect(set.status).toBe(200);
    expect((await hop(handed.body.access_token, bob.token)).body.error).toBe('invalid_dpop_proof');
    expect((await hop(handed.body.access_token, bob.token, await proof())).status).toBe(200);
  });
});
