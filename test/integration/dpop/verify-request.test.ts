/**
 * The verifier package's `verifyRequest` against real DPoP-bound JWTs from a real Tessera:
 * the proof is checked end to end (signature, htm, htu, iat, ath, jkt, replay), and a bound
 * token is refused as a bearer string, also by the bare `verify`.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRequestVerifier, createTesseraVerifier, TesseraTokenError } from 'tessera-jwt-verify';
import { type DpopKey, dpopKey, dpopProof } from '../../helpers/dpop.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const SERVICE = 'https://api.example.com/repos';
let server: TestServer;
let key: DpopKey;
let other: DpopKey;
let bound: string;
let unbound: string;

beforeAll(async () => {
  server = await startTestServer();
  key = await dpopKey();
  other = await dpopKey();
  const { token } = await server.createUserWithToken(uniqueName('vr'), ['tessera:tokens']);
  const proof = await dpopProof(key, { htu: `${server.url}/token` });
  const exchanged = await server.tokenRequest(
    {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: token,
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    },
    { dpop: proof },
  );
  bound = exchanged.body.access_token;
  unbound = (await server.exchange(token)).body.access_token;
});
afterAll(async () => {
  await server?.stop();
});

const options = () => ({ issuer: server.url, audience: `${server.url}/api` });
const request = (authorization: string, dpop?: string, method = 'GET', url = SERVICE) => ({
  method,
  url,
  headers: { authorization, ...(dpop ? { dpop } : {}) },
});
const code = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (error: unknown) => (error instanceof TesseraTokenError ? error.code : `threw ${String(error)}`),
  );

describe('verifyRequest', () => {
  it('accepts a bound token with a proof for this request, once', async () => {
    const verifyRequest = createRequestVerifier(options());
    const proof = await dpopProof(key, { htm: 'GET', htu: `${SERVICE}?page=2`, accessToken: bound });
    const claims = await verifyRequest(request(`DPoP ${bound}`, proof, 'GET', `${SERVICE}?page=1`));
    expect(claims.cnf).toEqual({ jkt: key.jkt });
    expect(await code(verifyRequest(request(`DPoP ${bound}`, proof)))).toBe('invalid_token');
  });

  it('refuses a bound token as Bearer, in verifyRequest and in the bare verify', async () => {
    expect(await code(createRequestVerifier(options())(request(`Bearer ${bound}`)))).toBe('invalid_token');
    expect(await code(createTesseraVerifier(options())(bound))).toBe('invalid_token');
  });

  it('refuses wrong htm, htu, ath, jkt, iat, and a missing proof', async () => {
    const verifyRequest = createRequestVerifier(options());
    const now = Math.floor(Date.now() / 1000);
    const proofs = [
      await dpopProof(key, { htm: 'POST', htu: SERVICE, accessToken: bound }),
      await dpopProof(key, { htm: 'GET', htu: 'https://evil.example.com/repos', accessToken: bound }),
      await dpopProof(key, { htm: 'GET', htu: SERVICE, accessToken: unbound }),
      await dpopProof(other, { htm: 'GET', htu: SERVICE, accessToken: bound }),
      await dpopProof(key, { htm: 'GET', htu: SERVICE, accessToken: bound, iat: now - 120 }),
      await dpopProof(key, { htm: 'GET', htu: SERVICE, accessToken: bound, signWith: other.privateKey }),
      undefined,
    ];
    for (const proof of proofs) {
      expect(await code(verifyRequest(request(`DPoP ${bound}`, proof)))).toBe('invalid_token');
    }
  });

  it('refuses a request path with dot segments: the proof would name one path, the router see another', async () => {
    const verifyRequest = createRequestVerifier(options());
    const at = (path: string) => `https://api.example.com${path}`;
    for (const path of [
      '/admin/../repos',
      '/admin/%2e%2E/repos',
      '/admin/.%2e/repos',
      '/admin\\..\\repos',
      '/./repos',
    ]) {
      expect(new URL(at(path)).href).toBe(SERVICE);
      const proof = await dpopProof(key, { htm: 'GET', htu: SERVICE, accessToken: bound });
      expect(await code(verifyRequest(request(`DPoP ${bound}`, proof, 'GET', at(path))))).toBe(
        'invalid_token',
      );
    }
    // Dots inside a segment are a name like any other.
    const dotted = 'https://api.example.com/repos/v1..2/.well-known';
    const proof = await dpopProof(key, { htm: 'GET', htu: dotted, accessToken: bound });
    expect(await code(verifyRequest(request(`DPoP ${bound}`, proof, 'GET', dotted)))).toBe('accepted');
  });

  it('checks an unbound token as verify does, and refuses it under the DPoP scheme', async () => {
    const verifyRequest = createRequestVerifier(options());
    expect((await verifyRequest(request(`Bearer ${unbound}`))).sub).toBeTruthy();
    const proof = await dpopProof(key, { htm: 'GET', htu: SERVICE, accessToken: unbound });
    expect(await code(verifyRequest(request(`DPoP ${unbound}`, proof)))).toBe('invalid_token');
  });

  it('uses a pluggable replay store', async () => {
    const seen: string[] = [];
    const verifyRequest = createRequestVerifier({
      ...options(),
      dpop: { replayStore: { consume: (k) => !seen.includes(k) && seen.push(k) > 0 } },
    });
    const proof = await dpopProof(key, { htm: 'GET', htu: SERVICE, accessToken: bound, jti: 'shared-jti' });
    await verifyRequest(request(`DPoP ${bound}`, proof));
    expect(seen).toEqual([`${key.jkt}:shared-jti`]);
  });
});
