/**
 * `signing.alg`: ES256 by default, EdDSA and RS256 on request. The generated keys, the
 * published JWKS and every exchanged JWT use the configured algorithm.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const cases = [
  { name: 'default (no config file)', configFile: undefined, alg: 'ES256', kty: 'EC', crv: 'P-256' },
  {
    name: 'signing.alg ES256',
    configFile: { signing: { alg: 'ES256' } },
    alg: 'ES256',
    kty: 'EC',
    crv: 'P-256',
  },
  {
    name: 'signing.alg EdDSA',
    configFile: { signing: { alg: 'EdDSA' } },
    alg: 'EdDSA',
    kty: 'OKP',
    crv: 'Ed25519',
  },
  {
    name: 'signing.alg RS256',
    configFile: { signing: { alg: 'RS256' } },
    alg: 'RS256',
    kty: 'RSA',
    crv: undefined,
  },
];

describe.each(cases)('$name', ({ configFile, alg, kty, crv }) => {
  let server: TestServer;
  let pat: string;
  let user: any;
  beforeAll(async () => {
    server = await startTestServer(configFile ? { configFile } : {});
    ({ token: pat, user } = await server.createUserWithToken(uniqueName('alg'), [
      'tessera:tokens',
      'repo:read',
    ]));
  });
  afterAll(() => server.stop());

  it(`publishes ${alg} keys (kty ${kty})`, async () => {
    const res = await server.request('GET', '/jwks');
    expect(res.status).toBe(200);
    expect(res.body.keys).toHaveLength(2);
    for (const key of res.body.keys) {
      expect(key).toMatchObject({ alg, kty, use: 'sig' });
      expect(key.crv).toBe(crv);
    }
  });

  it(`exchanged JWTs are signed with ${alg} and verify against the served JWKS`, async () => {
    const res = await server.exchange(pat, { scope: 'repo:read' });
    expect(res.status).toBe(200);
    const jwks = createRemoteJWKSet(new URL(`${server.url}/jwks`));
    const { protectedHeader, payload } = await jwtVerify(res.body.access_token, jwks, {
      issuer: server.url,
      audience: `${server.url}/api`,
      typ: 'at+jwt',
      algorithms: [alg],
    });
    expect(protectedHeader.alg).toBe(alg);
    expect(protectedHeader.kid).toBe(server.tessera.oidc.keys.signing.kid);
    expect(payload).toMatchObject({ sub: user.id, scope: 'repo:read' });
  });

  it(`an ${alg} JWT authenticates on /api/v1`, async () => {
    const jwt = (await server.exchange(pat)).body.access_token;
    const res = await server.request('GET', '/api/v1/me', { token: jwt });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(user.id);
  });
});
