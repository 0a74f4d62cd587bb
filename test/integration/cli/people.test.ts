/**
 * The CLI as a person meets it, over a real server: `token create` asks for scopes instead of
 * minting one nobody chose, `trust --user` takes a username, tables fit 100 columns (with --wide
 * and --json for everything), a TESSERA_URL without a scheme is named, and --help says where
 * the URL and the token come from.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runTessera } from '../../helpers/cli.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const API = 'https://api.example.com';
let server: TestServer;
let adminEnv: Record<string, string>;
let service: { id: string; username: string };

beforeAll(async () => {
  server = await startTestServer({
    configFile: { resources: [{ audience: API, scopes: ['repo:read', 'repo:write'], tokenTtlSeconds: 600 }] },
  });
  adminEnv = { TESSERA_URL: server.url, TESSERA_TOKEN: server.adminToken };
  service = (await server.createUserWithToken(uniqueName('deployer'), ['tessera:tokens', 'repo:read'])).user;
});
afterAll(() => server.stop());

const tokensOf = async (token: string) =>
  (await server.request('GET', '/api/v1/tokens?limit=100', { token })).body.items as { name: string }[];

describe('tessera token create without -s', () => {
  it('is a usage error listing the scopes the caller may choose, and mints nothing', async () => {
    const person = await server.createUserWithToken(uniqueName('person'), ['tessera:tokens', 'repo:read']);
    const env = { TESSERA_URL: server.url, TESSERA_TOKEN: person.token };
    const name = uniqueName('unscoped');
    const run = await runTessera(['token', 'create', name], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('-s/--scopes is required');
    expect(run.stderr).toContain('repo:read');
    expect(run.stderr).toContain('tessera:tokens');
    expect((await tokensOf(person.token)).map((t) => t.name)).not.toContain(name);
    const scoped = await runTessera(['token', 'create', name, '-s', 'repo:read', '--json'], env);
    expect(scoped.code).toBe(0);
    expect(scoped.json().scopes).toEqual(['repo:read']);
  });
});

describe('tessera trust create|update --user', () => {
  const base = (name: string) => [
    'trust',
    'create',
    name,
    '--issuer',
    'https://token.actions.githubusercontent.com',
    '--subject',
    'repo:acme/api:ref:refs/heads/main',
    '-s',
    'repo:read',
    '--audiences',
    API,
    '--json',
  ];

  it('takes a username, a whole id or an id prefix, as every other command does', async () => {
    for (const user of [service.username, service.id, service.id.slice(0, 8)]) {
      const run = await runTessera([...base(uniqueName('by-user')), '--user', user], adminEnv);
      expect(run.code).toBe(0);
      expect(run.json().user_id).toBe(service.id);
    }
    const created = (await runTessera([...base(uniqueName('upd')), '--user', service.id], adminEnv)).json();
    const admin = (await server.request('GET', '/api/v1/me', { token: server.adminToken })).body;
    const run = await runTessera(
      ['trust', 'update', created.id, '--user', admin.username, '--json'],
      adminEnv,
    );
    expect(run.code).toBe(0);
    expect(run.json().user_id).toBe(server.adminId);
  });

  it('refuses a user that does not exist with exit 4, creating nothing', async () => {
    const name = uniqueName('nobody');
    const run = await runTessera([...base(name), '--user', 'no-such-user-anywhere'], adminEnv);
    expect(run.code).toBe(4);
    const policies = (
      await server.request('GET', '/api/v1/admin/trust-policies', { token: server.adminToken })
    ).body.items as { name: string }[];
    expect(policies.map((p) => p.name)).not.toContain(name);
  });
});

describe('tables fit 100 columns', () => {
  it('trust list cuts long cells with … and shortens ids; --wide and --json keep everything', async () => {
    const long = `repo:acme/${'very-long-repository-name-'.repeat(4)}:ref:refs/heads/main`;
    const name = uniqueName('wide-policy');
    await runTessera(
      [
        'trust',
        'create',
        name,
        '--issuer',
        'https://token.actions.githubusercontent.com',
        '--subject',
        long,
        '--claim',
        `job_workflow_ref=${'x'.repeat(60)}`,
        '--user',
        service.username,
        '-s',
        'repo:read',
        '--audiences',
        API,
      ],
      adminEnv,
    );
    const run = await runTessera(['trust', 'list'], adminEnv);
    expect(run.code).toBe(0);
    for (const line of run.lines) expect(line.length).toBeLessThanOrEqual(100);
    expect(run.stdout).toContain('…');
    const wide = await runTessera(['trust', 'list', '--wide'], adminEnv);
    expect(wide.stdout).toContain(long);
    const json = await runTessera(['trust', 'list', '--json'], adminEnv);
    expect(json.json().map((p: { subject: string }) => p.subject)).toContain(long);
  });

  it('webhook list fits too', async () => {
    const url = `http://127.0.0.1:9/${'hook-path-segment/'.repeat(6)}`;
    const events = 'token.created,token.rotated,token.revoked,token.restored,token.deleted,token.leaked';
    expect((await runTessera(['webhook', 'create', url, '-e', events], adminEnv)).code).toBe(0);
    const run = await runTessera(['webhook', 'list'], adminEnv);
    expect(run.code).toBe(0);
    for (const line of run.lines) expect(line.length).toBeLessThanOrEqual(100);
  });
});

describe('TESSERA_URL and --help', () => {
  it('a TESSERA_URL without a scheme is named as such, not "fetch failed"', async () => {
    const bare = server.url.replace(/^http:\/\//, '');
    const run = await runTessera(['whoami'], { TESSERA_URL: bare, TESSERA_TOKEN: server.adminToken });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('TESSERA_URL must start with http:// or https://');
    expect(run.stderr).toContain(`https://${bare}`);
    expect(run.stderr).not.toContain('fetch failed');
  });

  it('--help names TESSERA_URL and TESSERA_TOKEN and shows examples', async () => {
    const run = await runTessera(['--help'], {});
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('TESSERA_URL');
    expect(run.stdout).toContain('TESSERA_TOKEN');
    expect(run.stdout).toMatch(/Examples:\n\s+export TESSERA_URL=/);
  });
});
