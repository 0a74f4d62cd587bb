/**
 * Federated refusals for admins (DESIGN.md, "Federated refusals for admins"): every refused
 * exchange of an issuer that has policies is in `GET /api/v1/admin/federation/refusals` with its
 * exact reason code, and a token no policy accepted names the closest policy and the claim that
 * differed. The client still gets the one fixed description. `/token` is unauthenticated, so the
 * trail aggregates: a flood of refusals writes a bounded number of rows.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { INVALID_SUBJECT_TOKEN } from '../../../src/exchange/constants.js';
import { runTessera } from '../../helpers/cli.js';
import { createPolicy, federatedExchange } from '../../helpers/federation.js';
import { startTestIssuer, type TestIssuer } from '../../helpers/oidc-issuer.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const API = 'https://api.example.com';
const AUD = 'https://tessera.test';
const fixed = { error: 'invalid_request', error_description: INVALID_SUBJECT_TOKEN };
let server: TestServer;
let github: TestIssuer;
let gitlab: TestIssuer;
let rogue: TestIssuer;
let deploy: { id: string; name: string };
let user: { id: string };

beforeAll(async () => {
  [github, gitlab, rogue] = await Promise.all([startTestIssuer(), startTestIssuer(), startTestIssuer()]);
  server = await startTestServer({
    configFile: { resources: [{ audience: API, scopes: ['repo:read'], tokenTtlSeconds: 600 }] },
  });
  user = (await server.createUserWithToken(uniqueName('ci'), ['tessera:tokens', 'repo:read'])).user;
  const common = { audience: AUD, user_id: user.id, audiences: [API], scopes: ['repo:read'] };
  deploy = await createPolicy(server, {
    ...common,
    issuer: github.url,
    name: uniqueName('deploy-main'),
    subject: 'repo:acme/api:ref:refs/heads/main',
    claims: { repository_id: '123456' },
  });
  await createPolicy(server, {
    ...common,
    issuer: github.url,
    name: uniqueName('tools'),
    subject: 'repo:acme/tools:*',
    claims: { repository_id: '777', job_workflow_ref: 'acme/tools/*' },
  });
  await createPolicy(server, {
    ...common,
    issuer: gitlab.url,
    name: uniqueName('gitlab'),
    claims: { project_id: '1' },
  });
});
afterAll(async () => {
  await server.stop();
  await Promise.all([github.stop(), gitlab.stop(), rogue.stop()]);
});

const refusals = async (query = '', token = server.adminToken) =>
  server.request('GET', `/api/v1/admin/federation/refusals${query}`, { token });

async function refusalFor(jti: string) {
  const page = await refusals(`?issuer=${encodeURIComponent(github.url)}&limit=100`);
  expect(page.status).toBe(200);
  return page.body.items.find((item: { jti: string }) => item.jti === jti);
}

describe('the three CI refusals that showed nowhere', () => {
  it('wrong repository_id: no_policy_matched, closest deploy-main, repository_id expected 123456 got 999', async () => {
    const claims = github.githubClaims({ aud: AUD, repository_id: '999' });
    const { response } = await federatedExchange(server, await github.mint(claims), { audience: API });
    expect(response.body).toEqual(fixed);
    expect(await refusalFor(claims.jti as string)).toMatchObject({
      reason: 'no_policy_matched',
      iss: github.url,
      sub: claims.sub,
      aud: AUD,
      jti: claims.jti,
      count: 1,
      closest_policy: {
        id: deploy.id,
        name: deploy.name,
        claim: 'repository_id',
        expected: '123456',
        got: '999',
      },
    });
  });

  it('a feature branch: the closest policy differs in sub', async () => {
    const sub = 'repo:acme/api:ref:refs/heads/feature-x';
    const claims = github.githubClaims({
      aud: AUD,
      sub,
      ref: 'refs/heads/feature-x',
      repository_id: '123456',
    });
    const { response } = await federatedExchange(server, await github.mint(claims), { audience: API });
    expect(response.body).toEqual(fixed);
    expect(await refusalFor(claims.jti as string)).toMatchObject({
      reason: 'no_policy_matched',
      closest_policy: {
        id: deploy.id,
        claim: 'sub',
        expected: 'repo:acme/api:ref:refs/heads/main',
        got: sub,
      },
    });
  });

  it('a wrong aud: audience_mismatch, with the audience the closest policy expected', async () => {
    const claims = github.githubClaims({ aud: 'https://elsewhere.example', repository_id: '123456' });
    const { response } = await federatedExchange(server, await github.mint(claims), { audience: API });
    expect(response.body).toEqual(fixed);
    expect(await refusalFor(claims.jti as string)).toMatchObject({
      reason: 'audience_mismatch',
      aud: 'https://elsewhere.example',
      closest_policy: { id: deploy.id, claim: 'aud', expected: AUD, got: 'https://elsewhere.example' },
    });
  });
});

describe('each cause has its exact code', () => {
  const now = () => Math.floor(server.now().getTime() / 1000);
  const cases: [string, () => Promise<{ token: string; jti: string }>][] = [
    ['expired', async () => mintGithub({}, { iat: now() - 400 })],
    ['issued_in_future', async () => mintGithub({}, { iat: now() + 120 })],
    ['too_old', async () => mintGithub({}, { iat: now() - 3700, lifetime: 7200 })],
    [
      'bad_signature',
      async () => {
        const { token, jti } = await mintGithub({});
        const [h, p] = token.split('.');
        return { token: `${h}.${p}.${Buffer.from('not the signature').toString('base64url')}`, jti };
      },
    ],
    [
      'unknown_kid',
      async () => {
        const { token, jti } = await mintGithub({});
        const [, p, sig] = token.split('.');
        const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'no-such-kid', typ: 'JWT' }));
        return { token: `${header.toString('base64url')}.${p}.${sig}`, jti };
      },
    ],
  ];
  async function mintGithub(overrides: Record<string, unknown>, options = {}) {
    const claims = github.githubClaims({ aud: AUD, repository_id: '123456', ...overrides });
    return { token: await github.mint(claims, options), jti: claims.jti as string };
  }
  it.each(cases)('%s', async (code, make) => {
    const { token, jti } = await make();
    const { response } = await federatedExchange(server, token, { audience: API });
    expect(response.body).toEqual(fixed);
    expect(await refusalFor(jti)).toMatchObject({ reason: code, iss: github.url, jti });
  });

  it('the refused token itself is never stored, nor any claim the admin view does not show', async () => {
    const claims = github.githubClaims({ aud: AUD, repository_id: 'x', secret_ish: 'do-not-keep-me' });
    const token = await github.mint(claims);
    await federatedExchange(server, token, { audience: API });
    const { rows } = await server.database.db.query('SELECT * FROM federation_refusals');
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(token.split('.')[2]);
    expect(stored).not.toContain('do-not-keep-me');
  });
});

describe('abuse: /token is unauthenticated, the trail is bounded', () => {
  it('a flood of distinct refused tokens of one issuer and cause is one row with a count', async () => {
    const tally = async () =>
      (
        await server.database.db.query<{ n: number; total: number }>(
          'SELECT count(*)::int AS n, coalesce(sum(count), 0)::int AS total FROM federation_refusals',
        )
      ).rows[0] as { n: number; total: number };
    const before = await tally();
    const flood = 40;
    for (let i = 0; i < flood; i++) {
      const claims = github.githubClaims({
        aud: AUD,
        sub: `repo:evil/x${i}:ref:refs/heads/main`,
        repository_id: '123456',
      });
      await federatedExchange(server, await github.mint(claims), { audience: API });
    }
    const after = await tally();
    // One bucket per minute (two if a minute turned during the flood), and every refusal counted.
    expect(after.n - before.n).toBeLessThanOrEqual(2);
    expect(after.total - before.total).toBe(flood);
    const items = (await refusals(`?issuer=${encodeURIComponent(github.url)}&limit=100`)).body.items;
    const sample = items.find(
      (item: { sub: string }) => item.sub === `repo:evil/x${flood - 1}:ref:refs/heads/main`,
    );
    expect(sample).toMatchObject({ reason: 'no_policy_matched', closest_policy: { claim: 'sub' } });
  });

  it('tokens of issuers no policy names write no refusal row, whatever issuer they claim', async () => {
    const before = await server.database.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM federation_refusals',
    );
    for (let i = 0; i < 10; i++) {
      await federatedExchange(
        server,
        await rogue.mint(rogue.githubClaims({ aud: AUD, iss: `https://x${i}.example` })),
      );
    }
    await federatedExchange(server, await rogue.mint(rogue.githubClaims({ aud: AUD })));
    const after = await server.database.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM federation_refusals',
    );
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
  });
});

describe('the API', () => {
  it('filters by issuer and since, and pages with a cursor', async () => {
    const claims = gitlab.gitlabClaims({ aud: AUD, project_id: '2' });
    await federatedExchange(server, await gitlab.mint(claims), { audience: API });
    const only = await refusals(`?issuer=${encodeURIComponent(gitlab.url)}`);
    expect(only.body.items).toHaveLength(1);
    expect(only.body.items[0]).toMatchObject({
      iss: gitlab.url,
      closest_policy: { claim: 'project_id', got: '2' },
    });

    const future = new Date(server.now().getTime() + 3_600_000).toISOString();
    expect((await refusals(`?since=${encodeURIComponent(future)}`)).body.items).toEqual([]);

    const first = await refusals('?limit=2');
    expect(first.body.items).toHaveLength(2);
    const second = await refusals(`?limit=2&cursor=${first.body.next_cursor}`);
    expect(second.status).toBe(200);
    const ids = [...first.body.items, ...second.body.items].map((item: { id: string }) => item.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('is for admins only, and refuses a made-up cursor or a bad since with 400', async () => {
    const { token } = await server.createUserWithToken(uniqueName('dev'), ['tessera:tokens']);
    expect((await refusals('', token)).status).toBe(403);
    expect((await refusals('', 'tsr_nope')).status).toBe(401);
    const badCursor = await refusals('?cursor=abc');
    expect(badCursor.status).toBe(400);
    expect(badCursor.headers.get('content-type')).toMatch(/problem\+json/);
    expect((await refusals('?since=yesterday')).status).toBe(400);
  });
});

describe('tessera trust refusals', () => {
  it('prints the reason and the differing claim, filters by issuer, and --json is the API page', async () => {
    const env = { TESSERA_URL: server.url, TESSERA_TOKEN: server.adminToken };
    const claims = github.githubClaims({ aud: AUD, repository_id: '4242' });
    await federatedExchange(server, await github.mint(claims), { audience: API });
    const run = await runTessera(['trust', 'refusals', '--issuer', github.url], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('no_policy_matched');
    expect(run.stdout).toContain('repository_id');
    expect(run.stdout).not.toContain(gitlab.url);
    const json = await runTessera(
      ['trust', 'refusals', '--issuer', github.url, '--json', '--limit', '1'],
      env,
    );
    expect(json.json().items).toHaveLength(1);
    expect(json.json().next_cursor).toEqual(expect.any(String));
    // Identical refusals in one minute share a row (ordered by when the row began), so look for it.
    const all = await runTessera(['trust', 'refusals', '--issuer', github.url, '--json'], env);
    const closest = all.json().items.map((item: { closest_policy: unknown }) => item.closest_policy);
    expect(closest).toContainEqual(expect.objectContaining({ claim: 'repository_id', got: '4242' }));
  });

  it('tessera user create/update --email sets and clears the address', async () => {
    const env = { TESSERA_URL: server.url, TESSERA_TOKEN: server.adminToken };
    const name = uniqueName('mailed');
    const created = await runTessera(['user', 'create', name, '--email', 'ops@example.test', '--json'], env);
    expect(created.json().email).toBe('ops@example.test');
    const cleared = await runTessera(['user', 'update', name, '--email', '', '--json'], env);
    expect(cleared.json().email).toBeNull();
  });
});
