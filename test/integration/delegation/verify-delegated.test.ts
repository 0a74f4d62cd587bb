/** `tessera-jwt-verify` and delegated tokens: refused unless `acceptDelegated`, then actor and chain. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTesseraVerifier, TesseraTokenError } from '../../../packages/verify/src/index.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const AT = 'urn:ietf:params:oauth:token-type:access_token';
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
}, 60_000);
afterAll(() => server.stop());

describe('verifier and act', () => {
  it('refuses a delegated JWT by default and exposes actor and actorChain when opted in', async () => {
    const alice = await server.createUserWithToken(uniqueName('alice'), ['tessera:tokens', 'repo:read']);
    const bob = await server.createUserWithToken(uniqueName('bob'), ['repo:read']);
    const subject = await server.request('POST', '/api/v1/tokens', {
      token: alice.token,
      body: { name: 'agent', scopes: ['tessera:tokens'], may_act: [{ user_id: bob.user.id }] },
    });
    const delegated = await server.exchange(subject.body.token, {
      actor_token: bob.token,
      actor_token_type: AT,
    });
    expect(delegated.status).toBe(200);
    const plain = await server.exchange(alice.token);
    const audience = `${server.url}/api`;

    const strict = createTesseraVerifier({ issuer: server.url, audience });
    await expect(strict(delegated.body.access_token)).rejects.toMatchObject({ code: 'invalid_token' });
    await expect(strict(delegated.body.access_token)).rejects.toBeInstanceOf(TesseraTokenError);
    const own = await strict(plain.body.access_token);
    expect({ actor: own.actor, chain: own.actorChain }).toEqual({ actor: undefined, chain: [] });

    const open = createTesseraVerifier({ issuer: server.url, audience, acceptDelegated: true });
    const claims = await open(delegated.body.access_token);
    expect(claims.sub).toBe(alice.user.id);
    expect(claims.actor).toEqual({ sub: bob.user.id });
    expect(claims.actorChain).toEqual([{ sub: bob.user.id }]);
  });
});
