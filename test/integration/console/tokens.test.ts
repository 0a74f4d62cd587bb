import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bannerToken, ConsoleClient } from '../../helpers/console.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

async function signedIn(entitlements: string[], scopes = entitlements) {
  const made = await server.createUserWithToken(uniqueName('p'), entitlements, scopes);
  const client = new ConsoleClient(server);
  await client.signInWithToken(made.token);
  return { ...made, client };
}

const idOf = (html: string, name: string) =>
  new RegExp(`href="/console/tokens/([0-9a-f-]{36})">${name}<`).exec(html)?.[1] as string;

describe('the token pages: abuse first', () => {
  it('a session opened with a narrow PAT offers and grants only that PAT scopes', async () => {
    const { client } = await signedIn(
      ['tessera:tokens', 'repo:read', 'repo:write'],
      ['tessera:tokens', 'repo:read'],
    );
    const form = await client.get('/console/tokens/new');
    expect(form.html).toContain('value="repo:read"');
    expect(form.html).not.toContain('value="repo:write"');
    const page = await client.post(
      '/console/tokens',
      { name: 'wide', scopes: ['repo:write'], expiration: '30' },
      { from: '/console/tokens/new' },
    );
    expect(page.status).toBe(403);
    expect(bannerToken(page.html)).toBeNull();
    expect((await client.get('/console/tokens')).html).not.toContain('>wide<');
  });

  it('a session opened with a narrow PAT cannot rotate a wider token of the same user to read its secret', async () => {
    const made = await server.createUserWithToken(
      uniqueName('p'),
      ['tessera:tokens', 'repo:write'],
      ['tessera:tokens'],
    );
    const wide = await server.request('POST', `/api/v1/users/${made.user.id}/tokens`, {
      token: server.adminToken,
      body: { name: 'wide', scopes: ['repo:write'] },
    });
    const client = new ConsoleClient(server);
    await client.signInWithToken(made.token);
    const page = await client.post(`/console/tokens/${wide.body.id}/rotate`, {}, { from: '/console/tokens' });
    expect(page.status).toBe(403);
    expect(bannerToken(page.html)).toBeNull();
    expect((await server.exchange(wide.body.token)).status).toBe(200);
  });

  it('the form keeps the API caps: a 10 kB name, 500 scopes or a 200-character scope is a 400 and creates nothing', async () => {
    const { client } = await signedIn(['tessera:tokens', 'repo:read']);
    const posts = [
      { name: 'n'.repeat(10_000), scopes: 'repo:read' },
      { name: 'many', scopes: Array.from({ length: 500 }, () => 'repo:read') },
      { name: 'wide', scopes: ['repo:read', `x${'s'.repeat(199)}`] },
    ];
    for (const fields of posts) {
      const page = await client.post(
        '/console/tokens',
        { ...fields, expiration: '30' },
        { from: '/console/tokens/new' },
      );
      expect(page.status).toBe(400);
      expect(bannerToken(page.html)).toBeNull();
    }
    const list = (await client.get('/console/tokens')).html;
    expect(list).not.toContain('>many<');
    expect(list).not.toContain('>wide<');
  });

  it('a service account signed in with its token cannot mint itself another (service_account, as the API)', async () => {
    const made = await server.createUserWithToken(
      uniqueName('svc'),
      ['tessera:tokens', 'repo:read'],
      undefined,
      {
        service: true,
      },
    );
    const client = new ConsoleClient(server);
    await client.signInWithToken(made.token);
    const page = await client.post(
      '/console/tokens',
      { name: 'self-made', scopes: 'repo:read', expiration: '30' },
      { from: '/console/tokens/new' },
    );
    expect(page.status).toBe(403);
    expect(bannerToken(page.html)).toBeNull();
    expect((await client.get('/console/tokens')).html).not.toContain('>self-made<');
  });

  it('a forged post without the CSRF token creates nothing', async () => {
    const { client } = await signedIn(['tessera:tokens', 'repo:read']);
    const page = await client.post('/console/tokens', { name: 'forged', scopes: 'repo:read' });
    expect(page.status).toBe(403);
    expect((await client.get('/console/tokens')).html).not.toContain('>forged<');
  });

  it('another user token id is a 404 page, for reading and for every action', async () => {
    const { pat } = await server.createUserWithToken(uniqueName('other'), ['tessera:tokens']);
    const { client } = await signedIn(['tessera:tokens']);
    expect((await client.get(`/console/tokens/${pat.id}`)).status).toBe(404);
    expect((await client.get(`/console/tokens/${pat.id}/revoke`)).status).toBe(404);
    expect(
      (await client.post(`/console/tokens/${pat.id}/revoke`, {}, { from: '/console/tokens' })).status,
    ).toBe(404);
    expect((await client.get('/console/tokens/not-a-uuid')).status).toBe(404);
  });

  it('bad form input is a 400 page naming the problem, never a 500', async () => {
    const { client } = await signedIn(['tessera:tokens', 'repo:read']);
    const empty = await client.post(
      '/console/tokens',
      { name: '', scopes: 'repo:read' },
      { from: '/console/tokens/new' },
    );
    expect(empty.status).toBe(400);
    expect(empty.html).toContain('Enter a name');
    const long = await client.post(
      '/console/tokens',
      { name: 'x', scopes: 'repo:read', expiration: '99999' },
      { from: '/console/tokens/new' },
    );
    expect(long.status).toBe(400);
    expect(long.html).toContain('expires_in_days');
    const unknown = await client.post(
      '/console/tokens',
      { name: 'x', scopes: 'nope:nope' },
      { from: '/console/tokens/new' },
    );
    expect([400, 403]).toContain(unknown.status);
    const odd = await client.post(
      '/console/tokens',
      { name: 'x', scopes: 'repo:read', expiration: 'soon' },
      { from: '/console/tokens/new' },
    );
    expect(odd.status).toBe(400);
    const huge = await client.post(
      '/console/tokens',
      { name: 'x'.repeat(20_000) },
      { from: '/console/tokens/new' },
    );
    expect(huge.status).toBe(413);
    const json = await client.send('POST', '/console/tokens', {
      body: '{"name":"x"}',
      headers: { 'content-type': 'application/json', origin: server.url },
    });
    expect(json.status).toBe(415);
    const query = await client.get('/console/tokens?status=bogus&cursor=zzz');
    expect(query.status).toBe(400);
  });
});

