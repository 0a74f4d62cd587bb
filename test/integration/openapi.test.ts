/**
 * `GET /api/v1/openapi.json` (issue 15): OpenAPI 3.1, public, generated from the routes' zod
 * schemas. It names every operation the router has (and no other), and every response of a
 * walk through every operation, successes and failures alike, validates against it with a
 * JSON Schema 2020-12 validator.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OPERATIONS } from '../../src/api/openapi/operations.js';
import { apiRouters } from '../../src/api/router.js';
import { loadConfig } from '../../src/config.js';
import {
  type OpenApiValidator,
  openApiValidator,
  withOpenApiValidation,
} from '../helpers/openapi-validator.js';
import { startTestServer, type TestServer, uniqueName } from '../helpers/server.js';

let server: TestServer;
let document: any;
let validator: OpenApiValidator;
const violations: string[] = [];
beforeAll(async () => {
  server = await startTestServer({ configFile: { webhooks: { pollIntervalMs: 3_600_000 } } });
  const answer = await server.request('GET', '/api/v1/openapi.json');
  document = answer.body;
  validator = openApiValidator(document);
  withOpenApiValidation(server, validator, violations);
});
afterAll(async () => {
  await server?.stop();
});

describe('the document', () => {
  it('is served without credentials, as OpenAPI 3.1 naming the issuer', async () => {
    const answer = await server.request('GET', '/api/v1/openapi.json');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toContain('application/json');
    expect(answer.body.openapi).toBe('3.1.0');
    expect(answer.body.servers).toEqual([{ url: `${server.url}/api/v1` }]);
  });

  it('describes exactly the operations the router serves', () => {
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
    const described = new Set(OPERATIONS.map((op) => `${op.method.toUpperCase()} ${op.path}`));
    expect([...served].sort()).toEqual([...described].sort());
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
    const { user, token, pat } = await server.createUserWithToken(uniqueName('described'), [
      'tessera:tokens',
    ]);
    const own = { token };
    const call = (method: string, path: string, options = {}) => server.request(method, path, options);

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
    await call('DELETE', `/api/v1/tokens/${id}`, own);
    await call('POST', `/api/v1/tokens/${id}/restore`, own);
    await call('POST', `/api/v1/tokens/${id}/revoke`, own);
    await call('POST', `/api/v1/tokens/${id}/restore`, own);
    const rotated = await call('POST', `/api/v1/tokens/${id}/rotate`, own);
    await call('POST', `/api/v1/tokens/${id}/rotate`, own);
    await call('POST', `/api/v1/tokens/${id}/restore`, own);
    await call('DELETE', `/api/v1/tokens/${id}`, own);
    await call('DELETE', `/api/v1/tokens/${rotated.body.id}`, own);

    // Users (admin) and the scope check.
    await call('GET', '/api/v1/users', own);
    const made = await call('POST', '/api/v1/users', { ...admin, body: { username: uniqueName('walked') } });
    await call('POST', '/api/v1/users', { ...admin, body: { username: made.body.username } });
    await call('GET', '/api/v1/users?limit=1', admin);
    await call('GET', `/api/v1/users/${made.body.id}`, admin);
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
    await call('GET', `/api/v1/admin/tokens/${pat.id}/events`, admin);
    await call('GET', '/api/v1/admin/tokens/not-a-uuid/events', admin);
    await call('GET', '/api/v1/admin/stats', admin);

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
    // Every operation's success answer was among those checked.
    const successes = OPERATIONS.map((op) => `${op.method.toUpperCase()} ${op.path} ${op.success.status}`);
    expect(successes.filter((s) => !validator.seen.has(s))).toEqual([]);
    // And a spread of failures, so the problem descriptions were exercised too.
    for (const status of [400, 401, 403, 404, 409, 413, 415]) {
      expect([...validator.seen].some((s) => s.endsWith(` ${status}`))).toBe(true);
    }
  });
});
