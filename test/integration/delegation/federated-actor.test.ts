/**
 * A workload as the actor (issue 21): an external token accepted through a trust policy acts for
 * a person whose PAT's may_act names that policy. The act claim then carries the external `sub`,
 * `iss` and the policy id; a workload of another policy with the very same `sub` is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { createPolicy } from '../../helpers/federation.js';
import { startTestIssuer, type TestIssuer } from '../../helpers/oidc-issuer.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const AT = 'urn:ietf:params:oauth:token-type:access_token';
const ID = 'urn:ietf:params:oauth:token-type:id_token';
const SUB = 'repo:acme/agent:ref:refs/heads/main';

let server: TestServer;
let trusted: TestIssuer;
let other: TestIssuer;
let trustedPolicy: { id: string };
beforeAll(async () => {
  server = await startTestServer();
  trusted = await startTestIssuer();
  other = await startTestIssuer({ host: '127.0.0.2' });
  const bot = await server.createUserWithToken(uniqueName('agent-bot'), ['repo:read'], ['repo:read'], {
    service: true,
  });
  const policy = (issuer: TestIssuer) => ({
    name: uniqueName('agent'),
    issuer: issuer.url,
    audience: server.url,
    subject: SUB,
    user_id: bot.user.id,
    scopes: ['repo:read'],
  });
  trustedPolicy = await createPolicy(server, policy(trusted));
  await createPolicy(server, policy(other));
}, 60_000);
afterAll(async () => {
  await Promise.all([server?.stop(), trusted?.stop(), other?.stop()]);
});

const actWith = (subject: string, actor: string) =>
  server.tokenRequest({
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    subject_token: subject,
    subject_token_type: AT,
    actor_token: actor,
    actor_token_type: ID,
  });

describe('a federated actor', () => {
  it('acts for a person who named its trust policy; another policy with the same sub is refused', async () => {
    const alice = await server.createUserWithToken(uniqueName('alice'), ['tessera:tokens', 'repo:read']);
    const pat = await server.request('POST', '/api/v1/tokens', {
      token: alice.token,
      body: { name: 'for-ci', scopes: ['repo:read'], may_act: [{ trust_policy_id: trustedPolicy.id }] },
    });
    expect(pat.status).toBe(201);
    const claims = { sub: SUB, aud: server.url };

    const granted = await actWith(pat.body.token, await trusted.mint(claims));
    expect(granted.status).toBe(200);
    expect(decodeJwt(granted.body.access_token)).toMatchObject({
      sub: alice.user.id,
      act: { sub: SUB, iss: trusted.url, trust_policy_id: trustedPolicy.id },
    });

    const spliced = await actWith(pat.body.token, await other.mint(claims));
    expect([spliced.status, spliced.body.error]).toEqual([400, 'invalid_request']);
    expect(spliced.body.error_description).toBe('the subject_token is invalid, expired or revoked');
    const { rows } = await server.database.db.query<{ reason: string }>(
      "SELECT reason FROM audit_events WHERE action = 'token.exchanged' AND pat_id = $1 ORDER BY id DESC LIMIT 1",
      [pat.body.id],
    );
    expect(rows[0]?.reason).toMatch(/^actor_not_permitted/);
  });
});