describe('the token pages', () => {
  it('create shows the secret once (no-store); it exchanges, revoke stops it, restore brings it back', async () => {
    const { client } = await signedIn(['tessera:tokens', 'repo:read']);
    const form = await client.get('/console/tokens/new');
    expect(form.html).toContain('Read repository data');
    expect(form.html).toContain('<select id="expiration" name="expiration">');
    const page = await client.post(
      '/console/tokens',
      { name: 'ci', scopes: 'repo:read', expiration: '30' },
      { from: '/console/tokens/new' },
    );
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const token = bannerToken(page.html) as string;
    expect(token).toMatch(/^tsr_/);
    expect(page.html).toContain('role="alert"');
    expect(page.html).toContain('will not be shown again');
    expect(page.html).toContain('export TESSERA_TOKEN=');

    expect((await server.exchange(token)).status).toBe(200);
    const list = await client.get('/console/tokens');
    expect(list.html).not.toContain(token);
    const id = idOf(list.html, 'ci');
    const confirm = await client.get(`/console/tokens/${id}/revoke`);
    expect(confirm.html).toContain('Revoke ci');
    expect((await client.post(`/console/tokens/${id}/revoke`, {}, { from: '/console/tokens' })).status).toBe(
      303,
    );
    expect((await server.exchange(token)).status).toBe(400);
    expect((await client.get('/console/tokens?status=revoked')).html).toContain('>ci<');
    expect((await client.post(`/console/tokens/${id}/restore`, {}, { from: '/console/tokens' })).status).toBe(
      303,
    );
    expect((await server.exchange(token)).status).toBe(200);

    const detail = await client.get(`/console/tokens/${id}`);
    expect(detail.html).toContain('token.exchanged');
    expect(detail.html).toContain('pat.revoked');
    expect(detail.html).not.toContain(token);
    expect(server.logs.join('')).not.toContain(token);
    const audit = await server.tessera.db.query<{ t: string }>(
      'SELECT row_to_json(a)::text AS t FROM audit_events a',
    );
    expect(audit.rows.map((r) => r.t).join('\n')).not.toContain(token);
  });

  it('rotate shows a new secret once and the old one stops; delete needs a revoked token', async () => {
    const { client } = await signedIn(['tessera:tokens', 'repo:read']);
    const created = await client.post(
      '/console/tokens',
      { name: 'rot', scopes: 'repo:read' },
      { from: '/console/tokens/new' },
    );
    const old = bannerToken(created.html) as string;
    const id = idOf((await client.get('/console/tokens')).html, 'rot');
    const rotated = await client.post(`/console/tokens/${id}/rotate`, {}, { from: '/console/tokens' });
    expect(rotated.status).toBe(200);
    expect(rotated.headers.get('cache-control')).toBe('no-store');
    const fresh = bannerToken(rotated.html) as string;
    expect(fresh).not.toBe(old);
    expect((await server.exchange(old)).status).toBe(400);
    expect((await server.exchange(fresh)).status).toBe(200);

    const freshId = /href="\/console\/tokens\/([0-9a-f-]{36})">rot</.exec(
      (await client.get('/console/tokens?status=active')).html,
    )?.[1] as string;
    const refused = await client.post(`/console/tokens/${freshId}/delete`, {}, { from: '/console/tokens' });
    expect(refused.status).toBe(409);
    expect((await client.post(`/console/tokens/${id}/delete`, {}, { from: '/console/tokens' })).status).toBe(
      303,
    );
    expect((await client.get(`/console/tokens/${id}`)).status).toBe(404);
  });

  it('pages through a token events, oldest last', async () => {
    const { client, token, pat } = await signedIn(['tessera:tokens']);
    for (let i = 0; i < 3; i++) await server.exchange(token);
    const first = await client.get(`/console/tokens/${pat.id}?limit=2`);
    expect(first.html.match(/<td>token.exchanged<\/td>/g)).toHaveLength(2);
    expect(first.html).not.toContain('<td>pat.created</td>');
    const older = /href="\?(cursor=[^"]+)" rel="next">Older events/.exec(first.html)?.[1] as string;
    const second = await client.get(`/console/tokens/${pat.id}?${older}`);
    expect(second.html).toContain('<td>pat.created</td>');
    expect(second.html).not.toContain('Older events');
    expect((await client.get(`/console/tokens/${pat.id}?cursor=forged`)).status).toBe(400);
  });

  it('shows last use as relative time with the exact time in the title, and pages through the list', async () => {
    const { client, token } = await signedIn(['tessera:tokens', 'repo:read']);
    for (let i = 0; i < 21; i++) {
      await client.post(
        '/console/tokens',
        { name: `bulk-${i}`, scopes: 'repo:read' },
        { from: '/console/tokens/new' },
      );
    }
    await server.exchange(token);
    const first = await client.get('/console/tokens');
    expect(first.html).toMatch(
      /<time datetime="[^"]+" title="\d{4}-\d\d-\d\d \d\d:\d\d UTC">just now<\/time>/,
    );
    const next = /href="(\/console\/tokens\?cursor=[^"]+)" rel="next"/.exec(first.html)?.[1] as string;
    expect(next).toBeDefined();
    const second = await client.get(next.replaceAll('&amp;', '&'));
    expect(second.html).toContain('>seed<');
    expect(first.html).not.toContain('>seed<');
  });
});
