/**
 * The new-token form's "Allowed networks" (a PAT's `allowed_cidrs`, docs/design.md "PATs"): parsed by
 * the API's own rules, so the API shows what the form was given, in canonical form; a bad entry
 * is a 400 page naming it beside the field, and creates nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bannerToken, ConsoleClient } from '../../helpers/console.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

async function signedIn() {
  const made = await server.createUserWithToken(uniqueName('net'), ['tessera:tokens', 'repo:read']);
  const client = new ConsoleClient(server);
  await client.signInWithToken(made.token);
  return { ...made, client };
}

async function ownTokens(token: string) {
  const listed = await server.request('GET', '/api/v1/tokens?limit=100', { token });
  return listed.body.items as Array<{ id: string; name: string; allowed_cidrs: string[] | null }>;
}

describe('Allowed networks on the new-token form', () => {
  it('offers the field, labelled, with its hint', async () => {
    const { client } = await signedIn();
    const form = await client.get('/console/tokens/new');
    expect(form.html).toContain('<label for="allowed_cidrs">Allowed networks</label>');
    expect(form.html).toMatch(
      /<textarea id="allowed_cidrs" name="allowed_cidrs"[^>]*aria-describedby="allowed_cidrs-hint"/,
    );
  });

  it('creates the token with those networks, as the API shows them, and the token page lists them', async () => {
    const { client, token } = await signedIn();
    const page = await client.post(
      '/console/tokens',
      { name: 'fenced', scopes: 'repo:read', allowed_cidrs: '203.0.113.0/24, 2001:DB8::/32\n10.0.0.1' },
      { from: '/console/tokens/new' },
    );
    expect(page.status).toBe(200);
    expect(bannerToken(page.html)).not.toBeNull();
    const made = (await ownTokens(token)).find((p) => p.name === 'fenced');
    expect(made?.allowed_cidrs).toEqual(['203.0.113.0/24', '2001:db8::/32', '10.0.0.1/32']);
    const shown = await client.get(`/console/tokens/${made?.id}`);
    expect(shown.html).toContain('203.0.113.0/24 2001:db8::/32 10.0.0.1/32');
    // From 127.0.0.1, outside every network: the ordinary unusable PAT.
    expect((await server.exchange(bannerToken(page.html) as string)).status).toBe(400);
  });

  it('an empty field leaves the token usable from anywhere', async () => {
    const { client, token } = await signedIn();
    const page = await client.post(
      '/console/tokens',
      { name: 'open', scopes: 'repo:read', allowed_cidrs: ' \n ' },
      { from: '/console/tokens/new' },
    );
    expect(page.status).toBe(200);
    const open = (await ownTokens(token)).find((p) => p.name === 'open');
    expect(open?.allowed_cidrs).toBeNull();
    expect((await server.exchange(bannerToken(page.html) as string)).status).toBe(200);
    const shown = await client.get(`/console/tokens/${open?.id}`);
    expect(shown.html).toContain('any address');
    expect(shown.html).toMatch(/Last used from<\/dt><dd><ul class="plain"><li><code>127\.0\.0\.1<\/code>/);
  });

  it('an invalid network is a 400 page naming it beside the field, and creates nothing', async () => {
    const { client, token } = await signedIn();
    const page = await client.post(
      '/console/tokens',
      { name: 'bad-net', scopes: 'repo:read', allowed_cidrs: '10.0.0.0/8 203.0.113.0/33' },
      { from: '/console/tokens/new' },
    );
    expect(page.status).toBe(400);
    expect(bannerToken(page.html)).toBeNull();
    expect(page.html).toMatch(
      /<ul class="field-error" id="allowed_cidrs-error"><li>203\.0\.113\.0\/33: expected an IPv4 or IPv6 CIDR/,
    );
    expect(page.html).toContain('aria-invalid="true"');
    expect(page.html).toContain('10.0.0.0/8 203.0.113.0/33</textarea>');
    expect((await ownTokens(token)).map((p) => p.name)).not.toContain('bad-net');
  });

  it('more than 20 networks is refused the same way', async () => {
    const { client, token } = await signedIn();
    const many = Array.from({ length: 21 }, (_, i) => `10.0.${i}.0/24`).join('\n');
    const page = await client.post(
      '/console/tokens',
      { name: 'too-many', scopes: 'repo:read', allowed_cidrs: many },
      { from: '/console/tokens/new' },
    );
    expect(page.status).toBe(400);
    expect(page.html).toContain('at most 20 networks');
    expect((await ownTokens(token)).map((p) => p.name)).not.toContain('too-many');
  });
});

describe("Allowed networks on an admin's form for a service account", () => {
  it('passes them to the same service, and refuses a bad one beside the field', async () => {
    const admin = new ConsoleClient(server);
    await admin.signInWithToken(server.adminToken);
    const user = await server.request('POST', '/api/v1/users', {
      token: server.adminToken,
      body: { username: uniqueName('svc'), entitlements: ['repo:read'], service: true },
    });
    const base = `/console/admin/users/${user.body.id}/tokens`;
    const bad = await admin.post(
      base,
      { name: 'ci', scopes: 'repo:read', allowed_cidrs: 'example.com/24' },
      { from: `${base}/new` },
    );
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('id="allowed_cidrs-error"><li>example.com/24: expected an IPv4 or IPv6 CIDR');
    const made = await admin.post(
      base,
      { name: 'ci', scopes: 'repo:read', allowed_cidrs: '127.0.0.1' },
      { from: `${base}/new` },
    );
    expect(made.status).toBe(200);
    const listed = await server.request('GET', `/api/v1/admin/tokens?user=${user.body.id}`, {
      token: server.adminToken,
    });
    expect(listed.body.items.map((p: { allowed_cidrs: string[] }) => p.allowed_cidrs)).toEqual([
      ['127.0.0.1/32'],
    ]);
    expect((await server.exchange(bannerToken(made.html) as string)).status).toBe(200);
  });
});
