/** `tessera webhook ...` against a real server: admins only, the secret printed once, enable/disable. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Command } from 'commander';
import { buildCli } from '../../../src/cli/main.js';
import { runTessera } from '../../helpers/cli.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver.js';

let server: TestServer;
let receiver: WebhookReceiver;
let env: Record<string, string>;
beforeAll(async () => {
  server = await startTestServer({ configFile: { webhooks: { pollIntervalMs: 3_600_000 } } });
  receiver = await startWebhookReceiver();
  env = { TESSERA_URL: server.url, TESSERA_TOKEN: server.adminToken };
});
afterAll(async () => {
  await receiver?.close();
  await server?.stop();
});

function throwInsteadOfExit(command: Command) {
  command.exitOverride();
  command.configureOutput({ writeOut: () => {}, writeErr: () => {} });
  for (const sub of command.commands) throwInsteadOfExit(sub);
}

async function tessera(args: string[], runEnv = env): Promise<string> {
  const printed: string[] = [];
  const program = buildCli(runEnv, (text) => printed.push(text));
  throwInsteadOfExit(program);
  await program.parseAsync(['node', 'tessera', ...args]);
  return printed.join('\n');
}

describe('tessera webhook', () => {
  it('refuses a caller without tessera:admin', async () => {
    const { token } = await server.createUserWithToken(uniqueName('cli-hook'), ['tessera:tokens']);
    await expect(tessera(['webhook', 'list'], { ...env, TESSERA_TOKEN: token })).rejects.toThrow(/403/);
  });

  it('refuses an http URL to a remote host', async () => {
    await expect(
      tessera(['webhook', 'create', 'http://example.com/h', '-e', 'token.created']),
    ).rejects.toThrow(/400 invalid_request: url: must be https/);
  });

  it('creates (secret printed once), lists, disables, enables, shows the log and deletes', async () => {
    const created = JSON.parse(
      await tessera(['webhook', 'create', receiver.url, '-e', 'token.created,token.revoked', '--json']),
    );
    expect(created.secret).toMatch(/^whsec_/);
    const list = await tessera(['webhook', 'list']);
    expect(list).toContain(created.id.slice(0, 8));
    expect(list).toContain('token.created,token.revoked');
    expect(list).not.toContain(created.secret);

    expect(JSON.parse(await tessera(['webhook', 'disable', created.id, '--json'])).enabled).toBe(false);
    expect(JSON.parse(await tessera(['webhook', 'enable', created.id, '--json'])).enabled).toBe(true);

    await server.createUserWithToken(uniqueName('cli-hooked'), ['tessera:tokens']);
    while ((await server.tessera.deliverWebhooks()) > 0) {}
    const log = await tessera(['webhook', 'deliveries', created.id]);
    expect(log).toMatch(/token\.created\s+1\s+delivered\s+204/);

    expect(await tessera(['webhook', 'delete', created.id])).toBe(`deleted ${created.id}`);
    await expect(tessera(['webhook', 'show', created.id])).rejects.toThrow(/404/);
  });
});

describe('tessera webhook update (through runCli, as the binary runs it)', () => {
  const stored = async (id: string) =>
    (await server.request('GET', `/api/v1/admin/webhooks/${id}`, { token: server.adminToken })).body;
  const newEndpoint = async () =>
    (
      await server.request('POST', '/api/v1/admin/webhooks', {
        token: server.adminToken,
        body: { url: receiver.url, events: ['token.created'], description: 'before' },
      })
    ).body as { id: string };
  const STACK_FRAME = /^\s+at .+:\d+/m;

  it('changes the URL, events and description given, by id prefix; the rest stay', async () => {
    const endpoint = await newEndpoint();
    const url = `${receiver.url}/moved`;
    const run = await runTessera(
      ['webhook', 'update', endpoint.id.slice(0, 13), '--url', url, '-e', 'token.revoked, token.leaked'],
      env,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(endpoint.id);
    expect(await stored(endpoint.id)).toMatchObject({
      url,
      events: ['token.revoked', 'token.leaked'],
      description: 'before',
      enabled: true,
    });
    const json = (
      await runTessera(['webhook', 'update', endpoint.id, '--no-description', '--json'], env)
    ).json();
    expect(json).toEqual(await stored(endpoint.id));
    expect(json).toMatchObject({ url, description: null });
    expect(json.secret).toBeUndefined();
  });

  it('with nothing to change is a usage error (2)', async () => {
    const endpoint = await newEndpoint();
    const run = await runTessera(['webhook', 'update', endpoint.id], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('nothing to change');
  });

  it('a non-admin token gets a one-line refusal and exit 3; the endpoint is unchanged', async () => {
    const endpoint = await newEndpoint();
    const before = await stored(endpoint.id);
    const { token } = await server.createUserWithToken(uniqueName('cli-hook-update'), ['tessera:tokens']);
    const run = await runTessera(['webhook', 'update', endpoint.id, '--url', `${receiver.url}/x`], {
      ...env,
      TESSERA_TOKEN: token,
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^tessera: 403 \S+: .+\n$/);
    expect(await stored(endpoint.id)).toEqual(before);
  });

  it.each([
    ['an invalid URL', ['--url', 'not a url'], /url/],
    ['an http URL to a remote host', ['--url', 'http://example.com/h'], /url: must be https/],
    ['an unknown event', ['-e', 'token.created,token.exploded'], /events/],
  ])('%s is a clear error (1), not a stack trace, and changes nothing', async (_, options, message) => {
    const endpoint = await newEndpoint();
    const before = await stored(endpoint.id);
    const run = await runTessera(['webhook', 'update', endpoint.id, ...options], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^tessera: 400 invalid_request: /);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(STACK_FRAME);
    expect(await stored(endpoint.id)).toEqual(before);
  });
});

describe('tessera webhook show|delete by id prefix', () => {
  it('show and delete take a unique prefix; a prefix that matches nothing is not found (4)', async () => {
    const created = JSON.parse(
      await tessera(['webhook', 'create', receiver.url, '-e', 'token.created', '--json']),
    );
    const shown = await runTessera(['webhook', 'show', created.id.slice(0, 13)], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(created.id);
    expect(shown.stdout).not.toContain(created.secret);
    const deleted = await runTessera(['webhook', 'delete', created.id.slice(0, 13)], env);
    expect(deleted).toMatchObject({ code: 0, stdout: `deleted ${created.id}` });
    expect((await runTessera(['webhook', 'show', created.id.slice(0, 13)], env)).code).toBe(4);
  });
});
