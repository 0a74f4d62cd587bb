/**
 * RFC 9068 JWT access tokens as a downstream service sees them: discovery (RFC 8414) gives
 * `jwks_uri`, jose's `createRemoteJWKSet` fetches it, `jwtVerify` checks signature, `typ`,
 * `iss` and `aud`; then the header and every claim Tessera promises are asserted.
 *
 * The server's clock is set (STYLE rule 10), so `iat` and `exp` are asserted exactly; it moves
 * forward once (`server.advance`), by an hour, to show that they come from Tessera's clock.
 * Verification uses that clock as its `currentDate`.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import { startTestServer, type TestServer, uniqueName } from '../helpers/server.js';

const HOUR_MS = 3_600_000;

let server: TestServer;
let apiAudience: string;
let jwksUri: string;
let jwks: ReturnType<typeof createRemoteJWKSet>;
const serverNow = () => server.now();

beforeAll(async () => {
  // A whole second, a little in the past: JWTs then verify with the host's clock too.
  server = await startTestServer({ clockAt: new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000) });
  apiAudience = `${server.url}/api`;
  const discovery = await server.request('GET', '/.well-known/openid-configuration');
  jwksUri = discovery.body.jwks_uri;
  jwks = createRemoteJWKSet(new URL(jwksUri));
});
afterAll(() => server.stop());

/** Exchanges `pat` and verifies the JWT the way a downstream resource server would. */
async function exchangeAndVerify(pat: string, extra: Record<string, string> = {}) {
  const response = await server.exchange(pat, extra);
  expect({ status: response.status, error: response.body?.error }).toEqual({ status: 200, error: undefined });
  const verified = await jwtVerify(response.body.access_token as string, jwks, {
    issuer: server.url,
    audience: apiAudience,
    typ: 'at+jwt',
    algorithms: ['ES256'],
    currentDate: serverNow(),
  });
  return { response, ...verified };
}

const seconds = (date: Date) => date.getTime() / 1000;

describe('RFC 9068 §2.1 JWT header', () => {
  it('typ is at+jwt, alg is ES256 (the default), and kid names a key of the served JWKS', async () => {
    const { token } = await server.createUserWithToken(uniqueName('header'), ['repo:read']);
    const { protectedHeader } = await exchangeAndVerify(token);
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(protectedHeader.alg).toBe('ES256');
    expect(typeof protectedHeader.kid).toBe('string');

    const served = await fetch(jwksUri);
    expect(served.status).toBe(200);
    const { keys } = (await served.json()) as { keys: Array<{ kid?: string; alg?: string; use?: string }> };
    const signing = keys.find((key) => key.kid === protectedHeader.kid);
    expect(signing).toBeDefined();
  });
});

describe('RFC 9068 §2.2 JWT claims', () => {
  it('carries iss, sub (the user id), aud, exp, iat, jti, client_id, scope and pat_id', async () => {
    const { token, user, pat } = await server.createUserWithToken(uniqueName('claims'), [
      'tessera:tokens',
      'repo:read',
    ]);
    const { payload, response } = await exchangeAndVerify(token, { scope: 'repo:read' });

    expect(payload).toEqual(
      expect.objectContaining({
        iss: server.url,
        sub: user.id,
        aud: apiAudience,
        client_id: 'tessera-cli',
        scope: 'repo:read',
        pat_id: pat.id,
        jti: expect.any(String),
        iat: expect.any(Number),
        exp: expect.any(Number),
      }),
    );
    const { iat, exp } = payload as Required<Pick<JWTPayload, 'iat' | 'exp'>>;
    expect(Number.isInteger(iat) && Number.isInteger(exp)).toBe(true);
    expect(iat).toBe(seconds(serverNow()));
    // §2.2.1 expires_in is the JWT's own lifetime.
    expect(exp - iat).toBe(response.body.expires_in);
    expect((payload.jti as string).length).toBeGreaterThanOrEqual(16);
  });

  it('scope in the JWT is the granted scope, space-delimited (RFC 9068 §2.2.3)', async () => {
    const { token } = await server.createUserWithToken(uniqueName('scopes'), [
      'tessera:tokens',
      'repo:read',
      'repo:write',
    ]);
    const { payload, response } = await exchangeAndVerify(token, { scope: 'repo:read repo:write' });
    expect((payload.scope as string).split(' ').sort()).toEqual(['repo:read', 'repo:write']);
    expect(payload.scope).toBe(response.body.scope);
  });

  it('jti is unique across two exchanges of the same PAT', async () => {
    const { token } = await server.createUserWithToken(uniqueName('jti'), ['repo:read']);
    const first = await exchangeAndVerify(token);
    const second = await exchangeAndVerify(token);
    expect(first.payload.jti).not.toBe(second.payload.jti);
    expect(first.payload.pat_id).toBe(second.payload.pat_id);
  });

  it("iat and exp follow Tessera's clock, not the host's", async () => {
    const { token } = await server.createUserWithToken(uniqueName('clock'), ['repo:read']);
    const before = seconds(serverNow());
    server.advance(HOUR_MS);

    const { payload, response } = await exchangeAndVerify(token);
    expect(payload.iat).toBe(before + HOUR_MS / 1000);
    expect((payload.exp as number) - (payload.iat as number)).toBe(response.body.expires_in);
  });
});
