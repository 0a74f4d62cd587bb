/**
 * `tessera exchange` against a running server, and `tessera keys list|rotate` against its keys
 * directory, run in-process through `buildCli`.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Command } from 'commander';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { CliError } from '../../../src/cli/client.js';
import { buildCli } from '../../../src/cli/main.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const DOWNSTREAM = 'https://downstream.example.com';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

let server: TestServer;
let pat: string;
let user: any;
let env: Record<string, string>;
let keysEnv: Record<string, string>;

beforeAll(async () => {
  server = await startTestServer({
    configFile: { resources: [{ audience: DOWNSTREAM, scopes: ['repo:read'], tokenTtlSeconds: 600 }] },
  });
  // Reloads happen when the test says so, not on the periodic check.
  server.tessera.oidc.close();
  ({ token: pat, user } = await server.createUserWithToken(uniqueName('cliex'), [
    'tessera:tokens',
    'repo:read',
    'repo:write',
  ]));
  env = { TESSERA_URL: server.url, TESSERA_TOKEN: pat };
  // What an operator on the server's host has: the service's own environment.
  keysEnv = {
    TESSERA_ISSUER: server.url,
    TESSERA_DATA_DIR: server.dataDir,
    TESSERA_KEYS_DIR: join(server.dataDir, 'keys'),
    TESSERA_CONFIG: join(server.dataDir, 'tessera.config.json'),
  };
});
afterAll(() => server.stop());

/** Commander exits the process on parse errors unless told otherwise, command by command. */
function throwInsteadOfExit(command: Command) {
  command.exitOverride();
  command.configureOutput({ writeOut: () => {}, writeErr: () => {} });
  for (const sub of command.commands) throwInsteadOfExit(sub);
}

/** Runs `tessera <args>` in-process; resolves to everything it printed. */
async function tessera(args: string[], runEnv: Record<string, string | undefined> = env): Promise<string> {
  const printed: string[] = [];
  const program = buildCli(runEnv, (text) => printed.push(text));
  throwInsteadOfExit(program);
  await program.parseAsync(['node', 'tessera', ...args]);
  return printed.join('\n');
}

