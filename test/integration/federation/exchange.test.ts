/**
 * Federated subject tokens end to end (docs/design.md, "Federated subject tokens"): a real OIDC
 * issuer on loopback mints GitHub-Actions- and GitLab-shaped tokens; Tessera verifies them
 * against the issuer's JWKS, matches exactly one trust policy and issues its own JWT, checked
 * here with jose against Tessera's served JWKS. Each refusal answers the PAT path's one fixed
 * `invalid_request` and leaves its own reason in the audit row.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { INVALID_SUBJECT_TOKEN } from '../../../src/exchange/constants.js';
import { createPolicy, federatedExchange, JWT_TOKEN_TYPE } from '../../helpers/federation.js';
import { startTestIssuer, type TestIssuer } from '../../helpers/oidc-issuer.js';
import { expectOAuthError } from '../../helpers/problems.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const API = 'https://api.example.com';
const AUD = 'https://tessera.test';
let server: TestServer;
let github: TestIssuer;
let gitlab: TestIssuer;
let rogue: TestIssuer;
let cluster: TestIssuer;
let user: { id: string };
let mainPolicy: { id: string; name: string };

beforeAll(async () => {
  [github, gitlab, rogue, cluster] = await Promise.all([
    startTestIssuer(),
    startTestIssuer({ alg: 'ES256' }),
    startTestIssuer(),
    startTestIssuer({ alg: 'PS256' }),
  ]);
  server = await startTestServer({
    configFile: { resources: [{ audience: API, scopes: ['repo:read', 'repo:write'], tokenTtlSeconds: 600 }] },
  });
  user = (await server.createUserWithToken(uniqueName('ci'), ['tessera:tokens', 'repo:read', 'repo:write']))
    .user;
  const common = {
    issuer: github.url,
    audience: AUD,
    user_id: user.id,
    audiences: [API],
    max_ttl_seconds: 300,
  };
  mainPolicy = await createPolicy(server, {
    ...common,
    name: uniqueName('deploy-main'),
    subject: 'repo:acme/api:ref:refs/heads/main',
    claims: { repository_id: '123456', repository_owner_id: '42' },
    scopes: ['repo:read'],
  });
  await createPolicy(server, {
    ...common,
    name: uniqueName('tools'),
    subject: 'repo:acme/tools:*',
    claims: { repository_owner_id: '42', job_workflow_ref: 'acme/tools/.github/workflows/release.yml@*' },
    scopes: ['repo:read', 'repo:write'],
  });
  await createPolicy(server, {
    ...common,
    issuer: gitlab.url,
    name: uniqueName('gitlab'),
    claims: { project_id: '2001', ref_protected: 'true', environment: ['production', 'staging'] },
    scopes: ['repo:read'],
  });
});
afterAll(async () => {
  await server.stop();
  await Promise.all([github.stop(), gitlab.stop(), rogue.stop(), cluster.stop()]);
});

const TOOLS_SUB = 'repo:acme/tools:ref:refs/heads/main';
const RELEASE = 'acme/tools/.github/workflows/release.yml@refs/heads/main';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A token with these claims and a signature that verifies nowhere. */
const forged = (claims: Record<string, unknown>) => `${b64({ alg: 'RS256' })}.${b64(claims)}.c2lnbmF0dXJl`;
const refusal = { error: 'invalid_request', error_description: INVALID_SUBJECT_TOKEN };

