/**
 * `tessera trust update|events` (and trust ids as prefixes) over a real server, through `runCli`
 * as the binary runs it: the policy the server holds changes as the options say, and only there.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runTessera } from '../../helpers/cli.js';
import { createPolicy } from '../../helpers/federation.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const API = 'https://api.example.com';
const PATH = '/api/v1/admin/trust-policies';
let server: TestServer;
let adminEnv: Record<string, string>;
let serviceUser: { id: string };
let plainToken: string;

beforeAll(async () => {
  server = await startTestServer({
    configFile: { resources: [{ audience: API, scopes: ['repo:read', 'repo:write'], tokenTtlSeconds: 600 }] },
  });
  adminEnv = { TESSERA_URL: server.url, TESSERA_TOKEN: server.adminToken };
  serviceUser = (
    await server.createUserWithToken(uniqueName('deployer'), ['tessera:tokens', 'repo:read', 'repo:write'])
  ).user;
  plainToken = (await server.createUserWithToken(uniqueName('plain'), ['tessera:tokens'])).token;
});
afterAll(() => server.stop());

const tessera = (args: string[], env: Record<string, string> = adminEnv) => runTessera(args, env);
const stored = async (id: string) =>
  (await server.request('GET', `${PATH}/${id}`, { token: server.adminToken })).body;

function newPolicy(overrides: Record<string, unknown> = {}) {
  return createPolicy(server, {
    name: uniqueName('deploy'),
    issuer: 'https://token.actions.githubusercontent.com',
    subject: 'repo:acme/api:ref:refs/heads/main',
    claims: { repository_id: '123456' },
    user_id: serviceUser.id,
    scopes: ['repo:read'],
    audiences: [API],
    ...overrides,
  });
}

/** A stack trace's frames ("    at fn (file:1:2)"): never for people. */
const STACK_FRAME = /^\s+at .+:\d+/m;

