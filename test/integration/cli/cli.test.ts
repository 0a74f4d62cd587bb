import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Command } from 'commander';
import { CliError } from '../../../src/cli/client.js';
import { buildCli, runCli } from '../../../src/cli/main.js';
import { isWellFormedPat } from '../../../src/pat/format.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const DAY_MS = 86_400_000;

let server: TestServer;
let env: Record<string, string>;
let userToken: string;

beforeAll(async () => {
  server = await startTestServer();
  const user = await server.createUserWithToken(uniqueName('cli'), [
    'tessera:tokens',
    'repo:read',
    'repo:write',
  ]);
  userToken = user.token;
  env = { TESSERA_URL: server.url, TESSERA_TOKEN: userToken };
});
afterAll(() => server.stop());

/** Commander exits the process on parse errors unless told otherwise, command by command. */
function throwInsteadOfExit(command: Command) {
  command.exitOverride();
  command.configureOutput({ writeOut: () => {}, writeErr: () => {} });
  for (const sub of command.commands) throwInsteadOfExit(sub);
}

/** Runs `tessera <args>` in-process; resolves to everything it printed, line by line. */
async function tessera(args: string[], runEnv: Record<string, string | undefined> = env): Promise<string[]> {
  const printed: string[] = [];
  const program = buildCli(runEnv, (text) => printed.push(text));
  throwInsteadOfExit(program);
  await program.parseAsync(['node', 'tessera', ...args]);
  return printed.join('\n').split('\n');
}