describe('granted exchanges', () => {
  it('a GitHub Actions token becomes a Tessera JWT with trust_policy_id and src, verified against the JWKS', async () => {
    const claims = github.githubClaims({ aud: AUD });
    const idToken = await github.mint(claims);
    const { response, row } = await federatedExchange(server, idToken, { audience: API });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ token_type: 'Bearer', scope: 'repo:read', expires_in: 300 });
    const jwks = createRemoteJWKSet(new URL(`${server.url}/jwks`));
    const { payload, protectedHeader } = await jwtVerify(response.body.access_token, jwks, {
      issuer: server.url,
      audience: API,
      typ: 'at+jwt',
    });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload).toMatchObject({
      sub: user.id,
      scope: 'repo:read',
      client_id: 'tessera-cli',
      trust_policy_id: mainPolicy.id,
      src: { iss: github.url, sub: claims.sub },
    });
    expect(payload.pat_id).toBeUndefined();
    // The external token is a bearer credential too: never in the log.
    expect(server.logs.join('')).not.toContain(idToken.split('.')[2]);
    expect((payload.exp as number) - (payload.iat as number)).toBe(300);

    expect(row).toMatchObject({
      outcome: 'success',
      reason: null,
      federated: true,
      trust_policy_id: mainPolicy.id,
      subject_user_id: user.id,
      external_iss: github.url,
      external_sub: claims.sub,
      external_jti: claims.jti,
      matched_claims: { sub: claims.sub, repository_id: '123456', repository_owner_id: '42' },
      audience: API,
      scope: 'repo:read',
      jti: payload.jti,
      pat_id: null,
    });
  });

  it('a GitLab CI token as subject_token_type jwt, through claims alone', async () => {
    const token = await gitlab.mint(gitlab.gitlabClaims({ aud: AUD }));
    const { response, row } = await federatedExchange(server, token, { audience: API }, JWT_TOKEN_TYPE);
    expect(response.status).toBe(200);
    expect(response.body.issued_token_type).toBe('urn:ietf:params:oauth:token-type:access_token');
    expect(row.matched_claims).toEqual({
      project_id: '2001',
      ref_protected: 'true',
      environment: 'production',
    });
  });

  it('a Kubernetes projected service-account token (aud a list), through its subject', async () => {
    const policy = await createPolicy(server, {
      name: uniqueName('cluster'),
      issuer: cluster.url,
      audience: AUD,
      subject: 'system:serviceaccount:deploy:deployer',
      user_id: user.id,
      scopes: ['repo:read'],
      audiences: [API],
    });
    const token = await cluster.mint(cluster.kubernetesClaims(), { lifetime: 600 });
    const { response, row } = await federatedExchange(server, token, { audience: API }, JWT_TOKEN_TYPE);
    expect(response.status).toBe(200);
    expect(row).toMatchObject({
      trust_policy_id: policy.id,
      external_sub: 'system:serviceaccount:deploy:deployer',
    });
    const other = await cluster.mint(
      cluster.kubernetesClaims({ sub: 'system:serviceaccount:deploy:deployer2' }),
    );
    expect((await federatedExchange(server, other, { audience: API })).response.body).toEqual(refusal);
  });

  it('the tools policy’s patterns accept the tokens they are meant for', async () => {
    const token = await github.mint(
      github.githubClaims({ aud: AUD, sub: TOOLS_SUB, job_workflow_ref: RELEASE }),
    );
    expect((await federatedExchange(server, token, { audience: API })).response.status).toBe(200);
  });

  it('scopes stay within the policy and the resource, and the policy’s audiences bound the target', async () => {
    const token = () => github.mint(github.githubClaims({ aud: AUD }));
    const tooMuch = await federatedExchange(server, await token(), { audience: API, scope: 'repo:write' });
    expectOAuthError(tooMuch.response, 400, 'invalid_scope');
    const elsewhere = await federatedExchange(server, await token(), { audience: `${server.url}/api` });
    expectOAuthError(elsewhere.response, 400, 'invalid_target');
    expect(elsewhere.row.reason).toMatch(/trust policy/);
  });
});

