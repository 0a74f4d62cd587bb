/** `tessera webhook ...` against a real server: admins only, the secret printed once, enable/disable. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Command } from 'commander';
import { buildCli } from '../../src/cli/main.js';
import { startTestServer, type TestServer, uniqueName } from '../helpers/server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

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
    expect(list).toContain(created.id);
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
