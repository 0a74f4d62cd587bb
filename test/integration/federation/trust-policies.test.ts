/**
 * `/api/v1/admin/trust-policies` (docs/design.md, "Federated subject tokens"): admin only, strict
 * bodies, the creation rules (https issuer, a subject or a claim, scopes within the user's
 * entitlements, known audiences), audited changes and the policy's event trail; and the CLI
 * `tessera trust create|list|show|delete` over the same API.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Command } from 'commander';
import { buildCli } from '../../../src/cli/main.js';
import { expectProblem } from '../../helpers/problems.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const API = 'https://api.example.com';
const PATH = '/api/v1/admin/trust-policies';
let server: TestServer;
let serviceUser: { id: string };
let userToken: string;

beforeAll(async () => {
  server = await startTestServer({
    configFile: { resources: [{ audience: API, scopes: ['repo:read', 'repo:write'], tokenTtlSeconds: 600 }] },
  });
  const made = await server.createUserWithToken(uniqueName('deployer'), ['tessera:tokens', 'repo:read']);
  serviceUser = made.user;
  userToken = made.token;
});
afterAll(() => server.stop());

const asAdmin = (method: string, path: string, body?: unknown) =>
  server.request(method, path, { token: server.adminToken, ...(body === undefined ? {} : { body }) });

function validPolicy(overrides: Record<string, unknown> = {}) {
  return {
    name: uniqueName('deploy'),
    issuer: 'https://token.actions.githubusercontent.com',
    subject: 'repo:acme/api:ref:refs/heads/main',
    claims: { repository_id: '123456', environment: ['prod', 'staging'] },
    user_id: serviceUser.id,
    scopes: ['repo:read'],
    audiences: [API],
    ...overrides,
  };
}

describe('abuse: who may manage policies and what a policy may say', () => {
  it('a caller without tessera:admin gets 403, an anonymous one 401', async () => {
    expect((await server.request('POST', PATH, { token: userToken, body: validPolicy() })).status).toBe(403);
    expect((await server.request('GET', PATH, { token: userToken })).status).toBe(403);
    expect((await server.request('GET', PATH)).status).toBe(401);
  });

  it.each([
    ['a plain http issuer off loopback', { issuer: 'http://token.actions.githubusercontent.com' }, 'issuer'],
    ['an issuer that only looks like loopback', { issuer: 'http://127.0.0.1.nip.example' }, 'issuer'],
    ['neither subject nor claims', { subject: undefined, claims: undefined }, 'subject'],
    ['scopes beyond the user’s entitlements', { scopes: ['repo:write'] }, 'scopes[0]'],
    ['an unknown scope', { scopes: ['nope:nope'] }, 'scopes[0]'],
    ['an audience that names no resource', { audiences: ['https://unknown.example.com'] }, 'audiences[0]'],
    ['an unknown user', { user_id: '00000000-0000-4000-8000-000000000000' }, 'user_id'],
    ['a reserved claim', { claims: { aud: 'x' } }, 'claims.aud'],
    ['an unknown field', { admin: true }, 'admin'],
    ['a huge TTL', { max_ttl_seconds: 86401 }, 'max_ttl_seconds'],
  ])('refuses %s with a problem naming the field', async (_what, overrides, field) => {
    const response = await asAdmin('POST', PATH, validPolicy(overrides));
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('a taken name is 409; an unknown or malformed id is 404', async () => {
    const first = await asAdmin('POST', PATH, validPolicy());
    expect(first.status).toBe(201);
    const again = await asAdmin('POST', PATH, validPolicy({ name: first.body.name }));
    expectProblem(again, 409, 'trust_policy_name_taken');
    expect((await asAdmin('GET', `${PATH}/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    expect((await asAdmin('GET', `${PATH}/..%2F`)).status).toBe(404);
    expect((await asAdmin('DELETE', `${PATH}/not-an-id`)).status).toBe(404);
  });

  it('a PATCH must leave a valid policy', async () => {
    const created = await asAdmin('POST', PATH, validPolicy());
    const id = created.body.id;
    const emptied = await asAdmin('PATCH', `${PATH}/${id}`, { subject: null, claims: {} });
    expect(emptied.status).toBe(400);
    expect((await asAdmin('PATCH', `${PATH}/${id}`, { scopes: ['repo:write'] })).status).toBe(400);
    expect((await asAdmin('PATCH', `${PATH}/${id}`, { issuer: 'http://example.com' })).status).toBe(400);
    expect((await asAdmin('PATCH', `${PATH}/${id}`, { unknown: 1 })).status).toBe(400);
    expect((await asAdmin('GET', `${PATH}/${id}`)).body).toEqual(created.body);
  });
});

describe('managing policies', () => {
  it('creates with defaults, shows, lists, patches and deletes, each change audited', async () => {
    const body = validPolicy({ audiences: undefined, single_use: true });
    const created = await asAdmin('POST', PATH, body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: body.name,
      issuer: body.issuer,
      audience: server.url,
      subject: body.subject,
      claims: { repository_id: ['123456'], environment: ['prod', 'staging'] },
      user_id: serviceUser.id,
      scopes: ['repo:read'],
      audiences: [`${server.url}/api`],
      max_ttl_seconds: 900,
      single_use: true,
      created_by: server.adminId,
    });
    const id = created.body.id;
    expect((await asAdmin('GET', `${PATH}/${id}`)).body).toEqual(created.body);
    const listed = await asAdmin('GET', `${PATH}?limit=100`);
    expect(listed.body.items.map((p: { id: string }) => p.id)).toContain(id);

    const patched = await asAdmin('PATCH', `${PATH}/${id}`, {
      max_ttl_seconds: 300,
      subject: 'repo:acme/api:*',
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      max_ttl_seconds: 300,
      subject: 'repo:acme/api:*',
      single_use: true,
    });

    expect((await asAdmin('DELETE', `${PATH}/${id}`)).status).toBe(204);
    expect((await asAdmin('GET', `${PATH}/${id}`)).status).toBe(404);
    expect((await asAdmin('DELETE', `${PATH}/${id}`)).status).toBe(404);

    // The history outlives the policy.
    const events = await asAdmin('GET', `${PATH}/${id}/events`);
    expect(events.status).toBe(200);
    expect(events.body.items.map((e: { action: string }) => e.action)).toEqual([
      'trust_policy.deleted',
      'trust_policy.updated',
      'trust_policy.created',
    ]);
    for (const event of events.body.items) {
      expect(event).toMatchObject({
        outcome: 'success',
        actor: { id: server.adminId },
        user_id: serviceUser.id,
      });
    }
  });

  it('paginates the list with a cursor', async () => {
    for (let i = 0; i < 3; i++) expect((await asAdmin('POST', PATH, validPolicy())).status).toBe(201);
    const first = await asAdmin('GET', `${PATH}?limit=2`);
    expect(first.body.items).toHaveLength(2);
    const second = await asAdmin('GET', `${PATH}?limit=2&cursor=${first.body.next_cursor}`);
    expect(second.status).toBe(200);
    const ids = [...first.body.items, ...second.body.items].map((p: { id: string }) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect((await asAdmin('GET', `${PATH}?cursor=bogus`)).status).toBe(400);
  });
});

/** Commander exits the process on parse errors unless told otherwise, command by command. */
function throwInsteadOfExit(command: Command) {
  command.exitOverride();
  command.configureOutput({ writeOut: () => {}, writeErr: () => {} });
  for (const sub of command.commands) throwInsteadOfExit(sub);
}