describe('refusals: one fixed answer, one audit reason each', () => {
  const causes: [string, () => Promise<string>, RegExp][] = [
    ['unknown issuer', () => rogue.mint(rogue.githubClaims({ aud: AUD })), /unknown issuer/],
    [
      'wrong aud',
      () => github.mint(github.githubClaims({ aud: 'https://someone-else.example' })),
      /audience/,
    ],
    [
      'expired',
      () => github.mint(github.githubClaims({ aud: AUD }), { iat: Math.floor(Date.now() / 1000) - 400 }),
      /expired/,
    ],
    [
      'iat in the future',
      () => github.mint(github.githubClaims({ aud: AUD }), { iat: Math.floor(Date.now() / 1000) + 120 }),
      /iat in the future/,
    ],
    [
      'too old',
      () =>
        github.mint(github.githubClaims({ aud: AUD }), {
          iat: Math.floor(Date.now() / 1000) - 3700,
          lifetime: 7200,
        }),
      /too old/,
    ],
    [
      'alg none',
      async () => github.unsigned(github.githubClaims({ aud: AUD })),
      /algorithm not allowed: none/,
    ],
    [
      'HS256 keyed with the public key',
      () => github.hmacWithPublicKey(github.githubClaims({ aud: AUD })),
      /algorithm not allowed: HS256/,
    ],
    [
      'a claim that does not match',
      () => github.mint(github.githubClaims({ aud: AUD, repository_id: '999' })),
      /no trust policy matches/,
    ],
    ...(
      [
        [
          'a subject pattern must not over-match a longer name',
          'repo:acme/tools-evil:ref:refs/heads/main',
          RELEASE,
        ],
        [
          'a . in a pattern is not a wildcard',
          TOOLS_SUB,
          'acme/tools/Xgithub/workflows/releaseXyml@refs/heads/main',
        ],
        ['a pattern is anchored at the start', TOOLS_SUB, `fork/${RELEASE}`],
        ['a pattern is anchored at the end', `${TOOLS_SUB}`.replace('repo:', 'xrepo:'), RELEASE],
      ] as const
    ).map(
      ([cause, sub, workflow]) =>
        [
          cause,
          () => github.mint(github.githubClaims({ aud: AUD, sub, job_workflow_ref: workflow })),
          /no trust policy matches/,
        ] as [string, () => Promise<string>, RegExp],
    ),
    [
      'a signature by another key',
      async () => {
        const claims = github.githubClaims({ aud: AUD });
        const forged = await rogue.mint({ ...claims, iss: github.url });
        return forged;
      },
      /no key of the issuer|signature/,
    ],
    ['garbage', async () => 'not-a-jwt', /malformed/],
    [
      'an iss with NUL (never reaches the database)',
      async () => forged({ iss: `${github.url}\u0000` }),
      /malformed/,
    ],
    ['a jti with a lone surrogate', async () => forged({ iss: github.url, jti: '\ud800' }), /malformed/],
    ['an iss that is not a string', async () => forged({ iss: 42 }), /unknown issuer/],
    [
      'an enormous alg',
      async () => `${b64({ alg: 'X'.repeat(5000) })}.${b64({ iss: github.url })}.c2ln`,
      /algorithm not allowed: X{32}$/,
    ],
  ];

  it.each(causes)('%s', async (_cause, token, reason) => {
    const { response, row } = await federatedExchange(server, await token(), { audience: API });
    expect(response.status).toBe(400);
    expect(response.body).toEqual(refusal);
    expect(row).toMatchObject({ outcome: 'failure', federated: true, jti: null });
    expect(row.reason).toMatch(reason);
    expect(response.text).not.toContain(row.reason as string);
  });

  it('the causes leave distinct reasons', async () => {
    const { rows } = await server.database.db.query<{ reason: string }>(
      `SELECT DISTINCT reason FROM audit_events WHERE federated AND outcome = 'failure' AND reason NOT LIKE '%scope%'`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(10);
  });

  it('an issuer no policy names is never contacted', async () => {
    expect(rogue.hits.size).toBe(0);
  });

  it('the clock decides: a token that was fine expires when Tessera’s clock moves past exp', async () => {
    const token = await github.mint(github.githubClaims({ aud: AUD }), { lifetime: 120 });
    server.advance(121_000);
    try {
      const { response, row } = await federatedExchange(server, token, { audience: API });
      expect(response.body).toEqual(refusal);
      expect(row.reason).toMatch(/expired/);
    } finally {
      server.advance(-121_000);
    }
    expect((await federatedExchange(server, token, { audience: API })).response.status).toBe(200);
  });
});

describe('choosing the policy', () => {
  it('two matching policies need trust_policy; the named one is used', async () => {
    const base = {
      issuer: github.url,
      audience: AUD,
      user_id: user.id,
      audiences: [API],
      scopes: ['repo:read'],
    };
    const exact = await createPolicy(server, {
      ...base,
      name: uniqueName('multi-exact'),
      subject: 'repo:acme/multi:ref:refs/heads/main',
    });
    const wide = await createPolicy(server, {
      ...base,
      name: uniqueName('multi-wide'),
      subject: 'repo:acme/multi:*',
      max_ttl_seconds: 120,
    });
    const token = () =>
      github.mint(github.githubClaims({ aud: AUD, sub: 'repo:acme/multi:ref:refs/heads/main' }));
    const ambiguous = await federatedExchange(server, await token(), { audience: API });
    expect(ambiguous.response.body).toEqual(refusal);
    expect(ambiguous.row.reason).toMatch(/several trust policies match/);
    const named = await federatedExchange(server, await token(), { audience: API, trust_policy: wide.name });
    expect(named.response.status).toBe(200);
    expect(named.response.body.expires_in).toBe(120);
    expect(named.row.trust_policy_id).toBe(wide.id);
    const wrongName = await federatedExchange(server, await token(), {
      audience: API,
      trust_policy: mainPolicy.name,
    });
    expect(wrongName.response.body).toEqual(refusal);
    expect(wrongName.row.reason).toMatch(/named trust_policy does not match/);
    expect(exact.id).not.toBe(wide.id);
  });

  it('trust_policy with a PAT subject is a malformed request', async () => {
    const response = await server.exchange(server.adminToken, { trust_policy: mainPolicy.name });
    expectOAuthError(response, 400, 'invalid_request');
  });

  it('single_use: a jti is accepted once, on any instance (the database decides)', async () => {
    const policy = await createPolicy(server, {
      issuer: github.url,
      audience: AUD,
      user_id: user.id,
      audiences: [API],
      scopes: ['repo:read'],
      name: uniqueName('once'),
      subject: 'repo:acme/once:*',
      single_use: true,
    });
    const claims = github.githubClaims({ aud: AUD, sub: 'repo:acme/once:ref:refs/heads/main' });
    const token = await github.mint(claims);
    // A refused target does not use the token up.
    expect(
      (await federatedExchange(server, token, { audience: 'https://unknown.example' })).response.status,
    ).toBe(400);
    const first = await federatedExchange(server, token, { audience: API });
    expect(first.response.status).toBe(200);
    const replay = await federatedExchange(server, token, { audience: API });
    expect(replay.response.body).toEqual(refusal);
    expect(replay.row).toMatchObject({ trust_policy_id: policy.id, external_jti: claims.jti });
    expect(replay.row.reason).toMatch(/already used/);
    const fresh = await github.mint({ ...claims, jti: `${claims.jti}-2` });
    expect((await federatedExchange(server, fresh, { audience: API })).response.status).toBe(200);
    const noJti = await github.mint({ ...claims, jti: undefined });
    expect((await federatedExchange(server, noJti, { audience: API })).row.reason).toMatch(/no jti/);
  });

  it('single_use: an exp no database can store (year 10000, beyond any Date) is an invalid token, not a 500', async () => {
    await createPolicy(server, {
      issuer: github.url,
      audience: AUD,
      user_id: user.id,
      audiences: [API],
      scopes: ['repo:read'],
      name: uniqueName('once-far'),
      subject: 'repo:acme/far:*',
      single_use: true,
    });
    const now = Math.floor(Date.now() / 1000);
    for (const exp of [Date.UTC(10000, 0, 1) / 1000, 8.64e12 + 1, 1e300]) {
      const claims = github.githubClaims({ aud: AUD, sub: 'repo:acme/far:ref:refs/heads/main' });
      const token = await github.mint(claims, { iat: now, lifetime: exp - now });
      const { response, row } = await federatedExchange(server, token, { audience: API });
      expect({ exp, status: response.status, body: response.body }).toEqual({
        exp,
        status: 400,
        body: refusal,
      });
      expect(row.reason).toMatch(/claim exp invalid/);
    }
  });

  it('a deleted policy stops the next exchange', async () => {
    const policy = await createPolicy(server, {
      issuer: github.url,
      audience: AUD,
      user_id: user.id,
      audiences: [API],
      scopes: ['repo:read'],
      name: uniqueName('short-lived'),
      subject: 'repo:acme/deleted:*',
    });
    const token = () =>
      github.mint(github.githubClaims({ aud: AUD, sub: 'repo:acme/deleted:ref:refs/heads/main' }));
    expect((await federatedExchange(server, await token(), { audience: API })).response.status).toBe(200);
    const deleted = await server.request('DELETE', `/api/v1/admin/trust-policies/${policy.id}`, {
      token: server.adminToken,
    });
    expect(deleted.status).toBe(204);
    const after = await federatedExchange(server, await token(), { audience: API });
    expect(after.response.body).toEqual(refusal);
    // The policy's trail keeps its exchanges and its deletion.
    const events = await server.request('GET', `/api/v1/admin/trust-policies/${policy.id}/events`, {
      token: server.adminToken,
    });
    expect(events.body.items.map((e: { action: string }) => e.action)).toEqual([
      'trust_policy.deleted',
      'token.exchanged',
      'trust_policy.created',
    ]);
    expect(events.body.items[1]).toMatchObject({
      outcome: 'success',
      external: { iss: github.url, sub: 'repo:acme/deleted:ref:refs/heads/main' },
      matched_claims: { sub: 'repo:acme/deleted:ref:refs/heads/main' },
    });
  });

  it('a policy whose user is disabled accepts nothing; enabled again, it does', async () => {
    const owner = (await server.createUserWithToken(uniqueName('svc'), ['tessera:tokens', 'repo:read'])).user;
    await createPolicy(server, {
      issuer: github.url,
      audience: AUD,
      user_id: owner.id,
      audiences: [API],
      scopes: ['repo:read'],
      name: uniqueName('disabled-user'),
      subject: 'repo:acme/svc:*',
    });
    const token = () =>
      github.mint(github.githubClaims({ aud: AUD, sub: 'repo:acme/svc:ref:refs/heads/main' }));
    const asAdmin = { token: server.adminToken, body: {} };
    expect((await server.request('POST', `/api/v1/users/${owner.id}/disable`, asAdmin)).status).toBe(200);
    const refused = await federatedExchange(server, await token(), { audience: API });
    expect(refused.response.body).toEqual(refusal);
    expect(refused.row.reason).toMatch(/disabled/);
    expect((await server.request('POST', `/api/v1/users/${owner.id}/enable`, asAdmin)).status).toBe(200);
    expect((await federatedExchange(server, await token(), { audience: API })).response.status).toBe(200);
  });

  it('admin stats count federated exchanges', async () => {
    const stats = await server.request('GET', '/api/v1/admin/stats', { token: server.adminToken });
    expect(stats.body.federated_exchanges_24h_granted).toBeGreaterThan(0);
    expect(stats.body.federated_exchanges_24h_denied).toBeGreaterThan(0);
    expect(stats.body.exchanges_24h_granted).toBeGreaterThanOrEqual(
      stats.body.federated_exchanges_24h_granted,
    );
  });
});

describe('property: no token whose claims match no policy yields a JWT', () => {
  it('random subjects and claim values around the policies are all refused', async () => {
    // Every policy of this file's GitHub issuer requires repository_owner_id 42 or a subject under
    // acme/multi, acme/once or acme/deleted (deleted). The generated tokens carry another owner
    // and subjects outside those, so none may match.
    const owner = fc.string({ minLength: 1, maxLength: 6 }).filter((s) => s !== '42');
    const sub = fc
      .tuple(
        fc.constantFrom(
          'repo:acme/api',
          'repo:acme/tools',
          'repo:acme/api-evil',
          'repo:acme/multi-x',
          'repo:acme/onc',
        ),
        fc.string({ maxLength: 12 }),
      )
      .map(([head, tail]) => `${head}${tail}`)
      .filter((s) => !s.startsWith('repo:acme/multi:') && !s.startsWith('repo:acme/once:'));
    await fc.assert(
      fc.asyncProperty(owner, sub, fc.string({ maxLength: 8 }), async (ownerId, subject, repositoryId) => {
        const token = await github.mint(
          github.githubClaims({
            aud: AUD,
            sub: subject,
            repository_owner_id: ownerId,
            repository_id: repositoryId,
          }),
        );
        const { response } = await federatedExchange(server, token, { audience: API });
        expect(response.status).toBe(400);
        expect(response.body.access_token).toBeUndefined();
      }),
      { numRuns: 40 },
    );
  });
});
