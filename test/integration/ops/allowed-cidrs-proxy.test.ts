/**
 * `allowed_cidrs` behind a proxy (issue 15): the networks are matched against the client address
 * `server.trustProxy` yields (net/client-address.ts), so a declared proxy's `X-Forwarded-For`
 * decides, over IPv4 and IPv6, while the same header sent to a server that trusts no proxy is a
 * client spoofing it and unlocks nothing. Every test request comes from 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

let behindProxy: TestServer;
let direct: TestServer;
// One server start per hook: each has its own timeout, sized for one start on a loaded box.
beforeAll(async () => {
  behindProxy = await startTestServer({ configFile: { server: { trustProxy: ['127.0.0.1/32'] } } });
});
beforeAll(async () => {
  direct = await startTestServer();
});
afterAll(async () => {
  await Promise.all([behindProxy?.stop(), direct?.stop()]);
});

async function patAllowedFrom(server: TestServer, allowed_cidrs: string[]) {
  const { token } = await server.createUserWithToken(uniqueName('proxied'), ['tessera:tokens']);
  const pat = await server.request('POST', '/api/v1/tokens', {
    token,
    body: { name: 'fenced', scopes: ['tessera:tokens'], allowed_cidrs },
  });
  expect(pat.status).toBe(201);
  return { id: pat.body.id as string, token: pat.body.token as string };
}

function exchangeFrom(server: TestServer, token: string, forwardedFor: string) {
  return server.tokenRequest(
    {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: token,
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    },
    { 'x-forwarded-for': forwardedFor },
  );
}

function meFrom(server: TestServer, token: string, forwardedFor: string) {
  return server.request('GET', '/api/v1/me', { token, headers: { 'x-forwarded-for': forwardedFor } });
}

async function failures(server: TestServer, patId: string) {
  const { rows } = await server.database.db.query<{ action: string; reason: string | null; ip: string }>(
    `SELECT action, reason, ip FROM audit_events WHERE pat_id = $1 AND outcome = 'failure' ORDER BY id`,
    [patId],
  );
  return rows.map((r) => `${r.action}: ${r.reason} from ${r.ip}`);
}

/** The fixed description every unusable PAT gets at /token (a made-up token's). */
async function unusableDescription(server: TestServer, token: string) {
  const unknown = await server.exchange(`${token.slice(0, -8)}AAAAAAAA`);
  return unknown.body.error_description as string;
}

describe.each([
  ['IPv4', '203.0.113.0/24', '203.0.113.7', '198.51.100.1'],
  ['IPv6', '2001:db8::/32', '2001:db8::1', '2001:dc8::1'],
])('behind a trusted proxy, over %s', (_family, network, inside, outside) => {
  it(`allows a PAT for ${network} forwarded for ${inside}`, async () => {
    const { id, token } = await patAllowedFrom(behindProxy, [network]);
    expect((await exchangeFrom(behindProxy, token, inside)).status).toBe(200);
    expect((await meFrom(behindProxy, token, inside)).status).toBe(200);
    expect(await failures(behindProxy, id)).toEqual([]);
  });

  it(`refuses it forwarded for ${outside}, like any unusable PAT, and audits why`, async () => {
    const { id, token } = await patAllowedFrom(behindProxy, [network]);
    const refused = await exchangeFrom(behindProxy, token, outside);
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      error: 'invalid_request',
      error_description: await unusableDescription(behindProxy, token),
    });
    expect((await meFrom(behindProxy, token, outside)).status).toBe(401);
    expect(await failures(behindProxy, id)).toEqual([
      `token.exchanged: ip_not_allowed from ${outside}`,
      `api.authenticated: ip_not_allowed from ${outside}`,
    ]);
  });
});

describe('with no trusted proxy', () => {
  it('a client spoofing X-Forwarded-For does not unlock the PAT: its socket address decides', async () => {
    const { id, token } = await patAllowedFrom(direct, ['203.0.113.0/24']);
    const refused = await exchangeFrom(direct, token, '203.0.113.7');
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      error: 'invalid_request',
      error_description: await unusableDescription(direct, token),
    });
    expect((await meFrom(direct, token, '203.0.113.7')).status).toBe(401);
    expect(await failures(direct, id)).toEqual([
      'token.exchanged: ip_not_allowed from 127.0.0.1',
      'api.authenticated: ip_not_allowed from 127.0.0.1',
    ]);
  });
});
