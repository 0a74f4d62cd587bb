/**
 * `/console/admin/webhooks` (issue 22 item 4): abuse first — non-admins, cross-site posts,
 * destinations webhooks/url.ts refuses (a private address, plain http across the internet)
 * refused with the API's own message, and the signing secret in exactly one page (never in
 * another page, a reload, or a log line). Then edit, the delivery log from a real receiver,
 * an endpoint disabled by its failure run and re-enabled, and delete.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConsoleClient } from '../../helpers/console.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver.js';

const BASE = '/console/admin/webhooks';
const SETTINGS = { pollIntervalMs: 3_600_000, timeoutMs: 2_000, maxAttempts: 1, failureThreshold: 2 };
let server: TestServer;
/** A server as production runs: private networks refused. */
let strict: TestServer;
let receiver: WebhookReceiver;
let admin: ConsoleClient;

beforeAll(async () => {
  [server, strict, receiver] = await Promise.all([
    startTestServer({ configFile: { webhooks: SETTINGS } }),
    startTestServer({ configFile: { webhooks: { ...SETTINGS, allowPrivateNetworks: false } } }),
    startWebhookReceiver(),
  ]);
  admin = new ConsoleClient(server);
  await admin.signInWithToken(server.adminToken);
});
afterAll(async () => {
  await Promise.all([server?.stop(), strict?.stop(), receiver?.close()]);
});

const text = (html: string) =>
  html
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

const apiEndpoints = async (on = server) =>
  (await on.request('GET', '/api/v1/admin/webhooks?limit=100', { token: on.adminToken })).body
    .items as Array<{
    id: string;
    url: string;
    events: string[];
    description: string | null;
    enabled: boolean;
    disabled_reason: string | null;
    consecutive_failures: number;
  }>;

/** Creates an endpoint through the console; returns its id, the secret page and where it was. */
async function created(url = receiver.url, events = ['token.created'], client = admin) {
  const answer = await client.post(
    BASE,
    { url, events, description: 'ops receiver' },
    { from: `${BASE}/new` },
  );
  expect(answer.status).toBe(303);
  const location = answer.location as string;
  expect(location).toMatch(new RegExp(`^${BASE}/created/[0-9a-f-]{36}$`));
  const page = await client.get(location);
  expect(page.status).toBe(200);
  const secret = /data-testid="webhook-secret" id="webhook-secret">([^<]+)</.exec(page.html)?.[1] as string;
  expect(secret).toMatch(/^whsec_/);
  const id = /href="\/console\/admin\/webhooks\/([0-9a-f-]{36})"/.exec(page.html)?.[1] as string;
  return { id, secret, location, page };
}

