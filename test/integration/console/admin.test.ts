import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bannerToken, ConsoleClient } from '../../helpers/console.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

let server: TestServer;
let admin: ConsoleClient;
beforeAll(async () => {
  server = await startTestServer();
  admin = new ConsoleClient(server);
  await admin.signInWithToken(server.adminToken);
});
afterAll(() => server.stop());

const figure = (html: string, id: string) =>
  Number(new RegExp(`data-figure="${id}">(\\d+)<`).exec(html)?.[1]);

describe('admin pages: abuse first', () => {
  it('are 404 for a session without tessera:admin, also when the user is an admin signed in with a narrow PAT', async () => {
    const { token } = await server.createUserWithToken(
      uniqueName('boss'),
      ['tessera:tokens', 'tessera:admin'],
      ['tessera:tokens'],
    );
    const narrow = new ConsoleClient(server);
    await narrow.signInWithToken(token);
    expect((await narrow.get('/console/admin')).status).toBe(404);
    expect((await narrow.get('/console/admin/users')).status).toBe(404);
    const { user } = await server.createUserWithToken(uniqueName('victim'), ['tessera:tokens']);
    const post = await narrow.post(
      `/console/admin/users/${user.id}/disable`,
      {},
      { from: '/console/tokens' },
    );
    expect(post.status).toBe(404);
    expect(
      (await server.request('GET', `/api/v1/users/${user.id}`, { token: server.adminToken })).body.disabled,
    ).toBe(false);
  });
});

describe('admin pages', () => {
  it('shows the figures /api/v1/admin/stats gives', async () => {
    const { token } = await server.createUserWithToken(uniqueName('u'), ['tessera:tokens', 'repo:read']);
    await server.exchange(token);
    await server.exchange('tsr_bogus');
    const page = await admin.get('/console/admin');
    expect(page.status).toBe(200);
    const stats = (await server.request('GET', '/api/v1/admin/stats', { token: server.adminToken })).body;
    expect(page.html).toContain('>Active tokens<');
    expect(figure(page.html, 'active_pats')).toBe(stats.active_pats);
    expect(figure(page.html, 'users_with_active_pats')).toBe(stats.users_with_active_pats);
    expect(figure(page.html, 'never_used_pats')).toBe(stats.never_used_pats);
    expect(figure(page.html, 'exchanges_24h_granted')).toBe(stats.exchanges_24h_granted);
    expect(figure(page.html, 'exchanges_24h_denied')).toBe(stats.exchanges_24h_denied);
  });

  it('lists everyone tokens with filters and revokes one', async () => {
    const { user, token, pat } = await server.createUserWithToken(uniqueName('own'), [
      'tessera:tokens',
      'repo:read',
    ]);
    const byUser = await admin.get(`/console/admin/tokens?user=${user.username}`);
    expect(byUser.html).toContain(`href="/console/admin/tokens/${pat.id}"`);
    expect(byUser.html).toContain('Revoke<span class="visually-hidden"> seed</span>');
    const neverUsed = await admin.get(
      `/console/admin/tokens?user=${user.username}&never_used=true&status=&expiring_within_days=`,
    );
    expect(neverUsed.html).toContain(pat.id);
    expect((await admin.get('/console/admin/tokens?user=nobody-at-all')).html).not.toContain(
      '/console/admin/tokens/',
    );
    expect(
      (await admin.post(`/console/admin/tokens/${pat.id}/revoke`, {}, { from: '/console/admin/tokens' }))
        .status,
    ).toBe(303);
    expect((await server.exchange(token)).status).toBe(400);
    expect((await admin.get(`/console/admin/tokens/${pat.id}`)).html).toContain('revoked by admin');
  });

  it('creates a service account, gives it a token with the banner, changes entitlements, disables and deletes a user', async () => {
    const name = uniqueName('svc');
    const created = await admin.post(
      '/console/admin/users',
      { username: name, entitlements: ['tessera:tokens', 'repo:read'], service: 'true' },
      { from: '/console/admin/users' },
    );
    expect(created.status).toBe(303);
    const userPath = created.location as string;
    const id = userPath.split('/').at(-1) as string;
    expect(
      (await server.request('GET', `/api/v1/users/${id}`, { token: server.adminToken })).body,
    ).toMatchObject({ service: true, entitlements: ['tessera:tokens', 'repo:read'] });

    // The service account's form keeps the API's caps: 500 scopes are a 400 beside the form.
    const flood = await admin.post(
      `/console/admin/users/${id}/tokens`,
      { name: 'flood', scopes: Array.from({ length: 500 }, () => 'repo:read'), expiration: '7' },
      { from: `/console/admin/users/${id}/tokens/new` },
    );
    expect(flood.status).toBe(400);
    expect(bannerToken(flood.html)).toBeNull();

    const issued = await admin.post(
      `/console/admin/users/${id}/tokens`,
      { name: 'deploy', scopes: 'repo:read', expiration: '7' },
      { from: `/console/admin/users/${id}/tokens/new` },
    );
    expect(issued.status).toBe(200);
    expect(issued.headers.get('cache-control')).toBe('no-store');
    const token = bannerToken(issued.html) as string;
    expect((await server.exchange(token, { scope: 'repo:read' })).status).toBe(200);

    await admin.post(
      `/console/admin/users/${id}/entitlements`,
      { entitlements: ['tessera:tokens'] },
      { from: userPath },
    );
    expect((await server.exchange(token, { scope: 'repo:read' })).status).toBe(400);

    expect(
      (await admin.post(`/console/admin/users/${id}/disable`, {}, { from: '/console/admin/users' })).status,
    ).toBe(303);
    expect((await server.exchange(token)).status).toBe(400);
    await admin.post(`/console/admin/users/${id}/enable`, {}, { from: '/console/admin/users' });
    expect((await admin.get(`/console/admin/users/${id}/delete`)).html).toContain(`Delete ${name}`);
    expect(
      (await admin.post(`/console/admin/users/${id}/delete`, {}, { from: '/console/admin/users' })).status,
    ).toBe(303);
    expect((await server.request('GET', `/api/v1/users/${id}`, { token: server.adminToken })).status).toBe(
      404,
    );
  });

  it('an admin cannot remove their own tessera:admin', async () => {
    const page = await admin.post(
      `/console/admin/users/${server.adminId}/entitlements`,
      { entitlements: ['tessera:tokens'] },
      { from: `/console/admin/users/${server.adminId}` },
    );
    expect(page.status).toBe(409);
    expect(page.html).toContain('cannot remove their own tessera:admin');
    const me = await server.request('GET', '/api/v1/me', { token: server.adminToken });
    expect(me.body.entitlements).toContain('tessera:admin');
  });

  it('a bad username or a taken one is a form error, never a 500', async () => {
    const bad = await admin.post(
      '/console/admin/users',
      { username: '<script>' },
      { from: '/console/admin/users' },
    );
    expect(bad.status).toBe(400);
    expect(bad.html).not.toContain('<script>');
    const taken = await admin.post(
      '/console/admin/users',
      { username: 'admin' },
      { from: '/console/admin/users' },
    );
    expect(taken.status).toBe(409);
    expect(taken.html).toContain('taken');
  });
});
