/**
 * `tessera login` / `logout` over a real server: the token is checked, kept in
 * $XDG_CONFIG_HOME/tessera/config.json (file 0600, directory 0700), used by later commands,
 * overridden by TESSERA_URL/TESSERA_TOKEN, and removed by logout.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runTessera } from '../../helpers/cli.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

let server: TestServer;
let configHome: string;
let person: { user: { username: string }; token: string };

beforeAll(async () => {
  server = await startTestServer();
  person = await server.createUserWithToken(uniqueName('loggedin'), ['tessera:tokens']);
  configHome = mkdtempSync(join(tmpdir(), 'tessera-xdg-'));
});
afterAll(async () => {
  rmSync(configHome, { recursive: true, force: true });
  await server.stop();
});

const file = () => join(configHome, 'tessera', 'config.json');

describe('tessera login and logout', () => {
  it('refuses a bad token with exit 3 and keeps nothing', async () => {
    const run = await runTessera(
      ['login', '--url', server.url],
      { XDG_CONFIG_HOME: configHome },
      'tsr_nonsense\n',
    );
    expect(run.code).toBe(3);
    expect(existsSync(file())).toBe(false);
  });

  it('keeps a good token (0600 in a 0700 directory) that later commands use; the env wins; logout removes it', async () => {
    const env = { XDG_CONFIG_HOME: configHome };
    const login = await runTessera(['login', '--url', server.url], env, `${person.token}\n`);
    expect(login.code).toBe(0);
    expect(login.stdout).toContain(person.user.username);
    expect(login.stdout).not.toContain(person.token);
    expect(statSync(file()).mode & 0o777).toBe(0o600);
    expect(statSync(join(configHome, 'tessera')).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(file(), 'utf8'))).toEqual({ url: server.url, token: person.token });

    const whoami = await runTessera(['whoami', '--json'], env);
    expect(whoami.code).toBe(0);
    expect(whoami.json().username).toBe(person.user.username);

    const overridden = await runTessera(['whoami', '--json'], { ...env, TESSERA_TOKEN: server.adminToken });
    expect(overridden.json().username).not.toBe(person.user.username);

    const logout = await runTessera(['logout'], env);
    expect(logout.code).toBe(0);
    expect(existsSync(file())).toBe(false);
    const after = await runTessera(['whoami'], { ...env, TESSERA_URL: server.url });
    expect(after.code).toBe(3);
    expect(after.stderr).toContain('tessera login');
  });
});
