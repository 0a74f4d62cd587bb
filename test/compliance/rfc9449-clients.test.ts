/**
 * RFC 9449 interop: a DPoP client nobody here wrote (panva's oauth4webapi) does the token
 * exchange with a proof and calls `/api/v1` with the bound token. The JWT is checked with jose
 * against the served JWKS, and its `cnf.jkt` against the client key's RFC 7638 thumbprint.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { calculateJwkThumbprint, createRemoteJWKSet, exportJWK, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import { startTestServer, type TestServer, uniqueName } from '../helpers/server.js';

let server: TestServer;
let pat: string;

beforeAll(async () => {
  server = await startTestServer();
  ({ token: pat } = await server.createUserWithToken(uniqueName('o4w'), ['tessera:tokens']));
});
afterAll(async () => {
  await server?.stop();
});

describe('oauth4webapi with a DPoP handle', () => {
  it('exchanges a PAT for a DPoP-bound JWT and calls /api/v1 with it', async () => {
    const issuer = new URL(server.url);
    const insecure = { [oauth.allowInsecureRequests]: true };
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
    expect(as.dpop_signing_alg_values_supported).toContain('ES256');
    const client: oauth.Client = { client_id: 'tessera-cli' };
    const keyPair = await oauth.generateKeyPair('ES256');
    const DPoP = oauth.DPoP(client, keyPair);

    const response = await oauth.genericTokenEndpointRequest(
      as,
      client,
      oauth.None(),
      'urn:ietf:params:oauth:grant-type:token-exchange',
      { subject_token: pat, subject_token_type: 'urn:ietf:params:oauth:token-type:access_token' },
      { DPoP, ...insecure },
    );
    const tokens = await oauth.processGenericTokenEndpointResponse(as, client, response);
    expect(tokens.token_type).toBe('dpop');

    const { payload } = await jwtVerify(
      tokens.access_token,
      createRemoteJWKSet(new URL(as.jwks_uri as string)),
      {
        issuer: server.url,
        typ: 'at+jwt',
      },
    );
    const thumbprint = await calculateJwkThumbprint(await exportJWK(keyPair.publicKey));
    expect(payload.cnf).toEqual({ jkt: thumbprint });

    const me = await oauth.protectedResourceRequest(
      tokens.access_token,
      'GET',
      new URL('/api/v1/me', server.url),
      undefined,
      undefined,
      { DPoP, ...insecure },
    );
    expect(me.status).toBe(200);
  });
});