describe('webhook pages: abuse first', () => {
  it('are 404 for a session without tessera:admin (as every admin page), pages and posts alike', async () => {
    const { id } = await created();
    const { token } = await server.createUserWithToken(
      uniqueName('boss'),
      ['tessera:tokens', 'tessera:admin'],
      ['tessera:tokens'],
    );
    const narrow = new ConsoleClient(server);
    await narrow.signInWithToken(token);
    for (const path of [BASE, `${BASE}/new`, `${BASE}/${id}`, `${BASE}/${id}/edit`, `${BASE}/${id}/delete`]) {
      expect([path, (await narrow.get(path)).status]).toEqual([path, 404]);
    }
    const from = '/console/tokens';
    const url = 'https://attacker.example/hook';
    expect((await narrow.post(BASE, { url, events: 'token.created' }, { from })).status).toBe(404);
    expect((await narrow.post(`${BASE}/${id}`, { url, events: 'token.created' }, { from })).status).toBe(404);
    expect((await narrow.post(`${BASE}/${id}/enable`, {}, { from })).status).toBe(404);
    expect((await narrow.post(`${BASE}/${id}/delete`, {}, { from })).status).toBe(404);
    expect((await apiEndpoints()).find((e) => e.id === id)?.url).toBe(receiver.url);
  });

  it('refuses a cross-site post and one without the CSRF token, and changes nothing', async () => {
    const { id } = await created();
    const before = (await apiEndpoints()).length;
    const fields = { url: 'https://attacker.example/hook', events: 'token.created' };
    expect(
      (await admin.post(BASE, fields, { from: `${BASE}/new`, origin: 'https://evil.example' })).status,
    ).toBe(403);
    expect((await admin.post(BASE, fields)).status).toBe(403);
    expect((await admin.post(`${BASE}/${id}`, fields, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await admin.post(`${BASE}/${id}/delete`, {})).status).toBe(403);
    expect(await apiEndpoints()).toHaveLength(before);
    expect((await apiEndpoints()).find((e) => e.id === id)?.url).toBe(receiver.url);
  });

  it.each([
    ['the metadata service', 'https://169.254.169.254/latest'],
    ['loopback in another spelling', 'https://2130706433/hook'],
    ['a private network', 'https://10.0.0.5/hook'],
    ['plain http to an internet host', 'http://example.com/hook'],
    ['credentials in the URL', 'https://user:pw@example.com/hook'],
  ])('refuses %s with the API message, on create and on edit', async (_what, url) => {
    const client = new ConsoleClient(strict);
    await client.signInWithToken(strict.adminToken);
    const api = await strict.request('POST', '/api/v1/admin/webhooks', {
      token: strict.adminToken,
      body: { url, events: ['token.created'] },
    });
    expect(api.status).toBe(400);
    const [error] = api.body.errors as Array<{ field: string; message: string }>;
    const page = await client.post(BASE, { url, events: 'token.created' }, { from: `${BASE}/new` });
    expect(page.status).toBe(400);
    expect(text(page.html)).toContain(`url: ${error?.message}`);
    expect(page.html).toMatch(/id="url"[^>]*aria-invalid="true"/);
    expect(await apiEndpoints(strict)).toHaveLength(0);

    const good = await strict.request('POST', '/api/v1/admin/webhooks', {
      token: strict.adminToken,
      body: { url: 'https://hooks.example.com/in', events: ['token.created'] },
    });
    const edit = await client.post(
      `${BASE}/${good.body.id}`,
      { url, events: 'token.created', enabled: 'true' },
      {
        from: `${BASE}/${good.body.id}/edit`,
      },
    );
    expect(edit.status).toBe(400);
    expect(text(edit.html)).toContain(`url: ${error?.message}`);
    expect((await apiEndpoints(strict))[0]?.url).toBe('https://hooks.example.com/in');
    await strict.request('DELETE', `/api/v1/admin/webhooks/${good.body.id}`, { token: strict.adminToken });
  });

  it('refuses no events and an unknown event with the API messages', async () => {
    const none = await admin.post(BASE, { url: receiver.url }, { from: `${BASE}/new` });
    expect(none.status).toBe(400);
    expect(text(none.html)).toMatch(/events: .+/);
    const unknown = await admin.post(
      BASE,
      { url: receiver.url, events: 'token.stolen' },
      { from: `${BASE}/new` },
    );
    expect(unknown.status).toBe(400);
    expect(text(unknown.html)).toContain('events[0]: ');
  });

  it('shows the signing secret on one page only: not on a reload, another page, the PAT reveal page or in a log line', async () => {
    const { id, secret, location } = await created();
    const again = await admin.get(location);
    expect(again.status).toBe(410);
    expect(again.html).not.toContain(secret);
    for (const path of [
      BASE,
      `${BASE}/${id}`,
      `${BASE}/${id}/edit`,
      `${BASE}/${id}/delete`,
      '/console/admin',
    ]) {
      expect([path, (await admin.get(path)).html.includes(secret)]).toEqual([path, false]);
    }
    // A webhook slot is never taken by the PAT page, nor a PAT slot by the webhook page.
    const second = await admin.post(
      BASE,
      { url: receiver.url, events: 'token.created' },
      { from: `${BASE}/new` },
    );
    const slot = second.location?.split('/').at(-1);
    expect((await admin.get(`/console/tokens/issued/${slot}`)).status).toBe(410);
    expect((await admin.get(second.location as string)).status).toBe(200);
    expect(server.logs.join('\n')).not.toContain(secret);
    // It is the real secret: a delivery verifies with it.
    receiver.received.length = 0;
    receiver.respond = () => ({ status: 204 });
    await server.createUserWithToken(uniqueName('trigger'), ['tessera:tokens']);
    while ((await server.tessera.deliverWebhooks()) > 0) {}
    const ours = receiver.received.find((r) => tryVerify(r, secret));
    expect(ours).toBeDefined();
    for (const e of await apiEndpoints())
      await server.request('DELETE', `/api/v1/admin/webhooks/${e.id}`, { token: server.adminToken });
  });

  it('scans the description for leaked PATs as the API does', async () => {
    const { token } = await server.createUserWithToken(uniqueName('leaky'), ['tessera:tokens']);
    const answer = await admin.post(
      BASE,
      { url: receiver.url, events: 'token.created', description: `ci ${token}` },
      { from: `${BASE}/new` },
    );
    expect(answer.status).toBe(303);
    const stored = (await apiEndpoints()).find((e) => e.description?.startsWith('ci '));
    expect(stored?.description).toBe('ci [redacted]');
    expect((await server.exchange(token)).status).toBe(400);
    await server.request('DELETE', `/api/v1/admin/webhooks/${stored?.id}`, { token: server.adminToken });
  });
});

function tryVerify(request: Parameters<WebhookReceiver['verify']>[0], secret: string): boolean {
  try {
    receiver.verify(request, secret);
    return true;
  } catch {
    return false;
  }
}

describe('webhook pages', () => {
  it('edit, delivery log, disabled by a failure run, re-enabled, deleted', async () => {
    const { id } = await created(receiver.url, ['token.created']);
    const saved = await admin.post(
      `${BASE}/${id}`,
      {
        url: `${receiver.url}/v2`,
        events: ['token.created', 'token.revoked'],
        description: 'audit sink',
        enabled: 'true',
      },
      { from: `${BASE}/${id}/edit` },
    );
    expect(saved.status).toBe(303);
    expect(saved.location).toBe(`${BASE}/${id}?done=saved`);
    const after = (await apiEndpoints()).find((e) => e.id === id);
    expect(after).toMatchObject({
      url: `${receiver.url}/v2`,
      events: ['token.created', 'token.revoked'],
      description: 'audit sink',
    });

    receiver.respond = () => ({ status: 500 });
    for (let i = 0; i < 2; i++) {
      await server.createUserWithToken(uniqueName('fail'), ['tessera:tokens']);
      while ((await server.tessera.deliverWebhooks()) > 0) {}
    }
    let page = await admin.get(`${BASE}/${id}`);
    expect(page.html).toContain('Delivery log');
    expect(page.html).toContain('token.created');
    expect(page.html).toContain('>500<');
    expect(page.html).toContain('2 consecutive failed deliveries');
    expect(page.html).toContain('Re-enable');
    expect((await apiEndpoints()).find((e) => e.id === id)?.enabled).toBe(false);

    // Saving the form with "Enabled" still unticked keeps the failure run's reason.
    await admin.post(
      `${BASE}/${id}`,
      { url: `${receiver.url}/v2`, events: 'token.created', description: 'x' },
      {
        from: `${BASE}/${id}/edit`,
      },
    );
    expect((await apiEndpoints()).find((e) => e.id === id)?.disabled_reason).toBe(
      '2 consecutive failed deliveries',
    );

    const enabled = await admin.post(`${BASE}/${id}/enable`, {}, { from: `${BASE}/${id}` });
    expect(enabled.location).toBe(`${BASE}/${id}?done=enabled`);
    page = await admin.get(enabled.location as string);
    expect(page.html).toMatch(/role="status"[^>]*>Webhook enabled again/);
    expect((await apiEndpoints()).find((e) => e.id === id)).toMatchObject({
      enabled: true,
      consecutive_failures: 0,
    });

    expect((await admin.get(`${BASE}/${id}/delete`)).html).toContain(`action="${BASE}/${id}/delete"`);
    expect((await admin.post(`${BASE}/${id}/delete`, {}, { from: `${BASE}/${id}/delete` })).status).toBe(303);
    expect((await admin.get(`${BASE}/${id}`)).status).toBe(404);
    expect(
      (await server.request('GET', `/api/v1/admin/webhooks/${id}`, { token: server.adminToken })).status,
    ).toBe(404);
  });
});
