import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConsoleClient } from '../../helpers/console.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

async function auditRows(action: string, userId?: string) {
  const { rows } = await server.tessera.db.query<{
    outcome: string;
    reason: string | null;
    pat_id: string | null;
  }>(
    `SELECT outcome, reason, pat_id FROM audit_events WHERE action = $1 AND ($2::uuid IS NULL OR subject_user_id = $2)
     ORDER BY id`,
    [action, userId ?? null],
  );
  return rows;
}

describe('token sign-in: abuse first', () => {
  it('refuses a made-up token with one message, no cookie, and an audit row without the token', async () => {
    const client = new ConsoleClient(server);
    const made = 'tsr_thisIsNotARealTokenAtAll0000000000';
    const page = await client.signInWithToken(made);
    expect(page.status).toBe(400);
    expect(client.cookie).toBeNull();
    expect(page.html).toContain('cannot be used to sign in');
    expect(page.html).not.toContain(made);
    const { rows } = await server.tessera.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_events WHERE action = 'console.sign_in_refused' AND reason = 'unusable token'`,
    );
    expect(rows[0]?.n).toBeGreaterThan(0);
    expect(server.logs.join('')).not.toContain(made);
  });

  it('refuses a valid PAT without tessera:tokens and audits it against that PAT', async () => {
    const { user, token, pat } = await server.createUserWithToken(
      uniqueName('reader'),
      ['tessera:tokens', 'repo:read'],
      ['repo:read'],
    );
    const client = new ConsoleClient(server);
    expect((await client.signInWithToken(token)).status).toBe(400);
    expect(client.cookie).toBeNull();
    expect(await auditRows('console.sign_in_refused', user.id)).toEqual([
      { outcome: 'failure', reason: 'token lacks tessera:tokens', pat_id: pat.id },
    ]);
    const audit = await server.tessera.db.query<{ t: string }>(
      'SELECT row_to_json(a)::text AS t FROM audit_events a',
    );
    expect(audit.rows.map((r) => r.t).join('\n')).not.toContain(token);
  });

  it('refuses a sign-in form posted from another site', async () => {
    const { token } = await server.createUserWithToken(uniqueName('x'), ['tessera:tokens']);
    const client = new ConsoleClient(server);
    expect(
      (await client.post('/console/sign-in', { token }, { origin: 'https://evil.example' })).status,
    ).toBe(403);
    expect((await client.post('/console/sign-in', { token }, { origin: null })).status).toBe(403);
    // A null Origin (what no-referrer pages send) passes only with the browser's same-origin fetch metadata.
    const nullOrigin = { 'content-type': 'application/x-www-form-urlencoded', origin: 'null' };
    const body = new URLSearchParams({ token }).toString();
    const crossSite = await client.send('POST', '/console/sign-in', {
      body,
      headers: { ...nullOrigin, 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.status).toBe(403);
    expect((await client.send('POST', '/console/sign-in', { body, headers: nullOrigin })).status).toBe(403);
    expect(client.cookie).toBeNull();
    const sameOrigin = await client.send('POST', '/console/sign-in', {
      body,
      headers: { ...nullOrigin, 'sec-fetch-site': 'same-origin' },
    });
    expect(sameOrigin.status).toBe(303);
    expect(client.cookie).not.toBeNull();
  });

  it("compares Origin with the issuer's origin, not with the request's own Host (issue 18)", async () => {
    const { token } = await server.createUserWithToken(uniqueName('x'), ['tessera:tokens']);
    // A DNS-rebound name (or a trusted proxy's X-Forwarded-Host) makes Host say what Origin says.
    // fetch does not send a Host of our choosing: node:http does.
    const body = new URLSearchParams({ token }).toString();
    const answer = await new Promise<{ status: number; cookie: string[] }>((resolve, reject) => {
      const { port } = new URL(server.url);
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/console/sign-in',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            host: `rebound.example:${port}`,
            origin: `http://rebound.example:${port}`,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, cookie: res.headers['set-cookie'] ?? [] }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(answer.status).toBe(403);
    expect(answer.cookie).toEqual([]);
  });

  it('ignores a return_to that leaves the console', async () => {
    const { token } = await server.createUserWithToken(uniqueName('x'), ['tessera:tokens']);
    for (const evil of [
      'https://evil.example',
      '//evil.example/console',
      '/\\evil.example',
      '/console/../../x',
    ]) {
      const client = new ConsoleClient(server);
      const page = await client.signInWithToken(token, evil);
      expect(page.status).toBe(303);
      expect(page.location).toMatch(/^\/console\//);
      expect(page.location).not.toContain('evil');
    }
  });
});

describe('token sign-in and the session', () => {
  it('GET / leads to the console, and the console to sign-in', async () => {
    const root = await new ConsoleClient(server).get('/');
    expect(root.status).toBe(302);
    expect(root.location).toBe('/console');
    const tokens = await new ConsoleClient(server).get('/console/tokens');
    expect(tokens.status).toBe(303);
    expect(tokens.location).toBe('/console/sign-in?return_to=%2Fconsole%2Ftokens');
  });

  it('signs in with a PAT carrying tessera:tokens, with a HttpOnly SameSite=Lax cookie, audited', async () => {
    const { user, token, pat } = await server.createUserWithToken(uniqueName('ada'), ['tessera:tokens']);
    const client = new ConsoleClient(server);
    const page = await client.signInWithToken(token, '/console/sessions');
    expect(page.status).toBe(303);
    expect(page.location).toBe('/console/sessions');
    const cookie = page.headers.getSetCookie()[0] ?? '';
    expect(cookie).toMatch(
      /^tessera_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=43200$/,
    );
    expect(await auditRows('console.signed_in', user.id)).toEqual([
      { outcome: 'success', reason: 'access token', pat_id: pat.id },
    ]);
    const tokens = await client.get('/console/tokens');
    expect(tokens.status).toBe(200);
    expect(tokens.html).toContain('<caption>Personal access tokens</caption>');
    expect(tokens.html).toContain(user.username);
    // The session stores only a hash of the cookie's secret.
    const secret = (client.cookie ?? '').split('=')[1] as string;
    const stored = await server.tessera.db.query<{ t: string }>(
      'SELECT row_to_json(s)::text AS t FROM console_sessions s',
    );
    expect(stored.rows.map((r) => r.t).join('\n')).not.toContain(secret);
  });

  it('a new sign-in in the same browser ends the session it held', async () => {
    const { token } = await server.createUserWithToken(uniqueName('hal'), ['tessera:tokens']);
    const client = new ConsoleClient(server);
    await client.signInWithToken(token);
    const first = client.cookie;
    await client.signInWithToken(token);
    expect(client.cookie).not.toBe(first);
    expect((await client.get('/console/tokens')).status).toBe(200);
    client.cookie = first;
    expect((await client.get('/console/tokens')).status).toBe(303);
  });

  it('matches console paths case-sensitively: another spelling is a 404, signed in or not', async () => {
    const { token } = await server.createUserWithToken(uniqueName('case'), ['tessera:tokens']);
    const client = new ConsoleClient(server);
    expect((await client.get('/console/TOKENS')).status).toBe(404);
    await client.signInWithToken(token);
    expect((await client.get('/console/Tokens')).status).toBe(404);
    expect((await client.get('/console/tokens')).status).toBe(200);
  });

  it('sends the security headers on every console page', async () => {
    const page = await new ConsoleClient(server).get('/console/sign-in');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('cache-control')).toBe('no-store');
  });

  it('sign-out ends the session: the old cookie gets the sign-in page', async () => {
    const { user, token } = await server.createUserWithToken(uniqueName('bob'), ['tessera:tokens']);
    const client = new ConsoleClient(server);
    await client.signInWithToken(token);
    const oldCookie = client.cookie;
    const out = await client.post('/console/sign-out', {}, { from: '/console/tokens' });
    expect(out.status).toBe(303);
    expect(out.location).toBe('/console/sign-in');
    client.cookie = oldCookie;
    const after = await client.get('/console/tokens');
    expect(after.status).toBe(303);
    expect(after.location).toContain('/console/sign-in');
    expect(await auditRows('console.signed_out', user.id)).toHaveLength(1);
  });

  it('ends the session at once when the sign-in PAT is revoked', async () => {
    const { token, pat } = await server.createUserWithToken(uniqueName('carl'), ['tessera:tokens']);
    const client = new ConsoleClient(server);
    await client.signInWithToken(token);
    expect((await client.get('/console/tokens')).status).toBe(200);
    await server.request('POST', `/api/v1/admin/tokens/${pat.id}/revoke`, {
      token: server.adminToken,
      body: {},
    });
    expect((await client.get('/console/tokens')).status).toBe(303);
  });

  it('ends the session at once when the user is disabled, and it stays ended after enabling', async () => {
    const { user, token } = await server.createUserWithToken(uniqueName('dora'), ['tessera:tokens']);
    const client = new ConsoleClient(server);
    await client.signInWithToken(token);
    await server.request('POST', `/api/v1/users/${user.id}/disable`, { token: server.adminToken, body: {} });
    expect((await client.get('/console/tokens')).status).toBe(303);
    await server.request('POST', `/api/v1/users/${user.id}/enable`, { token: server.adminToken, body: {} });
    expect((await client.get('/console/tokens')).status).toBe(303);
  });

  it('ends an idle session and one past its absolute lifetime', async () => {
    const { token } = await server.createUserWithToken(uniqueName('eve'), ['tessera:tokens']);
    const idle = new ConsoleClient(server);
    await idle.signInWithToken(token);
    server.advance(61 * 60_000);
    expect((await idle.get('/console/tokens')).status).toBe(303);

    const busy = new ConsoleClient(server);
    await busy.signInWithToken(token);
    // Used every 55 minutes for 11 h 55 min: never idle, then past the 12 h limit.
    for (let step = 0; step < 13; step++) {
      server.advance(55 * 60_000);
      expect((await busy.get('/console/tokens')).status).toBe(200);
    }
    server.advance(10 * 60_000);
    expect((await busy.get('/console/tokens')).status).toBe(303);

    // A day after its end, the next sign-in anywhere deletes the row.
    const count = async () =>
      (await server.tessera.db.query<{ n: number }>('SELECT count(*)::int AS n FROM console_sessions'))
        .rows[0]?.n;
    const before = await count();
    server.advance(25 * 3_600_000);
    await new ConsoleClient(server).signInWithToken(token);
    expect(await count()).toBeLessThan((before ?? 0) + 1);
  });

  it('signs out the other sessions of the user, not this one', async () => {
    const { token } = await server.createUserWithToken(uniqueName('fay'), ['tessera:tokens']);
    const here = new ConsoleClient(server);
    const there = new ConsoleClient(server);
    await here.signInWithToken(token);
    await there.signInWithToken(token);
    const list = await here.get('/console/sessions');
    expect(list.html).toContain('(this session)');
    expect(list.html.match(/<td>access token<\/td>/g)).toHaveLength(2);
    expect(
      (await here.post('/console/sessions/sign-out-others', {}, { from: '/console/sessions' })).status,
    ).toBe(303);
    expect((await there.get('/console/tokens')).status).toBe(303);
    expect((await here.get('/console/tokens')).status).toBe(200);
  });

  it('refuses a signed-in post without the CSRF token, from another origin, or with another session token', async () => {
    const { token } = await server.createUserWithToken(uniqueName('gus'), ['tessera:tokens']);
    const client = new ConsoleClient(server);
    await client.signInWithToken(token);
    expect((await client.post('/console/sign-out', {})).status).toBe(403);
    expect(
      (
        await client.post(
          '/console/sign-out',
          {},
          { from: '/console/tokens', origin: 'https://evil.example' },
        )
      ).status,
    ).toBe(403);
    const other = new ConsoleClient(server);
    await other.signInWithToken(token);
    const foreign = /name="_csrf" value="([^"]+)"/.exec(
      (await other.get('/console/tokens')).html,
    )?.[1] as string;
    expect((await client.post('/console/sign-out', { _csrf: foreign })).status).toBe(403);
    expect((await client.get('/console/tokens')).status).toBe(200);
  });
});
