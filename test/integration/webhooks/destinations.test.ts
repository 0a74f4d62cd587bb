/**
 * Webhooks never reach private networks (issue 18, item 11) unless `webhooks.allowPrivateNetworks`
 * is set: literal private addresses (in any spelling the URL parser accepts) and plain http are
 * refused at registration, and a name that resolves to a private address is refused at delivery,
 * on the address the connection would use; the log says "refused: private address" and the
 * receiver gets nothing.
 */
import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver.js';

let server: TestServer;
let receiver: WebhookReceiver;
const PATH = '/api/v1/admin/webhooks';

beforeAll(async () => {
  server = await startTestServer({
    configFile: { webhooks: { allowPrivateNetworks: false, pollIntervalMs: 3_600_000, timeoutMs: 2000 } },
  });
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await server.stop();
  await receiver.close();
});

const asAdmin = (method: string, path: string, body?: unknown) =>
  server.request(method, path, { token: server.adminToken, ...(body === undefined ? {} : { body }) });

describe('at registration', () => {
  it.each([
    'http://hooks.example.com/h',
    'https://127.0.0.1/h',
    'https://2130706433/h',
    'https://0x7f000001/h',
    'https://0177.0.0.1/h',
    'https://localhost/h',
    'https://169.254.169.254/latest/meta-data/',
    'https://100.64.0.1/h',
    'https://[::1]/h',
    'https://[::ffff:127.0.0.1]/h',
    'https://[fd00::1]/h',
  ])('refuses %s with a 400 naming url', async (url) => {
    const response = await asAdmin('POST', PATH, { url, events: ['token.created'] });
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: { field: string }) => e.field)).toContain('url');
  });

  it('refuses a PATCH to a private address, and keeps the URL', async () => {
    const created = await asAdmin('POST', PATH, {
      url: 'https://hooks.example.com/h',
      events: ['token.created'],
    });
    expect(created.status).toBe(201);
    const patched = await asAdmin('PATCH', `${PATH}/${created.body.id}`, { url: 'https://10.0.0.1/h' });
    expect(patched.status).toBe(400);
    expect((await asAdmin('GET', `${PATH}/${created.body.id}`)).body.url).toBe('https://hooks.example.com/h');
    await asAdmin('DELETE', `${PATH}/${created.body.id}`);
  });
});

describe('at delivery', () => {
  it('a name that resolves to loopback is refused: logged as such, and nothing is sent', async () => {
    const created = await asAdmin('POST', PATH, {
      url: 'https://hooks.example.com/h',
      events: ['token.created'],
    });
    expect(created.status).toBe(201);
    // As an endpoint stored before this rule, or a name whose DNS later points inward.
    const inward = receiver.url.replace('127.0.0.1', 'localhost');
    await server.database.db.query('UPDATE webhook_endpoints SET url = $1 WHERE id = $2', [
      inward,
      created.body.id,
    ]);

    await server.createUserWithToken(uniqueName('evented'), ['tessera:tokens']);
    while ((await server.tessera.deliverWebhooks()) > 0) {}

    const log = await asAdmin('GET', `${PATH}/${created.body.id}/deliveries`);
    expect(log.body.items.length).toBeGreaterThan(0);
    for (const attempt of log.body.items) {
      expect(attempt).toMatchObject({ status_code: null, error: 'refused: private address' });
    }
    expect(receiver.received).toHaveLength(0);
  });

  it("a name that passes registration but resolves inward (this machine's own name) is refused at delivery", async () => {
    const name = hostname();
    // This machine kind maps its own name to 127.0.0.1 in /etc/hosts: the test's precondition.
    expect((await lookup(name, { all: true })).map((a) => a.address)).toContain('127.0.0.1');
    const url = receiver.url.replace('http://127.0.0.1', `https://${name}`);
    const created = await asAdmin('POST', PATH, { url, events: ['token.created'] });
    expect(created.status).toBe(201);

    await server.createUserWithToken(uniqueName('resolved'), ['tessera:tokens']);
    while ((await server.tessera.deliverWebhooks()) > 0) {}

    const log = await asAdmin('GET', `${PATH}/${created.body.id}/deliveries`);
    expect(log.body.items.length).toBeGreaterThan(0);
    expect(log.body.items[0]).toMatchObject({ status_code: null, error: 'refused: private address' });
    expect(receiver.received).toHaveLength(0);
  });
});
