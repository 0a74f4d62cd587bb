/**
 * How the CLI names a user (issue 18, item 5): exact id, exact username, unique id prefix; a
 * username that is another user's id or id prefix names two users and is refused as ambiguous
 * (exit 2), so a user cannot pick a name that captures an administrator's command meant for
 * someone else.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runTessera } from '../../helpers/cli.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

let server: TestServer;
let adminEnv: Record<string, string>;
let victim: { id: string; username: string };

const tessera = (args: string[]) => runTessera(args, adminEnv);
const isDisabled = async (id: string) =>
  (await server.request('GET', `/api/v1/users/${id}`, { token: server.adminToken })).body.disabled as boolean;

beforeAll(async () => {
  server = await startTestServer();
  adminEnv = { TESSERA_URL: server.url, TESSERA_TOKEN: server.adminToken };
  victim = (await server.createUserWithToken(uniqueName('victim'), ['tessera:tokens'])).user;
});
afterAll(() => server.stop());

describe('resolveUser', () => {
  it("a username equal to another user's id prefix is ambiguous (2), and disables nobody", async () => {
    const prefix = victim.id.slice(0, 8);
    const squatter = (await server.createUserWithToken(prefix, ['tessera:tokens'])).user;
    const run = await tessera(['user', 'disable', prefix]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('ambiguous');
    expect(run.stderr).toContain(victim.id);
    expect(run.stderr).toContain(squatter.id);
    expect(await isDisabled(victim.id)).toBe(false);
    expect(await isDisabled(squatter.id)).toBe(false);
  });

  it("a username equal to another user's whole id is ambiguous too", async () => {
    const other = (await server.createUserWithToken(uniqueName('target'), ['tessera:tokens'])).user;
    await server.createUserWithToken(other.id, ['tessera:tokens']);
    const run = await tessera(['user', 'show', other.id, '--json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('ambiguous');
  });

  it('an exact username, a whole id and a unique prefix each name their user', async () => {
    for (const input of [victim.username, victim.username.toUpperCase(), victim.id, victim.id.slice(0, 13)]) {
      const run = await tessera(['user', 'show', input, '--json']);
      expect({ input, code: run.code }).toEqual({ input, code: 0 });
      expect(run.json().id).toBe(victim.id);
    }
  });

  it('a name that matches nobody is not found (4)', async () => {
    const run = await tessera(['user', 'show', uniqueName('nobody')]);
    expect(run.code).toBe(4);
  });
});
