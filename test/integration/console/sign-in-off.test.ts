import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConsoleClient } from '../../helpers/console.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ configFile: { login: { tokenSignIn: false } } });
});
afterAll(() => server.stop());

describe('login.tokenSignIn: false', () => {
  it('offers neither the token form nor SSO, and refuses a token sign-in, even the bootstrap token', async () => {
    const client = new ConsoleClient(server);
    const page = await client.get('/console/sign-in');
    expect(page.html).not.toContain('Access token');
    expect(page.html).not.toContain('Sign in with SSO');
    expect((await client.signInWithToken(server.adminToken)).status).toBe(404);
    expect(client.cookie).toBeNull();
    expect((await client.get('/console/sso')).status).toBe(404);
    expect((await client.get('/console/callback?code=x&state=y')).status).toBe(404);
  });
});
