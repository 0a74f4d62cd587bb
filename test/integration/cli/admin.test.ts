/**
 * `tessera user ...` and `tessera admin tokens|revoke|events|stats` over a real server, and ids
 * given as prefixes (unique, ambiguous, none), through `runCli` as the binary runs it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fieldOf, runTessera } from '../../helpers/cli.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

let server: TestServer;
let adminEnv: Record<string, string>;

beforeAll(async () => {
  server = await startTestServer();
  adminEnv = { TESSERA_URL: server.url, TESSERA_TOKEN: server.adminToken };
});
afterAll(() => server.stop());

const tessera = (args: string[], env: Record<string, string> = adminEnv) => runTessera(args, env);
const meStatus = async (token: string) => (await server.request('GET', '/api/v1/me', { token })).status;

describe('tessera user', () => {
  it('create --json prints the API response; entitlements take commas or spaces', async () => {
    const name = uniqueName('made');
    const run = await tessera([
      'user',
      'create',
      name,
      '-e',
      'tessera:tokens repo:read,repo:write',
      '--json',
    ]);
    expect(run.code).toBe(0);
    const user = run.json();
    expect(user).toMatchObject({ username: name, admin: false, disabled: false });
    expect(user.entitlements).toEqual(['tessera:tokens', 'repo:read', 'repo:write']);
    const api = await server.request('GET', `/api/v1/users/${user.id}`, { token: server.adminToken });
    expect(api.body).toEqual(user);
  });

  it('list prints every user; --json is {items, next_cursor}', async () => {
    const name = uniqueName('listed');
    await tessera(['user', 'create', name, '--admin']);
    const page = (await tessera(['user', 'list', '--json'])).json();
    expect(page.next_cursor).toBeNull();
    expect(page.items.find((u: any) => u.username === name)).toMatchObject({ admin: true });
    const table = await tessera(['user', 'list']);
    expect(table.lines[0]).toMatch(/^ID\s+USERNAME\s+KIND\s+STATUS/);
    expect(table.lines.find((l) => l.includes(` ${name} `))).toMatch(/\sadmin\s+enabled\s/);
  });

  it("show, disable, enable and delete take a username; disabling stops the user's tokens", async () => {
    const { user, token } = await server.createUserWithToken(uniqueName('life'), ['tessera:tokens']);
    expect(fieldOf((await tessera(['user', 'show', user.username])).lines, 'id')).toBe(user.id);

    expect((await tessera(['user', 'disable', user.username, '--json'])).json().disabled).toBe(true);
    expect(await meStatus(token)).toBe(401);
    expect(fieldOf((await tessera(['user', 'enable', user.username])).lines, 'status')).toBe('enabled');
    expect(await meStatus(token)).toBe(200);

    const deleted = await tessera(['user', 'delete', user.username]);
    expect(deleted).toMatchObject({ code: 0, stdout: `deleted ${user.id}` });
    expect(await meStatus(token)).toBe(401);
    expect((await tessera(['user', 'show', user.id])).code).toBe(4);
  });

  it('an administrator cannot disable themselves (conflict, 5)', async () => {
    const run = await tessera(['user', 'disable', 'admin']);
    expect(run.code).toBe(5);
    expect(await meStatus(server.adminToken)).toBe(200);
  });

  it('update with nothing to change is a usage error (2) and sends nothing', async () => {
    const run = await tessera(['user', 'update', 'admin']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('nothing to change');
  });

  it('token creates a token for a service account, printed once, that works for that account', async () => {
    const bot = (
      await tessera([
        'user',
        'create',
        uniqueName('bot'),
        '--service',
        '-e',
        'tessera:tokens repo:read',
        '--json',
      ])
    ).json();
    const run = await tessera(['user', 'token', bot.username, 'ci', '-s', 'repo:read', '-e', '7', '--json']);
    expect(run.code).toBe(0);
    const pat = run.json();
    expect(pat).toMatchObject({ user_id: bot.id, name: 'ci', scopes: ['repo:read'], status: 'active' });
    expect(run.stdout.split(pat.token).length - 1).toBe(1);
    const me = await server.request('GET', '/api/v1/me', { token: pat.token });
    expect(me.body).toMatchObject({ id: bot.id, service: true });
    const refused = await tessera(['user', 'token', bot.username, 'too-much', '-s', 'repo:write']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('403');
  });

  it('needs tessera:admin: a plain user gets 3', async () => {
    const plain = await server.createUserWithToken(uniqueName('plain'), ['tessera:tokens']);
    const env = { ...adminEnv, TESSERA_TOKEN: plain.token };
    for (const args of [
      ['user', 'list'],
      ['user', 'create', uniqueName('nope')],
      ['admin', 'stats'],
    ]) {
      const run = await tessera(args, env);
      expect(run.code).toBe(3);
      expect(run.stderr).toContain('403');
    }
  });
});

describe('tessera admin', () => {
  it("tokens --user lists that user's tokens with their owner; --json is the API response", async () => {
    const { user, pat } = await server.createUserWithToken(uniqueName('owned'), ['tessera:tokens']);
    const page = (await tessera(['admin', 'tokens', '--user', user.username, '--json'])).json();
    const api = await server.request('GET', `/api/v1/admin/tokens?user=${user.id}&limit=100`, {
      token: server.adminToken,
    });
    expect(page).toEqual(api.body);
    expect(page.items.map((p: any) => p.id)).toEqual([pat.id]);
    const table = await tessera(['admin', 'tokens', '--user', user.username]);
    expect(table.lines[0]).toMatch(/^ID\s+OWNER\s+NAME/);
    // Owners by username, as people know each other (the whole username when it fits).
    expect(table.lines[1]).toMatch(new RegExp(`^${pat.id.slice(0, 8)}\\s+${user.username}\\s+seed`));
    expect(table.stdout).not.toContain(user.id.slice(0, 8));
  });

  it("revoke --reason revokes anyone's token; the owner cannot restore it", async () => {
    const owner = await server.createUserWithToken(uniqueName('victim'), ['tessera:tokens']);
    const run = await tessera(['admin', 'revoke', owner.pat.id, '--reason', 'left the team', '--json']);
    expect(run.json()).toMatchObject({ status: 'revoked', revoked_reason: 'admin: left the team' });
    expect(await meStatus(owner.token)).toBe(401);
    const events = (await tessera(['admin', 'events', owner.pat.id, '--json'])).json();
    expect(events.items[0]).toMatchObject({ action: 'pat.revoked', reason: 'admin: left the team' });
  });

  it("restore brings back anyone's revoked token, by id prefix: it works at /token again", async () => {
    const owner = await server.createUserWithToken(uniqueName('restored'), ['tessera:tokens']);
    await tessera(['admin', 'revoke', owner.pat.id]);
    expect((await server.exchange(owner.token)).status).toBe(400);

    const run = await tessera(['admin', 'restore', owner.pat.id.slice(0, 13)]);
    expect(run.code).toBe(0);
    expect(fieldOf(run.lines, 'id')).toBe(owner.pat.id);
    expect(fieldOf(run.lines, 'status')).toBe('active');
    expect((await server.exchange(owner.token)).status).toBe(200);
    const events = (await tessera(['admin', 'events', owner.pat.id, '--json'])).json();
    const restored = events.items.find((e: { action: string }) => e.action === 'pat.restored');
    expect(restored).toMatchObject({ actor: { username: 'admin' } });
  });

  it('restore --json prints the API response; an active token is a conflict (5)', async () => {
    const owner = await server.createUserWithToken(uniqueName('active'), ['tessera:tokens']);
    expect((await tessera(['admin', 'restore', owner.pat.id])).code).toBe(5);
    await tessera(['admin', 'revoke', owner.pat.id]);
    const restored = (await tessera(['admin', 'restore', owner.pat.id, '--json'])).json();
    const api = await server.request('GET', `/api/v1/tokens/${owner.pat.id}`, { token: owner.token });
    expect(restored).toMatchObject({ id: owner.pat.id, status: 'active' });
    expect(api.body.status).toBe('active');
  });

  it('restore needs tessera:admin: a plain user gets 3 and the token stays revoked', async () => {
    const owner = await server.createUserWithToken(uniqueName('kept-revoked'), ['tessera:tokens']);
    await tessera(['admin', 'revoke', owner.pat.id]);
    const plain = await server.createUserWithToken(uniqueName('plain'), ['tessera:tokens']);
    const run = await tessera(['admin', 'restore', owner.pat.id], {
      ...adminEnv,
      TESSERA_TOKEN: plain.token,
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^tessera: 403 \S+: .+\n$/);
    expect(run.stderr).not.toMatch(/\bat \S+ \(/);
    expect(await meStatus(owner.token)).toBe(401);
  });

  it('stats prints the API numbers', async () => {
    const json = (await tessera(['admin', 'stats', '--json'])).json();
    const api = await server.request('GET', '/api/v1/admin/stats', { token: server.adminToken });
    expect(json).toEqual(api.body);
    const human = await tessera(['admin', 'stats']);
    expect(fieldOf(human.lines, 'active pats')).toBe(String(api.body.active_pats));
  });
});

describe('ids as prefixes', () => {
  let env: Record<string, string>;
  let ids: string[];
  beforeAll(async () => {
    const owner = await server.createUserWithToken(uniqueName('prefix'), ['tessera:tokens', 'repo:read']);
    env = { ...adminEnv, TESSERA_TOKEN: owner.token };
    ids = [owner.pat.id];
    // 17 ids over 16 hex digits: at least two share their first character.
    for (let i = 0; i < 16; i++) {
      const made = await server.request('POST', '/api/v1/tokens', {
        token: owner.token,
        body: { name: `p-${i}`, scopes: ['repo:read'] },
      });
      ids.push(made.body.id);
    }
  });

  it('a unique prefix names its token', async () => {
    const id = ids[3] as string;
    const prefix = id.slice(0, 6);
    expect(ids.filter((other) => other.startsWith(prefix))).toEqual([id]);
    const run = await tessera(['token', 'show', prefix.toUpperCase(), '--json'], env);
    expect(run.code).toBe(0);
    expect(run.json().id).toBe(id);
  });

  it('an ambiguous prefix is a usage error (2) listing every candidate, and changes nothing', async () => {
    const first = [...'0123456789abcdef'].find(
      (c) => ids.filter((id) => id.startsWith(c)).length > 1,
    ) as string;
    const matching = ids.filter((id) => id.startsWith(first));
    const run = await tessera(['token', 'revoke', first], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('ambiguous');
    for (const id of matching) expect(run.stderr).toContain(id);
    for (const id of matching) {
      const shown = await server.request('GET', `/api/v1/tokens/${id}`, { token: env.TESSERA_TOKEN });
      expect(shown.body.status).toBe('active');
    }
  });

  it('a prefix that matches nothing is not found (4)', async () => {
    const unused = ['0000000', 'fffffff', '1234567'].find(
      (p) => !ids.some((id) => id.startsWith(p)),
    ) as string;
    const run = await tessera(['token', 'show', unused], env);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain(`no token matches "${unused}"`);
  });

  it("another user's token is not found by prefix (4): the candidates are the caller's own", async () => {
    const other = await server.createUserWithToken(uniqueName('other'), ['tessera:tokens']);
    const run = await tessera(['token', 'revoke', other.pat.id.slice(0, 12)], env);
    expect(run.code).toBe(4);
    expect(await meStatus(other.token)).toBe(200);
  });

  it("admins resolve prefixes over every user's tokens and users by id prefix", async () => {
    const target = await server.createUserWithToken(uniqueName('far'), ['tessera:tokens']);
    const run = await tessera(['admin', 'revoke', target.pat.id.slice(0, 13), '--json']);
    expect(run.json()).toMatchObject({ id: target.pat.id, status: 'revoked' });
    const shown = await tessera(['user', 'show', target.user.id.slice(0, 13), '--json']);
    expect(shown.json().username).toBe(target.user.username);
  });
});
