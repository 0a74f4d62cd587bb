/**
 * A trust policy must constrain (issue 18, item 9): a subject or claim pattern of only `*`
 * matches every token of the issuer, and a policy trusting Tessera's own issuer would turn any
 * Tessera JWT into a new one without a PAT. Create and PATCH refuse both with a 400 naming the
 * field, and change nothing; the CLI goes through the same API.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runTessera } from '../../helpers/cli.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const API = 'https://api.example.com';
const PATH = '/api/v1/admin/trust-policies';
let server: TestServer;
let serviceUser: { id: string };

beforeAll(async () => {
  server = await startTestServer({
    configFile: { resources: [{ audience: API, scopes: ['repo:read'], tokenTtlSeconds: 600 }] },
  });
  serviceUser = (await server.createUserWithToken(uniqueName('svc'), ['tessera:tokens', 'repo:read'])).user;
});
afterAll(() => server.stop());

const asAdmin = (method: string, path: string, body?: unknown) =>
  server.request(method, path, { token: server.adminToken, ...(body === undefined ? {} : { body }) });

const policy = (overrides: Record<string, unknown> = {}) => ({
  name: uniqueName('ci'),
  issuer: 'https://token.actions.githubusercontent.com',
  subject: 'repo:acme/api:ref:refs/heads/main',
  user_id: serviceUser.id,
  scopes: ['repo:read'],
  audiences: [API],
  ...overrides,
});

const fieldsOf = (body: { errors?: { field: string }[] }) => (body.errors ?? []).map((e) => e.field);

describe('a policy that constrains nothing is refused', () => {
  it.each([
    ['subject "*"', { subject: '*' }, 'subject'],
    ['subject "**"', { subject: '**' }, 'subject'],
    [
      'a claim pattern "*"',
      { subject: undefined, claims: { repository_id: '*' } },
      'claims.repository_id[0]',
    ],
    ['"*" among a claim\'s values', { claims: { environment: ['prod', '*'] } }, 'claims.environment[1]'],
    ["Tessera's own issuer", () => ({ issuer: server.url }), 'issuer'],
    ["Tessera's own issuer with a slash", () => ({ issuer: `${server.url}/` }), 'issuer'],
  ])('on create: %s', async (_what, overrides, field) => {
    const extra = typeof overrides === 'function' ? overrides() : overrides;
    const response = await asAdmin('POST', PATH, policy(extra));
    expect(response.status).toBe(400);
    expect(fieldsOf(response.body)).toContain(field);
  });

  it('on PATCH, and the stored policy stays as it was', async () => {
    const created = await asAdmin('POST', PATH, policy());
    expect(created.status).toBe(201);
    const at = `${PATH}/${created.body.id}`;
    for (const [change, field] of [
      [{ subject: '*' }, 'subject'],
      [{ subject: null, claims: { repository_owner: ['*'] } }, 'claims.repository_owner[0]'],
      [{ issuer: server.url }, 'issuer'],
    ] as const) {
      const response = await asAdmin('PATCH', at, change);
      expect(response.status).toBe(400);
      expect(fieldsOf(response.body)).toContain(field);
    }
    expect((await asAdmin('GET', at)).body).toEqual(created.body);
  });

  it('a narrower pattern is still accepted', async () => {
    const response = await asAdmin(
      'POST',
      PATH,
      policy({ subject: 'repo:acme/*', claims: { ref: ['refs/*'] } }),
    );
    expect(response.status).toBe(201);
  });

  it('the CLI is refused the same way', async () => {
    const run = await runTessera(
      [
        'trust',
        'create',
        uniqueName('cli'),
        '--issuer',
        server.url,
        '--subject',
        '*',
        '--user',
        serviceUser.id,
        '-s',
        'repo:read',
      ],
      { TESSERA_URL: server.url, TESSERA_TOKEN: server.adminToken },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('400');
  });
});
