/**
 * docs/design.md: "/api/v1 paths are matched case-sensitively and exactly: `/API/v1/...` is 404,
 * never a way around authentication". Every route is tried in other spellings, with and
 * without credentials: each answer is a 404 problem+json, never a 2xx and never a 5xx.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Router } from '@koa/router';
import { apiRouters } from '../../../src/api/router.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { createServices } from '../../../src/services.js';
import { type ApiResponse, startTestServer, type TestServer } from '../../helpers/server.js';

const ID = '00000000-0000-4000-8000-000000000000';
const ROUTES: [string, string][] = [
  ['GET', '/api/v1/scopes'],
  ['GET', '/api/v1/me'],
  ['POST', '/api/v1/tokens'],
  ['GET', '/api/v1/tokens'],
  ['GET', `/api/v1/tokens/${ID}`],
  ['PATCH', `/api/v1/tokens/${ID}`],
  ['POST', `/api/v1/tokens/${ID}/rotate`],
  ['POST', `/api/v1/tokens/${ID}/revoke`],
  ['POST', `/api/v1/tokens/${ID}/restore`],
  ['DELETE', `/api/v1/tokens/${ID}`],
  ['GET', `/api/v1/tokens/${ID}/events`],
  ['POST', '/api/v1/users'],
  ['GET', '/api/v1/users'],
  ['GET', `/api/v1/users/${ID}`],
  ['PATCH', `/api/v1/users/${ID}`],
  ['POST', `/api/v1/users/${ID}/disable`],
  ['POST', `/api/v1/users/${ID}/enable`],
  ['DELETE', `/api/v1/users/${ID}`],
  ['POST', `/api/v1/users/${ID}/tokens`],
  ['GET', '/api/v1/admin/tokens'],
  ['POST', `/api/v1/admin/tokens/${ID}/revoke`],
  ['POST', `/api/v1/admin/tokens/${ID}/restore`],
  ['GET', `/api/v1/admin/tokens/${ID}/events`],
  ['GET', '/api/v1/admin/stats'],
  ['GET', '/api/v1/admin/federation/refusals'],
  ['GET', '/api/v1/admin/trust-policies'],
  ['POST', '/api/v1/admin/trust-policies'],
  ['GET', `/api/v1/admin/trust-policies/${ID}`],
  ['PATCH', `/api/v1/admin/trust-policies/${ID}`],
  ['DELETE', `/api/v1/admin/trust-policies/${ID}`],
  ['GET', `/api/v1/admin/trust-policies/${ID}/events`],
  ['GET', '/api/v1/admin/webhooks'],
  ['POST', '/api/v1/admin/webhooks'],
  ['GET', `/api/v1/admin/webhooks/${ID}`],
  ['PATCH', `/api/v1/admin/webhooks/${ID}`],
  ['DELETE', `/api/v1/admin/webhooks/${ID}`],
  ['GET', `/api/v1/admin/webhooks/${ID}/deliveries`],
  ['POST', '/api/v1/credentials/revoke'],
  ['GET', '/api/v1/openapi.json'],
];

/** `METHOD /api/v1/...` of every route of `routers`, with `ID` for each parameter. */
function routesOf(routers: Router[]): string[] {
  return routers
    .flatMap((router) => router.stack)
    .flatMap((layer) =>
      layer.methods
        .filter((method: string) => method !== 'HEAD')
        .map((method: string) => `${method} ${String(layer.path).replace(/:\w+/g, ID)}`),
    )
    .sort();
}

const routers = apiRouters({ config: loadConfig({}) } as never);
/** Routes that answer without credentials (a leak report, the OpenAPI document). */
const OPEN = new Set(routesOf(routers.open));

/** Other spellings of a path: upper case, mixed case per segment, a trailing slash, doubled slashes. */
function spellings(path: string): string[] {
  const segments = path.split('/');
  const mixed = segments.map((s, i) => (i === 2 || i === 3 ? s[0]?.toUpperCase() + s.slice(1) : s)).join('/');
  return [
    path.replace('/api/', '/API/'),
    path.replace('/api/v1/', '/api/V1/'),
    path.replace('/api/v1/', '/Api/v1/'),
    mixed,
    path.toUpperCase(),
    `${path}/`,
    path.replace('/api/v1/', '/api/v1//'),
  ].filter((spelling) => spelling !== path);
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

function expectNotFound(answer: ApiResponse, what: string) {
  expect({ what, status: answer.status }).toEqual({ what, status: 404 });
  expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(answer.body.code).toBe('not_found');
}

describe('routes under /api/v1 match exactly', () => {
  it('the list names every route the router serves, and no other', () => {
    const listed = ROUTES.map(([method, path]) => `${method} ${path}`).sort();
    expect(listed).toEqual(routesOf([...routers.open, ...routers.authenticated]));
  });

  for (const [method, path] of ROUTES) {
    it(`${method} ${path} in any other spelling is 404, with or without credentials`, async () => {
      const from = server.logs.length;
      for (const spelling of spellings(path)) {
        for (const token of [undefined, server.adminToken]) {
          const answer = await server.request(method, spelling, {
            token,
            verbatimPath: true,
            ...(method === 'POST' || method === 'PATCH' ? { body: {} } : {}),
          });
          expectNotFound(answer, `${method} ${spelling} ${token ? 'as admin' : 'anonymous'}`);
        }
      }
      expect(server.logs.slice(from).filter((line) => /"level":(50|60)\b/.test(line))).toEqual([]);
    });
  }

  it('the list above names every route the API routers hold', () => {
    const services = createServices({
      db: server.database.db,
      clock: () => new Date(),
      config: loadConfig({
        TESSERA_DATA_DIR: server.dataDir,
        TESSERA_CONFIG: `${server.dataDir}/tessera.config.json`,
      }),
      logger: createLogger('silent'),
    });
    const { open, authenticated } = apiRouters(services);
    const registered = [...authenticated, ...open].flatMap((router) =>
      router.stack.flatMap((layer) =>
        layer.methods
          .filter((m) => m !== 'HEAD')
          .map((m) => `${m} ${String(layer.path).replace(/:id/g, ID)}`),
      ),
    );
    expect([...new Set(registered)].sort()).toEqual(ROUTES.map(([m, p]) => `${m} ${p}`).sort());
  });

  it('the exact spelling still authenticates: 401 without credentials', async () => {
    for (const [method, path] of ROUTES.filter(([m, p]) => !OPEN.has(`${m} ${p}`))) {
      const answer = await server.request(
        method,
        path,
        method === 'GET' || method === 'DELETE' ? {} : { body: {} },
      );
      expect({ route: `${method} ${path}`, status: answer.status }).toEqual({
        route: `${method} ${path}`,
        status: 401,
      });
    }
  });

  it('the exact spelling of an open route answers without credentials', async () => {
    expect(OPEN.size).toBeGreaterThan(0);
    for (const route of OPEN) {
      const [method, path] = route.split(' ') as [string, string];
      const answer = await server.request(method, path, method === 'GET' ? {} : { body: {} });
      const refused = answer.status === 401 || answer.status === 404;
      expect({ route, status: answer.status, refused }).toMatchObject({ route, refused: false });
    }
  });
});
