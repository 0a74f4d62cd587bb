/**
 * SSO failures that need no working IdP: it is unreachable, or the callback arrives without the
 * sign-in this browser started. Each is a clear error page (4xx/502), never a 500, never a session.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConsoleClient } from '../../helpers/console.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

let server: TestServer;
let deadIdp: Server;
let discoveries = 0;

beforeAll(async () => {
  // An "IdP" that answers every request with a 500: discovery fails.
  deadIdp = createServer((_req, res) => {
    discoveries++;
    res.statusCode = 500;
    res.end();
  });
  await new Promise<void>((resolve) => deadIdp.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(deadIdp.address() as AddressInfo).port}`;
  server = await startTestServer({
    configFile: { login: { oidc: { issuer, clientId: 'tessera', clientSecret: 'secret-0123456789' } } },
  });
});
afterAll(async () => {
  await server.stop();
  deadIdp.close();
});

describe('SSO errors', () => {
  it('an unreachable IdP is a 502 page saying so, and is tried again next time', async () => {
    const client = new ConsoleClient(server);
    const page = await client.get('/console/sso');
    expect(page.status).toBe(502);
    expect(page.html).toContain('identity provider cannot be reached');
    const before = discoveries;
    expect((await client.get('/console/sso')).status).toBe(502);
    expect(discoveries).toBe(before + 1);
    expect(client.cookie).toBeNull();
  });

  it('a callback without this browser state, or with an IdP error, is a 400 page and is audited', async () => {
    const client = new ConsoleClient(server);
    const stray = await client.get('/console/callback?code=abc&state=whatever');
    expect(stray.status).toBe(400);
    expect(stray.html).toContain('Sign-in failed');
    const denied = await client.get('/console/callback?error=access_denied&state=x');
    expect(denied.status).toBe(400);
    expect(denied.html).toContain('access_denied');
    const hostile = await client.get(`/console/callback?error=${encodeURIComponent('<script>x</script>')}`);
    expect(hostile.status).toBe(400);
    expect(hostile.html).not.toContain('<script>x');
    expect(client.cookie).toBeNull();
    const { rows } = await server.tessera.db.query<{ reason: string }>(
      `SELECT reason FROM audit_events WHERE action = 'console.sign_in_refused' ORDER BY id`,
    );
    expect(rows.map((r) => r.reason)).toEqual([
      'sso: state mismatch',
      'sso: idp error access_denied',
      'sso: idp error <script>x</script>',
    ]);
  });
});