/** The error `run` rejects with; fails the test if it resolves. */
async function rejection(run: Promise<unknown>): Promise<Error> {
  try {
    await run;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the command to fail, it succeeded');
}

function verifyJwt(jwt: string, audience = `${server.url}/api`) {
  return jwtVerify(jwt, createRemoteJWKSet(new URL(`${server.url}/jwks`)), {
    issuer: server.url,
    audience,
    typ: 'at+jwt',
  });
}

async function servedKids(): Promise<string[]> {
  return ((await server.request('GET', '/jwks')).body.keys as { kid: string }[]).map((k) => k.kid).sort();
}

describe('tessera exchange', () => {
  it('prints a JWT, alone on its line, that verifies against the served JWKS', async () => {
    const printed = await tessera(['exchange']);
    expect(printed.split('\n')).toHaveLength(1);
    const { payload } = await verifyJwt(printed);
    expect(payload).toMatchObject({ sub: user.id, client_id: 'tessera-cli' });
    // No --scope: everything the PAT may carry on the default resource.
    expect((payload.scope as string).split(' ').sort()).toEqual([
      'repo:read',
      'repo:write',
      'tessera:tokens',
    ]);
  });

  it('--scope repo:read --json prints the token response with that scope', async () => {
    const response = JSON.parse(await tessera(['exchange', '--scope', 'repo:read', '--json']));
    expect(response).toMatchObject({
      issued_token_type: ACCESS_TOKEN_TYPE,
      token_type: 'Bearer',
      scope: 'repo:read',
    });
    expect(response.expires_in).toBe(900);
    const { payload } = await verifyJwt(response.access_token);
    expect(payload.scope).toBe('repo:read');
  });

  it('--scope takes comma- or space-separated scopes', async () => {
    const comma = JSON.parse(await tessera(['exchange', '--scope', 'repo:read,repo:write', '--json']));
    expect(comma.scope.split(' ').sort()).toEqual(['repo:read', 'repo:write']);
    const space = JSON.parse(await tessera(['exchange', '--scope', 'repo:write repo:read', '--json']));
    expect(space.scope.split(' ').sort()).toEqual(['repo:read', 'repo:write']);
  });

  it('--audience names the resource the JWT is for', async () => {
    const response = JSON.parse(await tessera(['exchange', '--audience', DOWNSTREAM, '--json']));
    expect(response.scope).toBe('repo:read');
    const { payload } = await verifyJwt(response.access_token, DOWNSTREAM);
    expect(payload.aud).toBe(DOWNSTREAM);
  });

  it('an unknown --audience fails with invalid_target', async () => {
    const error = await rejection(tessera(['exchange', '--audience', 'https://nope.example']));
    expect(error).toBeInstanceOf(CliError);
    expect(error.message).toContain('invalid_target');
    expect(error.message).not.toContain(pat);
  });

  it('a scope the PAT does not carry fails with invalid_scope', async () => {
    const error = await rejection(tessera(['exchange', '--scope', 'repo:admin']));
    expect(error).toBeInstanceOf(CliError);
    expect(error.message).toContain('invalid_scope');
  });

  it('a bad PAT fails with invalid_request, without echoing the PAT', async () => {
    const wrong = `${pat.slice(0, -1)}${pat.endsWith('A') ? 'B' : 'A'}`;
    const error = await rejection(tessera(['exchange'], { ...env, TESSERA_TOKEN: wrong }));
    expect(error).toBeInstanceOf(CliError);
    expect(error.message).toContain('invalid_request');
    expect(error.message).not.toContain(wrong);
  });

  it('without TESSERA_TOKEN, fails before contacting the server', async () => {
    const error = await rejection(tessera(['exchange'], { TESSERA_URL: 'http://127.0.0.1:1' }));
    expect(error).toBeInstanceOf(CliError);
    expect(error.message).toContain('TESSERA_TOKEN');
  });

  it('an unreachable server is a CliError naming the URL', async () => {
    const error = await rejection(tessera(['exchange'], { ...env, TESSERA_URL: 'http://127.0.0.1:1' }));
    expect(error).toBeInstanceOf(CliError);
    expect(error.message).toContain('http://127.0.0.1:1');
  });
});

describe('tessera keys', () => {
  it('list --json shows each key with its state and public JWK, never a private member', async () => {
    const text = await tessera(['keys', 'list', '--json'], keysEnv);
    const keys = JSON.parse(text) as any[];
    expect(keys.map((k) => k.kid).sort()).toEqual(await servedKids());
    expect(keys.map((k) => k.state).sort()).toEqual(['current', 'next']);
    const current = keys.find((k) => k.state === 'current');
    expect(current.kid).toBe(server.tessera.oidc.keys.signing.kid);
    for (const key of keys) {
      expect(key).toMatchObject({ alg: 'ES256', public_jwk: { kid: key.kid, kty: 'EC', use: 'sig' } });
      for (const member of PRIVATE_MEMBERS) expect(key.public_jwk[member]).toBeUndefined();
    }
    for (const member of PRIVATE_MEMBERS) expect(text).not.toContain(`"${member}":`);
  });

  it('list prints a table with each kid and its state', async () => {
    const lines = (await tessera(['keys', 'list'], keysEnv)).split('\n');
    for (const key of server.tessera.oidc.keys.published) {
      const row = lines.find((line) => line.startsWith(`${key.kid} `));
      expect(row?.split(/ {2,}/)).toEqual(expect.arrayContaining([key.kid, 'ES256', key.state]));
    }
  });

  it('rotate moves next -> current -> retired and stages a new next; the server picks it up', async () => {
    const before = JSON.parse(await tessera(['keys', 'list', '--json'], keysEnv)) as any[];
    const oldCurrent = before.find((k) => k.state === 'current').kid;
    const oldNext = before.find((k) => k.state === 'next').kid;

    const after = JSON.parse(await tessera(['keys', 'rotate', '--json'], keysEnv)) as any[];
    const stateOf = (kid: string) => after.find((k) => k.kid === kid)?.state;
    expect(stateOf(oldNext)).toBe('current');
    expect(stateOf(oldCurrent)).toBe('retired');
    const fresh = after.filter((k) => k.kid !== oldNext && k.kid !== oldCurrent);
    expect(fresh).toHaveLength(1);
    expect(fresh[0].state).toBe('next');
    expect(after.find((k) => k.kid === oldCurrent).retired_at).toEqual(expect.any(String));
    expect(after.find((k) => k.kid === oldNext).activated_at).toEqual(expect.any(String));
    for (const member of PRIVATE_MEMBERS) expect(JSON.stringify(after)).not.toContain(`"${member}":`);

    // The new key is written like the others: mode 0600.
    const file = join(server.dataDir, 'keys', `key-${fresh[0].kid}.json`);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    // `keys list` reads the same states back.
    const listed = JSON.parse(await tessera(['keys', 'list', '--json'], keysEnv)) as any[];
    expect(listed.map((k) => [k.kid, k.state]).sort()).toEqual(after.map((k) => [k.kid, k.state]).sort());

    expect(await server.tessera.oidc.reload()).toBe(true);
    expect(await servedKids()).toEqual([oldCurrent, oldNext, fresh[0].kid].sort());
    const jwt = await tessera(['exchange']);
    expect(decodeProtectedHeader(jwt).kid).toBe(oldNext);
    await expect(verifyJwt(jwt)).resolves.toBeDefined();
  });

  it('rotate without --json prints the table of keys after the rotation', async () => {
    const lines = (await tessera(['keys', 'rotate'], keysEnv)).split('\n');
    expect(await server.tessera.oidc.reload()).toBe(true);
    const states = server.tessera.oidc.keys.published.map((k) => [k.kid, k.state] as const);
    expect(states.length).toBeGreaterThanOrEqual(3);
    for (const [kid, state] of states) {
      const row = lines.find((line) => line.startsWith(`${kid} `));
      expect(row?.split(/ {2,}/)).toEqual(expect.arrayContaining([kid, state]));
    }
  });
});
