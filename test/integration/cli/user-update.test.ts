/**
 * `tessera user update` against PATCH /api/v1/users/{id}.
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
const userById = async (id: string) =>
  (await server.request('GET', `/api/v1/users/${id}`, { token: server.adminToken })).body;

describe('tessera user update', () => {
  it('replaces entitlements (commas or spaces) and prints the API response', async () => {
    const { user } = await server.createUserWithToken(uniqueName('upd'), ['tessera:tokens']);
    const run = await tessera([
      'user',
      'update',
      user.username,
      '-e',
      'tessera:tokens repo:read,repo:write',
      '--json',
    ]);
    expect(run.code).toBe(0);
    expect(run.json().entitlements).toEqual(['tessera:tokens', 'repo:read', 'repo:write']);
    expect(await userById(user.id)).toEqual(run.json());
  });

  it('--admin grants and --no-admin withdraws tessera:admin', async () => {
    const { user } = await server.createUserWithToken(uniqueName('promote'), ['tessera:tokens']);
    expect((await tessera(['user', 'update', user.id.slice(0, 12), '--admin', '--json'])).json().admin).toBe(
      true,
    );
    expect((await userById(user.id)).entitlements).toContain('tessera:admin');
    expect((await tessera(['user', 'update', user.username, '--no-admin', '--json'])).json().admin).toBe(
      false,
    );
    expect((await userById(user.id)).entitlements).not.toContain('tessera:admin');
  });

  it('--username renames; the new name resolves, the old one does not', async () => {
    const { user } = await server.createUserWithToken(uniqueName('old'), ['tessera:tokens']);
    const renamed = uniqueName('new');
    const run = await tessera(['user', 'update', user.username, '--username', renamed]);
    expect(fieldOf(run.lines, 'username')).toBe(renamed);
    expect((await tessera(['user', 'show', renamed, '--json'])).json().id).toBe(user.id);
    expect((await tessera(['user', 'show', user.username])).code).toBe(4);
  });

  it('an unknown scope is refused by the server (1) and changes nothing', async () => {
    const { user } = await server.createUserWithToken(uniqueName('bad'), ['tessera:tokens']);
    const run = await tessera(['user', 'update', user.username, '-e', 'repo:nuke']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('400');
    expect((await userById(user.id)).entitlements).toEqual(['tessera:tokens']);
  });

  it('a non-admin caller gets 3', async () => {
    const plain = await server.createUserWithToken(uniqueName('plain'), ['tessera:tokens']);
    const run = await tessera(['user', 'update', plain.user.id, '--admin'], {
      ...adminEnv,
      TESSERA_TOKEN: plain.token,
    });
    expect(run.code).toBe(3);
    expect((await userById(plain.user.id)).admin).toBe(false);
  });
});