async function tessera(args: string[], token = server.adminToken): Promise<string> {
  const printed: string[] = [];
  const program = buildCli({ TESSERA_URL: server.url, TESSERA_TOKEN: token }, (text) => printed.push(text));
  throwInsteadOfExit(program);
  await program.parseAsync(['node', 'tessera', ...args]);
  return printed.join('\n');
}

describe('tessera trust', () => {
  it('create, list, show and delete', async () => {
    const name = uniqueName('cli-policy');
    const created = JSON.parse(
      await tessera([
        'trust',
        'create',
        name,
        '--issuer',
        'http://127.0.0.1:9',
        '--user',
        serviceUser.id,
        '-s',
        'repo:read',
        '--claim',
        'repository_id=123456',
        '--claim',
        'environment=prod',
        '--claim',
        'environment=staging',
        '--audiences',
        API,
        '--max-ttl',
        '300',
        '--single-use',
        '--json',
      ]),
    );
    expect(created).toMatchObject({
      name,
      issuer: 'http://127.0.0.1:9',
      claims: { repository_id: ['123456'], environment: ['prod', 'staging'] },
      max_ttl_seconds: 300,
      single_use: true,
    });
    expect(await tessera(['trust', 'list'])).toContain(name);
    expect(JSON.parse(await tessera(['trust', 'show', created.id, '--json']))).toEqual(created);
    expect(await tessera(['trust', 'delete', created.id])).toContain(created.id);
    await expect(tessera(['trust', 'show', created.id])).rejects.toThrow(/404/);
  });

  it('a non-admin token is refused', async () => {
    await expect(tessera(['trust', 'list'], userToken)).rejects.toThrow(/403/);
  });
});
