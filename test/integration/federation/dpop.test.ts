/**
 * `require_dpop` on a trust policy (DESIGN.md, "Sender-constrained tokens"): its federated
 * exchanges without a DPoP proof are refused; with one, the JWT is bound. The API creates and
 * PATCHes the field.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dpopKey, dpopProof } from '../../helpers/dpop.js';
import { createPolicy, ID_TOKEN_TYPE } from '../../helpers/federation.js';
import { startTestIssuer, type TestIssuer } from '../../helpers/oidc-issuer.js';
import { expectOAuthError } from '../../helpers/problems.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const AUD = 'https://tessera.test';
let server: TestServer;
let issuer: TestIssuer;
let policy: { id: string; require_dpop?: boolean };

beforeAll(async () => {
  issuer = await startTestIssuer();
  server = await startTestServer();
  const { user } = await server.createUserWithToken(uniqueName('ci'), ['tessera:tokens']);
  policy = await createPolicy(server, {
    name: uniqueName('bound'),
    issuer: issuer.url,
    audience: AUD,
    subject: 'repo:acme/bound:ref:refs/heads/main',
    user_id: user.id,
    scopes: ['tessera:tokens'],
    require_dpop: true,
  });
});
afterAll(async () => {
  await server?.stop();
  await issuer?.stop();
});

async function exchange(headers: Record<string, string> = {}) {
  const token = await issuer.mint(
    issuer.githubClaims({ aud: AUD, sub: 'repo:acme/bound:ref:refs/heads/main' }),
  );
  return server.tokenRequest(
    {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: token,
      subject_token_type: ID_TOKEN_TYPE,
    },
    headers,
  );
}

describe('require_dpop on a trust policy', () => {
  it('refuses an exchange without a proof, binds one with a proof, and follows a PATCH', async () => {
    expect(policy.require_dpop).toBe(true);
    const plain = await exchange();
    expectOAuthError(plain, 400, 'invalid_dpop_proof');

    const key = await dpopKey();
    const bound = await exchange({ dpop: await dpopProof(key, { htu: `${server.url}/token` }) });
    expect(bound.status).toBe(200);
    expect(bound.body.token_type).toBe('DPoP');

    const patched = await server.request('PATCH', `/api/v1/admin/trust-policies/${policy.id}`, {
      token: server.adminToken,
      body: { require_dpop: false },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.require_dpop).toBe(false);
    expect((await exchange()).status).toBe(200);
  });
});