describe('tessera trust update', () => {
  it('changes only the fields given; the rest stay as they were', async () => {
    const policy = await newPolicy();
    const before = await stored(policy.id);
    const run = await tessera(['trust', 'update', policy.id, '--max-ttl', '300', '--single-use', '--json']);
    expect(run.code).toBe(0);
    const after = await stored(policy.id);
    expect(run.json()).toEqual(after);
    expect(after).toEqual({
      ...before,
      max_ttl_seconds: 300,
      single_use: true,
      updated_at: after.updated_at,
    });
  });

  it('sets scopes, claims (replacing the old map), audiences and name; clears subject and single use', async () => {
    const policy = await newPolicy({ single_use: true });
    const name = uniqueName('renamed');
    const run = await tessera([
      'trust',
      'update',
      policy.id,
      '--name',
      name,
      '-s',
      'repo:read,repo:write',
      '--claim',
      'environment=prod',
      '--claim',
      'environment=staging',
      '--audiences',
      API,
      '--no-subject',
      '--no-single-use',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(name);
    expect(await stored(policy.id)).toMatchObject({
      name,
      scopes: ['repo:read', 'repo:write'],
      claims: { environment: ['prod', 'staging'] },
      audiences: [API],
      subject: null,
      single_use: false,
    });
  });

  it('takes a unique id prefix', async () => {
    const policy = await newPolicy();
    const run = await tessera(['trust', 'update', policy.id.slice(0, 13), '--subject', 'repo:acme/api:*']);
    expect(run.code).toBe(0);
    expect((await stored(policy.id)).subject).toBe('repo:acme/api:*');
  });

  it('with nothing to change is a usage error (2) and sends nothing', async () => {
    const policy = await newPolicy();
    const before = await stored(policy.id);
    const run = await tessera(['trust', 'update', policy.id]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('nothing to change');
    expect(await stored(policy.id)).toEqual(before);
  });

  it('a non-admin token gets a one-line refusal and exit 3; the policy is unchanged', async () => {
    const policy = await newPolicy();
    const before = await stored(policy.id);
    const run = await tessera(['trust', 'update', policy.id, '--max-ttl', '120'], {
      ...adminEnv,
      TESSERA_TOKEN: plainToken,
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^tessera: 403 \S+: .+\n$/);
    expect(await stored(policy.id)).toEqual(before);
  });

  it.each([
    ['an invalid issuer URL', ['--issuer', 'not a url'], /issuer/],
    ['an issuer over plain http off loopback', ['--issuer', 'http://issuer.example.com'], /issuer/],
    ['a scope beyond the user’s entitlements', ['-s', 'tessera:admin'], /scopes/],
    ['an audience that names no resource', ['--audiences', 'https://nowhere.example.com'], /audiences/],
    ['a claim without a value', ['--claim', 'environment'], /name=value/],
    ['a TTL that is not a number', ['--max-ttl', 'soon'], /seconds/],
    ['--claim with --no-claims', ['--claim', 'a=b', '--no-claims'], /contradict/],
  ])('%s is a clear error, not a stack trace, and changes nothing', async (_, options, message) => {
    const policy = await newPolicy();
    const before = await stored(policy.id);
    const run = await tessera(['trust', 'update', policy.id, ...options]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(STACK_FRAME);
    expect(await stored(policy.id)).toEqual(before);
  });

  it('a policy that matches nothing is not found (4)', async () => {
    const run = await tessera([
      'trust',
      'update',
      '00000000-0000-4000-8000-000000000000',
      '--max-ttl',
      '120',
    ]);
    expect(run.code).toBe(4);
  });
});

describe('tessera trust events', () => {
  it("prints the policy's trail, newest first, as a table and as the API's JSON", async () => {
    const policy = await newPolicy();
    await tessera(['trust', 'update', policy.id, '--max-ttl', '600']);
    const table = await tessera(['trust', 'events', policy.id]);
    expect(table.code).toBe(0);
    expect(table.lines[0]).toMatch(/^TIME\s+ACTION\s+OUTCOME\s+ACTOR\s+SUBJECT\s+DETAIL/);
    expect(table.lines[1]).toMatch(/trust_policy\.updated\s+success\s+admin\s/);
    expect(table.lines[2]).toMatch(/trust_policy\.created\s+success\s+admin\s/);

    const json = (await tessera(['trust', 'events', policy.id.slice(0, 8), '--json'])).json();
    const api = await server.request('GET', `${PATH}/${policy.id}/events`, { token: server.adminToken });
    expect(json).toEqual(api.body);
    expect(json.items.map((e: { action: string }) => e.action)).toEqual([
      'trust_policy.updated',
      'trust_policy.created',
    ]);
  });

  it('pages with --limit and --cursor, as token events do', async () => {
    const policy = await newPolicy();
    await tessera(['trust', 'update', policy.id, '--max-ttl', '600']);
    const first = await tessera(['trust', 'events', policy.id, '--limit', '1']);
    const more = first.lines.at(-1) ?? '';
    expect(more).toMatch(/^more: --cursor \S+$/);
    const cursor = more.split(' ').at(-1) as string;
    const second = (
      await tessera(['trust', 'events', policy.id, '--limit', '1', '--cursor', cursor, '--json'])
    ).json();
    expect(second.items.map((e: { action: string }) => e.action)).toEqual(['trust_policy.created']);
    expect(second.next_cursor).toBeNull();
  });

  it("a deleted policy's trail stays readable by its whole id", async () => {
    const policy = await newPolicy();
    await tessera(['trust', 'delete', policy.id]);
    const json = (await tessera(['trust', 'events', policy.id, '--json'])).json();
    expect(json.items[0].action).toBe('trust_policy.deleted');
  });

  it('a non-admin token gets exit 3 and no events', async () => {
    const policy = await newPolicy();
    const run = await tessera(['trust', 'events', policy.id], { ...adminEnv, TESSERA_TOKEN: plainToken });
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^tessera: 403 /);
  });

  it('a bad cursor is a clear refusal (1), not a stack trace', async () => {
    const policy = await newPolicy();
    const run = await tessera(['trust', 'events', policy.id, '--cursor', 'bogus']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^tessera: 400 \S+: cursor/);
    expect(run.stderr).not.toMatch(STACK_FRAME);
  });
});