async function tesseraJson(args: string[], runEnv?: Record<string, string | undefined>): Promise<any> {
  return JSON.parse((await tessera([...args, '--json'], runEnv)).join('\n'));
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

/** The value of a `label: value` line (`token show` and friends). */
function fieldOf(lines: string[], label: string): string {
  const line = lines.find((l) => l.startsWith(`${label}:`));
  if (line === undefined) throw new Error(`no ${label} field in:\n${lines.join('\n')}`);
  return line.slice(label.length + 1).trim();
}

const occurrences = (text: string, needle: string) => text.split(needle).length - 1;

/** The table row whose first column is `id`'s short form, split into cells. */
function rowOf(lines: string[], id: string): string[] {
  const row = lines.find((line) => line.startsWith(`${id.slice(0, 8)} `));
  if (!row) throw new Error(`no row for ${id} in:\n${lines.join('\n')}`);
  return row.split(/ {2,}/);
}

const quiet = { out: () => {}, err: () => {} };

const meStatus = async (token: string) => (await server.request('GET', '/api/v1/me', { token })).status;
const showPat = async (id: string) =>
  (await server.request('GET', `/api/v1/tokens/${id}`, { token: userToken })).body;

describe('tessera token create', () => {
  it('--json prints the new token, once, with the requested scopes and lifetime', async () => {
    const lines = await tessera(['token', 'create', 'ci', '-s', 'repo:read', '-e', '7', '--json']);
    const text = lines.join('\n');
    const pat = JSON.parse(text);
    expect(pat).toMatchObject({ name: 'ci', scopes: ['repo:read'], status: 'active' });
    expect(pat.token).toMatch(/^tsr_[0-9A-Za-z]{36}$/);
    expect(isWellFormedPat('tsr', pat.token)).toBe(true);
    expect(pat.hint).toBe(pat.token.slice(0, 8));
    expect(Date.parse(pat.expires_at) - Date.parse(pat.created_at)).toBe(7 * DAY_MS);
    expect(occurrences(text, pat.token)).toBe(1);

    // It is a real, working token, and the server never shows it again.
    expect(await meStatus(pat.token)).toBe(200);
    const shown = await server.request('GET', `/api/v1/tokens/${pat.id}`, { token: userToken });
    expect(shown.body.scopes).toEqual(['repo:read']);
    expect(shown.text).not.toContain(pat.token);
  });

  it("prints the new token's fields and the token alone on its own line", async () => {
    const lines = await tessera(['token', 'create', 'laptop', '-s', 'repo:read,repo:write']);
    const tokenLines = lines.filter((line) => /^tsr_[0-9A-Za-z]{36}$/.test(line));
    expect(tokenLines).toHaveLength(1);
    const token = tokenLines[0] as string;
    expect(isWellFormedPat('tsr', token)).toBe(true);
    expect(occurrences(lines.join('\n'), token)).toBe(1);

    const id = fieldOf(lines, 'id');
    expect(fieldOf(lines, 'name')).toBe('laptop');
    expect(fieldOf(lines, 'status')).toBe('active');
    expect(fieldOf(lines, 'scopes')).toBe('repo:read repo:write');
    expect(fieldOf(lines, 'hint')).toBe(token.slice(0, 8));
    // No -e: the server's default lifetime (90 days), shown with its date and how far off it is.
    const pat = await showPat(id);
    expect(pat.name).toBe('laptop');
    expect(Date.parse(pat.expires_at) - Date.parse(pat.created_at)).toBe(90 * DAY_MS);
    expect(fieldOf(lines, 'expires')).toBe(`${pat.expires_at} (in 3 months)`);
    expect(await meStatus(token)).toBe(200);
  });

  it('takes tessera:tokens when -s names it (without -s: test/integration/cli/people.test.ts)', async () => {
    const pat = await tesseraJson(['token', 'create', 'manager', '-s', 'tessera:tokens']);
    expect(pat.scopes).toEqual(['tessera:tokens']);
  });

  it('fails with CliError carrying the status for a scope the server refuses', async () => {
    const unknown = await rejection(tessera(['token', 'create', 'x', '-s', 'repo:nuke']));
    expect(unknown).toBeInstanceOf(CliError);
    expect(unknown.message).toContain('400');
    const notEntitled = await rejection(tessera(['token', 'create', 'x', '-s', 'repo:admin']));
    expect(notEntitled).toBeInstanceOf(CliError);
    expect(notEntitled.message).toContain('403');
  });

  it('fails for a lifetime above the maximum', async () => {
    const error = await rejection(tessera(['token', 'create', 'x', '-s', 'tessera:tokens', '-e', '366']));
    expect(error).toBeInstanceOf(CliError);
    expect(error.message).toContain('400');
  });
});

describe('tessera token list', () => {
  let created: { id: string; token: string }[];
  beforeAll(async () => {
    created = [];
    for (const name of ['list-a', 'list-b']) {
      created.push(await tesseraJson(['token', 'create', name, '-s', 'repo:read']));
    }
  });

  it("prints a table of the caller's tokens, without any secret", async () => {
    const lines = await tessera(['token', 'list']);
    const header = lines[0] ?? '';
    for (const column of ['ID', 'NAME', 'STATUS']) expect(header).toContain(column);
    for (const { id, token } of created) {
      expect(rowOf(lines, id)).toEqual(expect.arrayContaining(['active', 'repo:read']));
      expect(lines.join('\n')).not.toContain(token);
    }
  });

  it('--json prints {items, next_cursor} with the created tokens and never a token field', async () => {
    const page = await tesseraJson(['token', 'list']);
    expect(Object.keys(page).sort()).toEqual(['items', 'next_cursor']);
    expect(page.next_cursor).toBeNull();
    const items: any[] = page.items;
    const ids = items.map((item) => item.id);
    for (const { id } of created) expect(ids).toContain(id);
    for (const item of items) {
      expect(item).not.toHaveProperty('token');
      expect(item).not.toHaveProperty('token_hash');
    }
    const text = JSON.stringify(items);
    for (const { token } of created) expect(text).not.toContain(token);
    expect(text).not.toContain(userToken);
  });

  it('--status filters by status', async () => {
    const victim = created[1] as { id: string };
    await tessera(['token', 'revoke', victim.id]);
    const revoked: any[] = (await tesseraJson(['token', 'list', '--status', 'revoked'])).items;
    expect(revoked.map((item) => item.id)).toContain(victim.id);
    expect(revoked.every((item) => item.status === 'revoked')).toBe(true);
    const active: any[] = (await tesseraJson(['token', 'list', '--status', 'active'])).items;
    expect(active.map((item) => item.id)).not.toContain(victim.id);
    expect(active.every((item) => item.status === 'active')).toBe(true);
  });

  it('follows next_cursor to list every token, each once, beyond one page of 100', async () => {
    const owner = await server.createUserWithToken(uniqueName('many'), ['tessera:tokens', 'repo:read']);
    const expected = new Set<string>([owner.pat.id]);
    for (let i = 0; i < 104; i++) {
      const response = await server.request('POST', '/api/v1/tokens', {
        token: owner.token,
        body: { name: `bulk-${i}`, scopes: ['repo:read'] },
      });
      expect(response.status).toBe(201);
      expected.add(response.body.id);
    }
    const items: any[] = (await tesseraJson(['token', 'list'], { ...env, TESSERA_TOKEN: owner.token })).items;
    const ids = items.map((item) => item.id);
    expect(ids).toHaveLength(105);
    expect(new Set(ids)).toEqual(expected);
    // Newest first.
    const created = items.map((item) => Date.parse(item.created_at));
    expect(created).toEqual([...created].sort((a, b) => b - a));
  });
});

describe('tessera token revoke', () => {
  it('revokes a token: the table shows it revoked and the token stops working', async () => {
    const pat = await tesseraJson(['token', 'create', 'to-revoke', '-s', 'repo:read']);
    expect(await meStatus(pat.token)).toBe(200);

    const lines = await tessera(['token', 'revoke', pat.id]);
    expect(fieldOf(lines, 'id')).toBe(pat.id);
    expect(fieldOf(lines, 'status')).toBe('revoked');
    expect(lines.join('\n')).not.toContain(pat.token);

    expect((await showPat(pat.id)).status).toBe('revoked');
    expect(await meStatus(pat.token)).toBe(401);
  });

  it('--json prints the revoked token without its secret', async () => {
    const pat = await tesseraJson(['token', 'create', 'to-revoke-json', '-s', 'repo:read']);
    const revoked = await tesseraJson(['token', 'revoke', pat.id]);
    expect(revoked).toMatchObject({ id: pat.id, status: 'revoked' });
    expect(revoked).not.toHaveProperty('token');
    expect(await meStatus(pat.token)).toBe(401);
  });

  it('fails with CliError, exit code 4, for an unknown id', async () => {
    for (const id of [randomUUID(), 'not-a-uuid']) {
      const error = await rejection(tessera(['token', 'revoke', id]));
      expect(error).toBeInstanceOf(CliError);
      expect((error as CliError).exitCode).toBe(4);
    }
  });

  it("cannot revoke another user's token (404)", async () => {
    const other = await server.createUserWithToken(uniqueName('other'), ['tessera:tokens']);
    const error = await rejection(tessera(['token', 'revoke', other.pat.id]));
    expect(error).toBeInstanceOf(CliError);
    expect(error.message).toContain('404');
    expect(await meStatus(other.token)).toBe(200);
  });
});

describe('tessera token rotate', () => {
  it('--json prints a new token; the old one is revoked', async () => {
    const old = await tesseraJson(['token', 'create', 'to-rotate', '-s', 'repo:read,repo:write', '-e', '10']);
    const rotated = await tesseraJson(['token', 'rotate', old.id]);
    expect(rotated.id).not.toBe(old.id);
    expect(rotated.rotated_from).toBe(old.id);
    expect(rotated).toMatchObject({
      name: 'to-rotate',
      scopes: ['repo:read', 'repo:write'],
      status: 'active',
    });
    expect(rotated.token).not.toBe(old.token);
    expect(isWellFormedPat('tsr', rotated.token)).toBe(true);
    // A rotated token keeps its predecessor's expiry (rotation is no way to extend a lifetime).
    expect(rotated.expires_at).toBe(old.expires_at);
    expect(Date.parse(old.expires_at) - Date.parse(old.created_at)).toBe(10 * DAY_MS);

    expect(await showPat(old.id)).toMatchObject({ status: 'revoked', revoked_reason: 'rotated' });
    expect(await meStatus(old.token)).toBe(401);
    expect(await meStatus(rotated.token)).toBe(200);
  });

  it('prints the new token alone on its own line', async () => {
    const old = await tesseraJson(['token', 'create', 'to-rotate-human', '-s', 'repo:read']);
    const lines = await tessera(['token', 'rotate', old.id]);
    const tokenLines = lines.filter((line) => /^tsr_[0-9A-Za-z]{36}$/.test(line));
    expect(tokenLines).toHaveLength(1);
    const token = tokenLines[0] as string;
    expect(token).not.toBe(old.token);
    expect(lines.join('\n')).not.toContain(old.token);
    expect(await meStatus(token)).toBe(200);
    expect(await meStatus(old.token)).toBe(401);
    expect((await showPat(old.id)).status).toBe('revoked');
  });

  it('fails with CliError for a revoked token (409) and an unknown one (404)', async () => {
    const pat = await tesseraJson(['token', 'create', 'rotate-revoked', '-s', 'repo:read']);
    await tessera(['token', 'revoke', pat.id]);
    const conflict = await rejection(tessera(['token', 'rotate', pat.id]));
    expect(conflict).toBeInstanceOf(CliError);
    expect(conflict.message).toContain('409');
    const unknown = await rejection(tessera(['token', 'rotate', randomUUID()]));
    expect(unknown).toBeInstanceOf(CliError);
    expect(unknown.message).toContain('404');
  });
});

describe('client failures', () => {
  it('rejects with CliError when TESSERA_TOKEN is not set, before calling the server', async () => {
    for (const args of [
      ['token', 'list'],
      ['token', 'create', 'no-token'],
      ['token', 'revoke', randomUUID()],
    ]) {
      const error = await rejection(tessera(args, { TESSERA_URL: server.url }));
      expect(error).toBeInstanceOf(CliError);
      expect(error.message).toContain('TESSERA_TOKEN');
    }
    const before: any[] = (await tesseraJson(['token', 'list'])).items;
    expect(before.some((item) => item.name === 'no-token')).toBe(false);
  });

  it('rejects with CliError (401) for a token the server does not accept', async () => {
    const revoked = await tesseraJson(['token', 'create', 'soon-revoked', '-s', 'repo:read']);
    await tessera(['token', 'revoke', revoked.id]);
    for (const token of [revoked.token, 'tsr_not-a-token']) {
      const error = await rejection(tessera(['token', 'list'], { ...env, TESSERA_TOKEN: token }));
      expect(error).toBeInstanceOf(CliError);
      expect(error.message).toContain('401');
      expect(error.message).not.toContain(token);
    }
  });

  it('rejects with CliError (403) for a token without tessera:tokens', async () => {
    const readOnly = await tesseraJson(['token', 'create', 'read-only', '-s', 'repo:read']);
    const error = await rejection(tessera(['token', 'list'], { ...env, TESSERA_TOKEN: readOnly.token }));
    expect(error).toBeInstanceOf(CliError);
    expect(error.message).toContain('403');
  });

  it('rejects with CliError when the server cannot be reached', async () => {
    const error = await rejection(tessera(['token', 'list'], { ...env, TESSERA_URL: 'http://127.0.0.1:1' }));
    expect(error).toBeInstanceOf(CliError);
    expect(error.message).not.toContain(userToken);
  });

  it('runCli returns 3 (authentication) without throwing when no token is set', async () => {
    await expect(
      runCli(['node', 'tessera', 'token', 'list'], { TESSERA_URL: server.url }, quiet),
    ).resolves.toBe(3);
  });

  it('runCli returns 4 (not found) without throwing for an unknown id', async () => {
    await expect(runCli(['node', 'tessera', 'token', 'revoke', randomUUID()], env, quiet)).resolves.toBe(4);
  });
});

describe('-e/--expires-in-days input', () => {
  // A policy that allows tokens without expiry: a mistyped lifetime must not become "never".
  let lenient: TestServer;
  let lenientEnv: Record<string, string>;
  beforeAll(async () => {
    lenient = await startTestServer({ configFile: { tokens: { allowNoExpiry: true } } });
    const user = await lenient.createUserWithToken(uniqueName('lenient'), ['tessera:tokens', 'repo:read']);
    lenientEnv = { TESSERA_URL: lenient.url, TESSERA_TOKEN: user.token };
  });
  afterAll(() => lenient.stop());

  it.each(['abc', '7days', '1.5', '-3'])('rejects -e %s and creates nothing', async (days) => {
    const name = `typo-${days}`;
    await rejection(tessera(['token', 'create', name, '-s', 'repo:read', '-e', days], lenientEnv));
    const items: any[] = (await tesseraJson(['token', 'list'], lenientEnv)).items;
    expect(items.filter((item) => item.name === name)).toEqual([]);
  });

  it('still accepts a valid number of days', async () => {
    const pat = await tesseraJson(['token', 'create', 'ok', '-s', 'repo:read', '-e', '3'], lenientEnv);
    expect(Date.parse(pat.expires_at) - Date.parse(pat.created_at)).toBe(3 * DAY_MS);
  });
});
