/**
 * `server.trustProxy` (docs/design.md "Configuration"): the client address is the socket's, unless
 * the socket peer is a declared proxy; then it is the rightmost address of `X-Forwarded-For`
 * that is not itself a declared proxy. Every `ctx.ip` user sees it: here `last_used_ip` and the
 * exchange audit row. Every test request comes from 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

let behindProxy: TestServer;
let direct: TestServer;
// One server start per hook: each has its own timeout, sized for one start on a loaded box.
beforeAll(async () => {
  behindProxy = await startTestServer({
    configFile: { server: { trustProxy: ['127.0.0.0/8', '10.0.0.0/8', 'fd00::/8'] } },
  });
});
beforeAll(async () => {
  direct = await startTestServer();
});
afterAll(async () => {
  await Promise.all([behindProxy?.stop(), direct?.stop()]);
});

/** The address a request with `forwardedFor` is attributed to, read back from `last_used_ip`. */
async function addressSeenBy(server: TestServer, forwardedFor: string | string[] | null): Promise<string> {
  const { token, pat } = await server.createUserWithToken(uniqueName('addr'), ['tessera:tokens']);
  const headers: Record<string, string> =
    forwardedFor === null ? {} : { 'x-forwarded-for': [forwardedFor].flat().join(', ') };
  expect((await server.request('GET', '/api/v1/me', { token, headers })).status).toBe(200);
  const shown = await server.request('GET', `/api/v1/tokens/${pat.id}`, { token });
  return shown.body.last_used_ip as string;
}

describe('behind a declared proxy', () => {
  it('believes X-Forwarded-For from it: the client is the rightmost untrusted address', async () => {
    expect(await addressSeenBy(behindProxy, '203.0.113.9')).toBe('203.0.113.9');
    expect(await addressSeenBy(behindProxy, '203.0.113.9, 10.1.2.3')).toBe('203.0.113.9');
  });

  it('a client spoofing X-Forwarded-For cannot choose its address: the proxy appended the real one', async () => {
    expect(await addressSeenBy(behindProxy, '6.6.6.6, 198.51.100.20')).toBe('198.51.100.20');
    expect(await addressSeenBy(behindProxy, '6.6.6.6, 198.51.100.20, 10.0.0.1')).toBe('198.51.100.20');
  });

  it('IPv6 clients and IPv6 proxy hops', async () => {
    expect(await addressSeenBy(behindProxy, '2001:db8::7')).toBe('2001:db8::7');
    expect(await addressSeenBy(behindProxy, '2001:db8::7, fd00::1')).toBe('2001:db8::7');
  });

  it('without X-Forwarded-For, or with garbage in it, the nearest believable address', async () => {
    expect(await addressSeenBy(behindProxy, null)).toBe('127.0.0.1');
    expect(await addressSeenBy(behindProxy, 'not-an-address')).toBe('127.0.0.1');
    expect(await addressSeenBy(behindProxy, '198.51.100.3, not-an-address, 10.0.0.2')).toBe('10.0.0.2');
  });

  it('the exchange audit row records the forwarded client, not the proxy', async () => {
    const { token } = await behindProxy.createUserWithToken(uniqueName('fwd'), ['tessera:tokens']);
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    const audit = await behindProxy.exchange(`${token}x`, {});
    expect(audit.status).toBe(400);
    const { rows } = await behindProxy.database.db.query<{ ip: string }>(
      `SELECT ip FROM audit_events WHERE action = 'token.exchanged' ORDER BY id DESC LIMIT 1`,
    );
    expect(rows[0]?.ip).toBe('127.0.0.1');
    await behindProxy.tokenRequest(
      {
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: 'tsr_bad',
        subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      },
      from('192.0.2.44'),
    );
    const after = await behindProxy.database.db.query<{ ip: string }>(
      `SELECT ip FROM audit_events WHERE action = 'token.exchanged' ORDER BY id DESC LIMIT 1`,
    );
    expect(after.rows[0]?.ip).toBe('192.0.2.44');
  });
});

describe('with no declared proxy (the default)', () => {
  it('ignores X-Forwarded-For: the socket address is the client', async () => {
    expect(await addressSeenBy(direct, '203.0.113.9')).toBe('127.0.0.1');
    expect(await addressSeenBy(direct, '2001:db8::7')).toBe('127.0.0.1');
  });
});
