/**
 * Interop (issue 21): an exchange with an actor token made by a client nobody here wrote,
 * panva's oauth4webapi (`genericTokenEndpointRequest`; 3.8.9 has no `genericGrantRequest`), against a real Tessera, from discovery on.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import * as oauth from 'oauth4webapi';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const AT = 'urn:ietf:params:oauth:token-type:access_token';
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
}, 60_000);
afterAll(() => server.stop());

describe('oauth4webapi as the client', () => {
  it('exchanges a subject PAT with an actor PAT and gets a JWT with act', async () => {
    const alice = await server.createUserWithToken(uniqueName('alice'), ['tessera:tokens', 'repo:read']);
    const bob = await server.createUserWithToken(uniqueName('bob'), ['repo:read']);
    const subject = await server.request('POST', '/api/v1/tokens', {
      token: alice.token,
      body: { name: 'agent', scopes: ['repo:read'], may_act: [{ user_id: bob.user.id }] },
    });
    const issuer = new URL(server.url);
    const discovery = await oauth.discoveryRequest(issuer, {
      algorithm: 'oauth2',
      [oauth.allowInsecureRequests]: true,
    });
    const as = await oauth.processDiscoveryResponse(issuer, discovery);
    const client: oauth.Client = { client_id: 'tessera-cli' };
    const response = await oauth.genericTokenEndpointRequest(
      as,
      client,
      oauth.None(),
      'urn:ietf:params:oauth:grant-type:token-exchange',
      {
        subject_token: subject.body.token,
        subject_token_type: AT,
        actor_token: bob.token,
        actor_token_type: AT,
        scope: 'repo:read',
      },
      { [oauth.allowInsecureRequests]: true },
    );
    const result = await oauth.processGenericTokenEndpointResponse(as, client, response);
    expect(result.token_type).toBe('bearer');
    expect(decodeJwt(result.access_token)).toMatchObject({
      sub: alice.user.id,
      act: { sub: bob.user.id },
      scope: 'repo:read',
    });

    const refused = await oauth.genericTokenEndpointRequest(
      as,
      client,
      oauth.None(),
      'urn:ietf:params:oauth:grant-type:token-exchange',
      {
        subject_token: subject.body.token,
        subject_token_type: AT,
        actor_token: alice.token,
        actor_token_type: AT,
      },
      { [oauth.allowInsecureRequests]: true },
    );
    await expect(oauth.processGenericTokenEndpointResponse(as, client, refused)).rejects.toMatchObject({
      error: 'invalid_request',
    });
  });
});
