/**
 * POST -> 303 -> a one-time page (issue 18): reloading the page that shows a new token shows
 * "This token was already shown" and mints nothing; the secret waits server-side sealed (never
 * the plaintext in the database), for this session only, at most 10 minutes.
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
  const made = await server.createUserWithToken(uniqueName('reveal'), ['tessera:tokens', 'repo:read']);
  const client = new ConsoleClient(server);
  await client.signInWithToken(made.token);
  return { ...made, client };
}

const names = async (token: string) =>
  (await server.request('GET', '/api/v1/tokens?limit=100', { token })).body.items.map(
    (p: { name: string }) => p.name,
  );

describe('the one-time page of a new token', () => {
  it('a reload says the token was already shown, and no second token exists', async () => {
    const { client, token } = await signedIn();
    const page = await client.post(
      '/console/tokens',
      { name: 'once', scopes: 'repo:read' },
      { from: '/console/tokens/new' },
    );
    const secret = bannerToken(page.html) as string;
    expect(secret).toMatch(/^tsr_/);
    expect(page.issuedAt).toMatch(/^\/console\/tokens\/issued\//);
    const reload = await client.get(page.issuedAt as string);
    expect(reload.status).toBe(410);
    expect(reload.html).toContain('This token was already shown');
    expect(bannerToken(reload.html)).toBeNull();
    expect(reload.html).not.toContain(secret);
    expect((await names(token)).filter((n: string) => n === 'once')).toHaveLength(1);
  });

  it('holds the secret sealed, for its own session only', async () => {
    const { client } = await signedIn();
    const form = new URLSearchParams({ name: 'sealed', scopes: 'repo:read' });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(
      (await client.get('/console/tokens/new')).html,
    )?.[1] as string;
    form.append('_csrf', csrf);
    const posted = await client.send('POST', '/console/tokens', {
      body: form.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
    });
    expect(posted.status).toBe(303);
    const { rows } = await server.database.db.query<{ sealed: Buffer }>(
      'SELECT sealed FROM console_token_reveals',
    );
    expect(rows.length).toBeGreaterThan(0);
    // Another signed-in session cannot take it (and does not use it up).
    const other = await signedIn();
    expect((await other.client.get(posted.location as string)).status).toBe(410);
    const shown = await client.get(posted.location as string);
    const secret = bannerToken(shown.html) as string;
    expect(secret).toMatch(/^tsr_/);
    for (const row of rows) expect(Buffer.from(row.sealed).toString('latin1')).not.toContain(secret.slice(4));
  });

  it('expires after 10 minutes unseen', async () => {
    const { client } = await signedIn();
    const form = new URLSearchParams({ name: 'late', scopes: 'repo:read' });
    form.append(
      '_csrf',
      /name="_csrf" value="([^"]+)"/.exec((await client.get('/console/tokens/new')).html)?.[1] as string,
    );
    const posted = await client.send('POST', '/console/tokens', {
      body: form.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
    });
    server.advance(10 * 60_000 + 1);
    expect((await client.get(posted.location as string)).status).toBe(410);
  });

  it('a rotation and an admin token for a service account are shown once too', async () => {
    const { client, token, pat } = await signedIn();
    const rotated = await client.post(`/console/tokens/${pat.id}/rotate`, {}, { from: '/console/tokens' });
    expect(bannerToken(rotated.html)).toMatch(/^tsr_/);
    const fresh = bannerToken(rotated.html) as string;
    expect((await client.get(rotated.issuedAt as string)).status).toBe(410);
    expect((await names(fresh)).length).toBe(2);
    expect(token).not.toBe(fresh);

    const admin = new ConsoleClient(server);
    await admin.signInWithToken(server.adminToken);
    const user = await server.request('POST', '/api/v1/users', {
      token: server.adminToken,
      body: { username: uniqueName('svc'), entitlements: ['repo:read'], service: true },
    });
    const base = `/console/admin/users/${user.body.id}/tokens`;
    const made = await admin.post(base, { name: 'ci', scopes: 'repo:read' }, { from: `${base}/new` });
    expect(bannerToken(made.html)).toMatch(/^tsr_/);
    expect((await admin.get(made.issuedAt as string)).status).toBe(410);
    const listed = await server.request('GET', `/api/v1/admin/tokens?user=${user.body.id}`, {
      token: server.adminToken,
    });
    expect(listed.body.items).toHaveLength(1);
  });
});
