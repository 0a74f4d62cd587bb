/**
 * `tessera token show|restore|delete|events`, `token list` filters, `scopes`, `--version`, exit
 * codes and id prefixes, over a real server, through `runCli` as the binary runs it.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fieldOf, runTessera } from '../../helpers/cli.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const VERSION = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version;

let server: TestServer;
let env: Record<string, string>;

beforeAll(async () => {
  server = await startTestServer();
  const user = await server.createUserWithToken(uniqueName('clitok'), [
    'tessera:tokens',
    'repo:read',
    'repo:write',
  ]);
  env = { TESSERA_URL: server.url, TESSERA_TOKEN: user.token };
});
afterAll(() => server.stop());

const tessera = (args: string[], runEnv: Record<string, string> = env) => runTessera(args, runEnv);

async function created(name: string, extra: string[] = [], runEnv = env) {
  const run = await tessera(['token', 'create', name, '-s', 'repo:read', ...extra, '--json'], runEnv);
  expect(run.code).toBe(0);
  return run.json();
}

const meStatus = async (token: string) => (await server.request('GET', '/api/v1/me', { token })).status;

describe('tessera --version and help', () => {
  it('prints the version from package.json and exits 0', async () => {
    const run = await tessera(['--version']);
    expect(run).toMatchObject({ code: 0, stdout: VERSION });
  });

  it('an unknown command or option is a usage error (2)', async () => {
    expect((await tessera(['token', 'frobnicate'])).code).toBe(2);
    expect((await tessera(['token', 'list', '--colour'])).code).toBe(2);
    expect((await tessera(['token', 'list', '--expiring-within', 'soon'])).code).toBe(2);
  });
});

describe('tessera scopes', () => {
  it('--json prints the API response: {items, next_cursor}', async () => {
    const run = await tessera(['scopes', '--json']);
    const api = await server.request('GET', '/api/v1/scopes', { token: env.TESSERA_TOKEN });
    expect(run.code).toBe(0);
    expect(run.json()).toEqual(api.body);
  });

  it('prints each scope with its description', async () => {
    const run = await tessera(['scopes']);
    expect(run.lines[0]).toMatch(/^SCOPE\s+DESCRIPTION$/);
    expect(run.lines.find((l) => l.startsWith('repo:read '))).toMatch(/repo:read\s+\S/);
    expect(run.lines.some((l) => l.startsWith('tessera:admin '))).toBe(true);
  });
});

describe('tessera whoami', () => {
  it('names the caller and the credential; --json is the API response', async () => {
    const api = await server.request('GET', '/api/v1/me', { token: env.TESSERA_TOKEN });
    expect((await tessera(['whoami', '--json'])).json()).toEqual(api.body);
    const run = await tessera(['whoami']);
    expect(fieldOf(run.lines, 'user')).toBe(`${api.body.username} (${api.body.id})`);
    expect(fieldOf(run.lines, 'scopes')).toBe(api.body.credential.scopes.join(' '));
    expect((await tessera(['whoami'], { TESSERA_URL: server.url })).code).toBe(3);
  });
});

describe('tessera token show|restore|delete', () => {
  it('show prints the fields of one token, never its secret; --json is the API response', async () => {
    const pat = await created('shown');
    const run = await tessera(['token', 'show', pat.id]);
    expect(run.code).toBe(0);
    expect(fieldOf(run.lines, 'id')).toBe(pat.id);
    expect(fieldOf(run.lines, 'last used')).toBe('never');
    expect(run.stdout).not.toContain(pat.token);
    const json = (await tessera(['token', 'show', pat.id, '--json'])).json();
    expect(json).toEqual(
      (await server.request('GET', `/api/v1/tokens/${pat.id}`, { token: env.TESSERA_TOKEN })).body,
    );
  });

  it('restore brings back a token the owner revoked; it works again', async () => {
    const pat = await created('restorable');
    await tessera(['token', 'revoke', pat.id]);
    expect(await meStatus(pat.token)).toBe(401);
    const run = await tessera(['token', 'restore', pat.id, '--json']);
    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({ id: pat.id, status: 'active', revoked_at: null });
    expect(await meStatus(pat.token)).toBe(200);
  });

  it('restore of a rotated token is a conflict (5): rotation is final', async () => {
    const pat = await created('rotated');
    await tessera(['token', 'rotate', pat.id]);
    const run = await tessera(['token', 'restore', pat.id]);
    expect(run.code).toBe(5);
    expect(run.stderr).toContain('409');
    expect(await meStatus(pat.token)).toBe(401);
  });

  it('delete refuses an active token (5) and deletes a revoked one; its events stay readable', async () => {
    const pat = await created('deletable');
    const active = await tessera(['token', 'delete', pat.id]);
    expect(active.code).toBe(5);
    expect((await tessera(['token', 'show', pat.id])).code).toBe(0);

    await tessera(['token', 'revoke', pat.id]);
    const run = await tessera(['token', 'delete', pat.id]);
    expect(run).toMatchObject({ code: 0, stdout: `deleted ${pat.id}` });
    expect((await tessera(['token', 'show', pat.id])).code).toBe(4);
    const events = (await tessera(['token', 'events', pat.id, '--json'])).json();
    expect(events.items.map((e: any) => e.action)).toEqual(['pat.deleted', 'pat.revoked', 'pat.created']);
  });
});

describe('tessera token events', () => {
  it('shows changes and exchanges newest first, with the CLI named as user agent', async () => {
    const pat = await created('audited');
    expect((await server.exchange(pat.token)).status).toBe(200);
    await tessera(['token', 'revoke', pat.id]);

    const page = (await tessera(['token', 'events', pat.id, '--json'])).json();
    expect(Object.keys(page).sort()).toEqual(['items', 'next_cursor']);
    expect(page.items.map((e: any) => e.action)).toEqual(['pat.revoked', 'token.exchanged', 'pat.created']);
    expect(page.items[0].user_agent).toBe(`tessera-cli/${VERSION}`);
    expect(page.items[2].user_agent).toBe(`tessera-cli/${VERSION}`);

    const run = await tessera(['token', 'events', pat.id]);
    expect(run.lines[0]).toMatch(/^TIME\s+ACTION\s+OUTCOME/);
    expect(run.lines[1]).toMatch(/^just now\s+pat\.revoked\s+success/);
  });

  it('an exchange through the CLI is audited with the CLI as user agent', async () => {
    const pat = await created('exchanged');
    const run = await tessera(['exchange'], { ...env, TESSERA_TOKEN: pat.token });
    expect(run.code).toBe(0);
    const events = (await tessera(['token', 'events', pat.id, '--json'])).json();
    expect(events.items[0]).toMatchObject({ action: 'token.exchanged', outcome: 'success' });
    expect(events.items[0].user_agent).toBe(`tessera-cli/${VERSION}`);
  });

  it('--limit pages, and the human output says how to get the next page', async () => {
    const pat = await created('paged');
    await tessera(['token', 'revoke', pat.id]);
    await tessera(['token', 'restore', pat.id]);
    const first = (await tessera(['token', 'events', pat.id, '--limit', '2', '--json'])).json();
    expect(first.items).toHaveLength(2);
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = (
      await tessera(['token', 'events', pat.id, '--limit', '2', '--cursor', first.next_cursor, '--json'])
    ).json();
    expect(second.items.map((e: any) => e.action)).toEqual(['pat.created']);
    const human = await tessera(['token', 'events', pat.id, '--limit', '2']);
    expect(human.stdout).toContain(`--cursor ${first.next_cursor}`);
  });
});

describe('tessera token list filters', () => {
  it('--expiring-within DAYS lists only active tokens expiring that soon', async () => {
    const user = await server.createUserWithToken(uniqueName('expiring'), ['tessera:tokens', 'repo:read']);
    const ownEnv = { ...env, TESSERA_TOKEN: user.token };
    const soon = await created('soon', ['-e', '3'], ownEnv);
    const later = await created('later', ['-e', '60'], ownEnv);
    const page = (await tessera(['token', 'list', '--expiring-within', '7', '--json'], ownEnv)).json();
    expect(page.items.map((p: any) => p.id)).toEqual([soon.id]);
    const wider = (await tessera(['token', 'list', '--expiring-within', '90', '--json'], ownEnv)).json();
    expect(wider.items.map((p: any) => p.id).sort()).toEqual([soon.id, later.id, user.pat.id].sort());
  });

  it('--limit prints one page with the API next_cursor', async () => {
    const page = (await tessera(['token', 'list', '--limit', '1', '--json'])).json();
    expect(page.items).toHaveLength(1);
    expect(page.next_cursor).toEqual(expect.any(String));
  });

  it('human output fits 100 columns and shows relative times', async () => {
    await created(`a-very-long-token-name-${'x'.repeat(60)}`, ['-s', 'repo:read repo:write', '-e', '2']);
    const run = await tessera(['token', 'list']);
    for (const line of run.lines) expect(line.length).toBeLessThanOrEqual(100);
    expect(run.lines.some((l) => / in 2 days /.test(l) && l.includes('…'))).toBe(true);
  });

  it('-s takes scopes separated by spaces as well as commas', async () => {
    const pat = await created('spaced', ['-s', 'repo:read repo:write']);
    expect(pat.scopes).toEqual(['repo:read', 'repo:write']);
  });
});
