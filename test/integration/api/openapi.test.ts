/**
 * `GET /api/v1/openapi.json` (issue 15): OpenAPI 3.1, public, generated from the routes' zod
 * schemas. It names every operation the router has (and no other), and every response of a
 * walk through every operation, successes and failures alike, validates against it with a
 * JSON Schema 2020-12 validator.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PROBLEM_STATUS } from '../../../src/api/openapi/problems.js';
import { apiRouters } from '../../../src/api/router.js';
import { loadConfig } from '../../../src/config.js';
import { OFF_API_CODES } from '../../../src/errors.js';
import { startTestIssuer, type TestIssuer } from '../../helpers/oidc-issuer.js';
import {
  type OpenApiValidator,
  openApiValidator,
  withOpenApiValidation,
} from '../../helpers/openapi-validator.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

let server: TestServer;
let issuer: TestIssuer;
let document: any;
let validator: OpenApiValidator;
const violations: string[] = [];
beforeAll(async () => {
  issuer = await startTestIssuer();
  server = await startTestServer({ configFile: { webhooks: { pollIntervalMs: 3_600_000 } } });
  const answer = await server.request('GET', '/api/v1/openapi.json');
  document = answer.body;
  validator = openApiValidator(document);
  withOpenApiValidation(server, validator, violations);
});
afterAll(async () => {
  await server?.stop();
  await issuer?.stop();
});

describe('the document', () => {
  it('is served without credentials, as OpenAPI 3.1 naming the issuer', async () => {
    const answer = await server.request('GET', '/api/v1/openapi.json');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toContain('application/json');
    expect(answer.body.openapi).toBe('3.1.0');
    expect(answer.body.servers).toEqual([{ url: `${server.url}/api/v1` }]);
  });

  it('documents every route the router serves, and routes every operation it documents', () => {
    const routers = apiRouters({ config: loadConfig({}) } as never);
    const served = new Set<string>();
    for (const layer of [...routers.open, ...routers.authenticated].flatMap((router) => router.stack)) {
      for (const method of layer.methods.filter((m: string) => m !== 'HEAD')) {
        served.add(
          `${method} ${String(layer.path)
            .replace('/api/v1', '')
            .replace(/:(\w+)/g, '{$1}')}`,
        );
      }
    }
    // Both come from the operation declarations (api/operation.ts); this holds any route
    // registered beside them, and the document as served, to the same list.
    const described = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item as object).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect([...served].sort()).toEqual([...new Set(described)].sort());
  });

  it('catches a response its description does not allow', () => {
    const headers = new Headers({ 'content-type': 'application/json' });
    const pat = { status: 200, headers, text: '{}', body: { id: 'x' } };
    expect(validator.check('GET', '/api/v1/tokens/00000000-0000-4000-8000-000000000000', pat)).not.toEqual(
      [],
    );
    const teapot = { status: 418, headers, text: '{}', body: {} };
    expect(validator.check('GET', '/api/v1/me', teapot)[0]).toMatch(/status 418 is not described/);
    const problem = new Headers({ 'content-type': 'application/problem+json' });
    const odd = {
      status: 409,
      headers: problem,
      text: '{}',
      body: { type: 't', title: 't', status: 409, code: 'token_active' },
    };
    expect(validator.check('POST', '/api/v1/users', odd)).not.toEqual([]);
  });
});

describe('every operation answers as described', () => {
  it('walks every route through success and failure', async () => {
    const admin = { token: server.adminToken };
    // Entitled to more than its PAT holds, so the scope ceiling has something to refuse.
    const { user, token, pat } = await server.createUserWithToken(
      uniqueName('described'),
      ['tessera:tokens', 'repo:read'],
      ['tessera:tokens'],
    );
    const own = { token };
    const answered = new Set<string>();
    const call = async (method: string, path: string, options = {}) => {
      const response = await server.request(method, path, options);
      if (typeof response.body?.code === 'string') answered.add(response.body.code);
      return response;
    };

    // Open routes and the router's own answers.
    await call('POST', '/api/v1/credentials/revoke', { body: { tokens: ['tsr_nope'] } });
    await call('POST', '/api/v1/credentials/revoke', { body: { tokens: 'x' } });
    await call('GET', '/api/v1/nowhere', admin);
    await call('PUT', '/api/v1/tokens', own);
    await call('GET', '/api/v1/me');
    await call('GET', '/api/v1/me', { token: 'tsr_bad' });
    await call('GET', '/api/v1/scopes', own);
    await call('GET', '/api/v1/me', own);

    // Tokens.
    const created = await call('POST', '/api/v1/tokens', {
      ...own,
      body: { name: 'walk', scopes: ['tessera:tokens'] },
    });
    const id = created.body.id as string;
    await call('POST', '/api/v1/tokens', { ...own, body: { name: 'x', scopes: ['tessera:admin'] } });
    await call('POST', '/api/v1/tokens', { ...own, body: { name: 'x', scopes: ['repo:read'] } });
    const fenced = await call('POST', '/api/v1/tokens', {
      ...own,
      body: { name: 'fenced', scopes: ['tessera:tokens'], allowed_cidrs: ['127.0.0.1'] },
    });
    await call('POST', '/api/v1/tokens', {
      token: fenced.body.token,
      body: { name: 'x', scopes: ['tessera:tokens'], allowed_cidrs: ['0.0.0.0/0'] },
    });
    await call('POST', '/api/v1/tokens', {
      ...own,
      body: { name: 'x', scopes: ['tessera:tokens'], extra: 1 },
    });
    await call('POST', '/api/v1/tokens', { ...own, raw: '{"name":', contentType: 'application/json' });
    await call('POST', '/api/v1/tokens', { ...own, raw: 'name=x', contentType: 'text/plain' });
    await call('POST', '/api/v1/tokens', {
      ...own,
      raw: `{"name":"${'x'.repeat(20_000)}"}`,
      contentType: 'application/json',
    });
    await call('GET', '/api/v1/tokens?limit=2', own);
    await call('GET', '/api/v1/tokens?limit=0', own);
    await call('GET', `/api/v1/tokens/${id}`, own);
    await call('GET', '/api/v1/tokens/00000000-0000-4000-8000-000000000000', own);
    await call('GET', `/api/v1/tokens/${id}/events`, own);
    await call('PATCH', `/api/v1/tokens/${id}`, { ...own, body: { may_act: null } });
    await call('PATCH', `/api/v1/tokens/${id}`, { ...own, body: { may_act: [{ user_id: 'x' }] } });
    await call('DELETE', `/api/v1/tokens/${id}`, own);
    await call('POST', `/api/v1/tokens/${id}/restore`, own);
    await call('POST', `/api/v1/tokens/${id}/revoke`, own);
    await call('POST', `/api/v1/tokens/${id}/restore`, own);
    const rotated = await call('POST', `/api/v1/tokens/${id}/rotate`, own);
    await call('POST', `/api/v1/tokens/${id}/rotate`, own);
    await call('POST', `/api/v1/tokens/${id}/restore`, own);
    await call('DELETE', `/api/v1/tokens/${id}`, own);
    await call('DELETE', `/api/v1/tokens/${rotated.body.id}`, own);
    // A PAT worth more than the presenting one: rotating it would mint beyond the credential.
    const wider = await call('POST', `/api/v1/users/${user.id}/tokens`, {
      ...admin,
      body: { name: 'wider', scopes: ['repo:read'] },
    });
    await call('POST', `/api/v1/tokens/${wider.body.id}/rotate`, own);

    // Users (admin) and the scope check.
    await call('GET', '/api/v1/users', own);
    const made = await call('POST', '/api/v1/users', { ...admin, body: { username: uniqueName('walked') } });
    await call('POST', '/api/v1/users', { ...admin, body: { username: made.body.username } });
    await call('GET', '/api/v1/users?limit=1', admin);
    await call('GET', `/api/v1/users/${made.body.id}`, admin);
    await call('PATCH', `/api/v1/users/${made.body.id}`, { ...admin, body: { entitlements: ['repo:read'] } });
    await call('PATCH', `/api/v1/users/${made.body.id}`, { ...admin, body: {} });
    await call('PATCH', `/api/v1/users/${made.body.id}`, { ...admin, body: { username: user.username } });
    await call('PATCH', `/api/v1/users/${made.body.id}`, { ...own, body: { admin: true } });
    await call('PATCH', `/api/v1/users/${server.adminId}`, { ...admin, body: { admin: false } });
    await call('PATCH', '/api/v1/users/00000000-0000-4000-8000-000000000000', {
      ...admin,
      body: { admin: true },
    });
    await call('POST', `/api/v1/users/${made.body.id}/tokens`, {
      ...admin,
      body: { name: 's', scopes: ['tessera:tokens'] },
    });
    await call('POST', `/api/v1/users/${made.body.id}/tokens`, {
      ...admin,
      body: { name: 's', scopes: ['repo:read'] },
    });
    await call('POST', `/api/v1/users/${made.body.id}/disable`, admin);
    await call('POST', `/api/v1/users/${made.body.id}/enable`, admin);
    await call('POST', `/api/v1/users/${server.adminId}/disable`, admin);
    await call('DELETE', `/api/v1/users/${server.adminId}`, admin);
    await call('DELETE', `/api/v1/users/${made.body.id}`, admin);

    // Admin views.
    await call('GET', `/api/v1/admin/tokens?user=${user.id}`, admin);
    await call('GET', '/api/v1/admin/tokens?status=nope', admin);
    await call('POST', `/api/v1/admin/tokens/${pat.id}/revoke`, { ...admin, body: { reason: 'walk' } });
    await call('POST', `/api/v1/admin/tokens/${pat.id}/restore`, { ...admin, body: { extra: 1 } });
    await call('POST', `/api/v1/admin/tokens/${pat.id}/restore`, admin);
    await call('POST', `/api/v1/admin/tokens/${pat.id}/restore`, admin);
    await call('POST', `/api/v1/admin/tokens/${id}/restore`, admin);
    await call('POST', '/api/v1/admin/tokens/00000000-0000-4000-8000-000000000000/restore', admin);
    await call('GET', `/api/v1/admin/tokens/${pat.id}/events`, admin);
    await call('GET', '/api/v1/admin/tokens/not-a-uuid/events', admin);

    // Trust policies, and one federated exchange so that a policy's trail and the stats have one.
    const policies = '/api/v1/admin/trust-policies';
    const policyBody = {
      name: uniqueName('walk-policy'),
      issuer: issuer.url,
      audience: 'https://tessera.test',
      subject: 'repo:acme/api:ref:refs/heads/main',
      claims: { repository_id: '123456' },
      user_id: user.id,
      scopes: ['repo:read'],
    };
    const policy = await call('POST', policies, { ...admin, body: policyBody });
    const other = await call('POST', policies, {
      ...admin,
      body: { ...policyBody, name: uniqueName('walk-policy'), subject: 'repo:acme/other:*' },
    });
    await call('POST', policies, { ...admin, body: policyBody });
    await call('POST', policies, {
      ...admin,
      body: { ...policyBody, name: 'x', issuer: 'http://example.com' },
    });
    await call('POST', policies, { ...own, body: policyBody });
    await call('GET', `${policies}?limit=1`, admin);
    await call('GET', '/api/v1/admin/federation/refusals?limit=5', admin);
    await call('GET', '/api/v1/admin/federation/refusals?cursor=nope', admin);
    await call('GET', `${policies}?limit=0`, admin);
    await call('GET', `${policies}/${policy.body.id}`, admin);
    await call('GET', `${policies}/00000000-0000-4000-8000-000000000000`, admin);
    await call('PATCH', `${policies}/${policy.body.id}`, { ...admin, body: { max_ttl_seconds: 600 } });
    await call('PATCH', `${policies}/${policy.body.id}`, { ...admin, body: { name: other.body.name } });
    await call('PATCH', `${policies}/${policy.body.id}`, { ...admin, body: { scopes: ['tessera:admin'] } });
    const exchanged = await server.tokenRequest({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: await issuer.mint(issuer.githubClaims()),
      subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
    });
    expect(exchanged.status).toBe(200);
    const trail = await call('GET', `${policies}/${policy.body.id}/events?limit=5`, admin);
    expect(trail.body.items.some((event: any) => event.external?.iss === issuer.url)).toBe(true);
    await call('GET', `${policies}/${policy.body.id}/events?cursor=abc`, admin);
    await call('DELETE', `${policies}/${other.body.id}`, admin);
    await call('DELETE', `${policies}/${other.body.id}`, admin);
    // A deleted policy's history stays readable.
    await call('GET', `${policies}/${other.body.id}/events`, admin);
    await call('GET', '/api/v1/admin/stats', admin);

    // Only administrators mint a service account's PATs.
    const service = await server.createUserWithToken(uniqueName('service'), ['tessera:tokens'], undefined, {
      service: true,
    });
    await call('POST', '/api/v1/tokens', {
      token: service.token,
      body: { name: 'x', scopes: ['tessera:tokens'] },
    });
    // Last, as it moves the clock: an expired PAT is not restored.
    const shortLived = await call('POST', '/api/v1/tokens', {
      ...own,
      body: { name: 'short', scopes: ['tessera:tokens'], expires_in_days: 1 },
    });
    await call('POST', `/api/v1/tokens/${shortLived.body.id}/revoke`, own);
    server.advance(2 * 86_400_000);
    await call('POST', `/api/v1/tokens/${shortLived.body.id}/restore`, own);

    // Webhooks.
    const hook = await call('POST', '/api/v1/admin/webhooks', {
      ...admin,
      body: { url: 'https://hooks.example.com/t', events: ['token.revoked'] },
    });
    await call('POST', '/api/v1/admin/webhooks', {
      ...admin,
      body: { url: 'http://example.com', events: [] },
    });
    await call('GET', '/api/v1/admin/webhooks', admin);
    await call('GET', `/api/v1/admin/webhooks/${hook.body.id}`, admin);
    await call('PATCH', `/api/v1/admin/webhooks/${hook.body.id}`, { ...admin, body: { enabled: false } });
    await call('PATCH', `/api/v1/admin/webhooks/${hook.body.id}`, { ...admin, body: { enabled: 'yes' } });
    await call('GET', `/api/v1/admin/webhooks/${hook.body.id}/deliveries`, admin);
    await call('GET', `/api/v1/admin/webhooks/${hook.body.id}/deliveries?cursor=abc`, admin);
    await call('DELETE', `/api/v1/admin/webhooks/${hook.body.id}`, admin);
    await call('DELETE', `/api/v1/admin/webhooks/${hook.body.id}`, admin);

    expect(violations).toEqual([]);
    // Every problem code the document publishes was answered, but those a walk cannot provoke
    // and those only the console or the break-glass command answer.
    const unprovoked = ['internal_error', 'service_unavailable', 'rate_limited', ...OFF_API_CODES];
    const published = Object.keys(PROBLEM_STATUS).filter((code) => !unprovoked.includes(code));
    expect(published.filter((code) => !answered.has(code))).toEqual([]);
    // Every operation's success answer was among those checked.
    const successes = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item as Record<string, { responses: object }>).map(([method, op]) => {
        const status = Object.keys(op.responses).find((code) => code.startsWith('2'));
        return `${method.toUpperCase()} ${path} ${status}`;
      }),
    );
    expect(successes.filter((s) => !validator.seen.has(s))).toEqual([]);
    // And a spread of failures, so the problem descriptions were exercised too.
    for (const status of [400, 401, 403, 404, 409, 413, 415]) {
      expect([...validator.seen].some((s) => s.endsWith(` ${status}`))).toBe(true);
    }
  });
});
