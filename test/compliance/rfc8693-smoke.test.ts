import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startTestServer, type TestServer, uniqueName } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

it('exchanges a PAT for a JWT that verifies against the served JWKS', async () => {
  const { token, user, pat } = await server.createUserWithToken(uniqueName('ex'), [
    'tessera:tokens',
    'repo:read',
  ]);
  const res = await server.exchange(token, { scope: 'repo:read' });
  expect(res.status).toBe(200);
  expect(res.headers.get('cache-control')).toBe('no-store');
  const jwks = createRemoteJWKSet(new URL(`${server.url}/jwks`));
  const { payload, protectedHeader } = await jwtVerify(res.body.access_token, jwks, {
    issuer: server.url,
    audience: `${server.url}/api`,
    typ: 'at+jwt',
  });
  expect(protectedHeader.alg).toBe('ES256');
  expect(payload).toMatchObject({
    sub: user.id,
    pat_id: pat.id,
    scope: 'repo:read',
    client_id: 'tessera-cli',
  });
});
