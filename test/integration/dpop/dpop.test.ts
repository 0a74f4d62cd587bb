/**
 * DPoP end to end on a real server (RFC 9449; DESIGN.md, "Sender-constrained tokens"): binding
 * at /token, `/api/v1` as a resource server, abuse first. The issued JWTs are checked with jose
 * against the served JWKS.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRemoteJWKSet, generateSecret, jwtVerify } from 'jose';
import { type DpopKey, dpopKey, dpopProof, type ProofOptions } from '../../helpers/dpop.js';
import { expectOAuthError } from '../../helpers/problems.js';
import { startSecondInstance } from '../../helpers/second-instance.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

let server: TestServer;
let key: DpopKey;
let other: DpopKey;
let pat: string;
let tokenUrl: string;

beforeAll(async () => {
  server = await startTestServer();
  key = await dpopKey();
  other = await dpopKey();
  ({ token: pat } = await server.createUserWithToken(uniqueName('dpop'), ['tessera:tokens', 'repo:read']));
  tokenUrl = (await server.request('GET', '/.well-known/oauth-authorization-server')).body.token_endpoint;
});
afterAll(async () => {
  await server?.stop();
});

const nowSeconds = () => Math.floor(server.now().getTime() / 1000);
const proofFor = (options: Partial<ProofOptions> = {}, by = key) =>
  dpopProof(by, { htu: tokenUrl, iat: nowSeconds(), ...options });

async function boundExchange(proof?: string) {
  return server.tokenRequest(
    {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: pat,
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    },
    proof ? { dpop: proof } : {},
  );
}

describe('POST /token with a DPoP proof', () => {
  it('issues token_type DPoP and a JWT with cnf.jkt = the proof key thumbprint (RFC 7638)', async () => {
    const response = await boundExchange(await proofFor());
    expect(response.status).toBe(200);
    expect(response.body.token_type).toBe('DPoP');
    const jwks = createRemoteJWKSet(new URL(`${server.url}/jwks`));
    const { payload } = await jwtVerify(response.body.access_token, jwks, {
      issuer: server.url,
      typ: 'at+jwt',
    });
    expect(payload.cnf).toEqual({ jkt: key.jkt });
  });

  it('without a proof stays Bearer, unbound', async () => {
    const response = await boundExchange();
    expect(response.body.token_type).toBe('Bearer');
    const [, body] = response.body.access_token.split('.');
    expect(JSON.parse(Buffer.from(body, 'base64url').toString()).cnf).toBeUndefined();
  });

  it('refuses a replayed proof, also at a second instance on the same database', async () => {
    const proof = await proofFor();
    expect((await boundExchange(proof)).status).toBe(200);
    const again = await boundExchange(proof);
    expectOAuthError(again, 400, 'invalid_dpop_proof');

    const fresh = await proofFor();
    const second = await startSecondInstance(server);
    try {
      expect((await boundExchange(fresh)).status).toBe(200);
      const atSecond = await fetch(`${second.url}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: fresh },
        body: new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
          subject_token: pat,
          subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        }),
      });
      expect(atSecond.status).toBe(400);
      expect(((await atSecond.json()) as { error: string }).error).toBe('invalid_dpop_proof');
    } finally {
      await second.stop(1000);
    }
  });

  it('refuses a proof for another host, another path, another method, or outside the iat window', async () => {
    const host = new URL(tokenUrl);
    const bad: Partial<ProofOptions>[] = [
      { htu: tokenUrl.replace(host.host, 'evil.example.com') },
      { htu: tokenUrl.replace('/token', '/api/v1/me') },
      { htu: `${host.origin}/?/token` },
      { htm: 'GET' },
      // 62, not 61: iat is whole seconds, the server's clock is not.
      { iat: nowSeconds() - 62 },
      { iat: nowSeconds() + 62 },
    ];
    for (const options of bad) {
      const response = await boundExchange(await proofFor(options));
      expect({ options, status: response.status, error: response.body.error }).toEqual({
        options,
        status: 400,
        error: 'invalid_dpop_proof',
      });
    }
    // The query string is not part of the comparison (§4.3 item 9).
    expect((await boundExchange(await proofFor({ htu: `${tokenUrl}?x=1` }))).status).toBe(200);
  });

  it('refuses HS256 and none proofs, a foreign signature, a private key in the header, two proofs', async () => {
    const secret = await generateSecret('HS256', { extractable: true });
    const [, payload] = (await proofFor()).split('.');
    const noneHeader = Buffer.from(
      JSON.stringify({ typ: 'dpop+jwt', alg: 'none', jwk: key.publicJwk }),
    ).toString('base64url');
    const proofs = [
      await proofFor({ alg: 'HS256', signWith: secret }),
      `${noneHeader}.${payload}.`,
      await proofFor({ signWith: other.privateKey }),
      await proofFor({ header: { jwk: key.privateJwk } }),
      `${await proofFor()}, ${await proofFor()}`,
    ];
    for (const proof of proofs) {
      const response = await boundExchange(proof);
      expectOAuthError(response, 400, 'invalid_dpop_proof');
    }
  });

  it('audits a refused proof with its reason', async () => {
    await boundExchange(await proofFor({ htm: 'PUT' }));
    const { rows } = await server.database.db.query<{ reason: string }>(
      `SELECT reason FROM audit_events WHERE reason LIKE 'dpop:%' ORDER BY id DESC LIMIT 1`,
    );
    expect(rows[0]?.reason).toMatch(/htm/);
  });
});

describe('require_dpop on a PAT', () => {
  it('refuses its exchanges without a proof (400 invalid_dpop_proof), keeps the setting on rotation', async () => {
    const created = await server.request('POST', '/api/v1/tokens', {
      token: pat,
      body: { name: 'bound-only', scopes: ['repo:read'], require_dpop: true },
    });
    expect(created.status).toBe(201);
    expect(created.body.require_dpop).toBe(true);
    const plain = await server.exchange(created.body.token);
    expectOAuthError(plain, 400, 'invalid_dpop_proof');
    const rotated = await server.request('POST', `/api/v1/tokens/${created.body.id}/rotate`, { token: pat });
    expect(rotated.body.require_dpop).toBe(true);
    expect((await server.exchange(rotated.body.token)).body.error).toBe('invalid_dpop_proof');
    const withProof = await server.tokenRequest(
      {
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: rotated.body.token,
        subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      },
      { dpop: await proofFor() },
    );
    expect(withProof.status).toBe(200);
    expect(withProof.body.token_type).toBe('DPoP');
  });

  it('is off by default', async () => {
    const created = await server.request('POST', '/api/v1/tokens', {
      token: pat,
      body: { name: 'plain', scopes: ['repo:read'] },
    });
    expect(created.body.require_dpop).toBe(false);
    expect((await server.exchange(created.body.token)).status).toBe(200);
  });
});

describe('/api/v1 as a DPoP resource server', () => {
  let jwt: string;
  const meUrl = () => new URL('/api/v1/me', tokenUrl).href;
  const get = (path: string, scheme: string, token: string, proof?: string) =>
    server.request('GET', path, {
      headers: { authorization: `${scheme} ${token}`, ...(proof ? { dpop: proof } : {}) },
    });

  beforeAll(async () => {
    jwt = (await boundExchange(await proofFor())).body.access_token;
  });

  it('accepts the bound JWT as DPoP with a proof for this request', async () => {
    const proof = await proofFor({ htm: 'GET', htu: meUrl(), accessToken: jwt });
    expect((await get('/api/v1/me', 'DPoP', jwt, proof)).status).toBe(200);
    const list = await proofFor({
      htm: 'GET',
      htu: new URL('/api/v1/tokens', tokenUrl).href,
      accessToken: jwt,
    });
    expect((await get('/api/v1/tokens?status=active', 'DPoP', jwt, list)).status).toBe(200);
  });

  it('refuses the bound JWT sent as Bearer (401, WWW-Authenticate DPoP)', async () => {
    const response = await get('/api/v1/me', 'Bearer', jwt);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_token"/);
    // Even with a good proof beside it.
    const proof = await proofFor({ htm: 'GET', htu: meUrl(), accessToken: jwt });
    expect((await get('/api/v1/me', 'Bearer', jwt, proof)).status).toBe(401);
  });

  it('refuses a missing proof, a replayed one, one for another token (ath), key (jkt), method or path', async () => {
    const otherJwt = (await boundExchange(await proofFor({}, other))).body.access_token;
    const replayed = await proofFor({ htm: 'GET', htu: meUrl(), accessToken: jwt });
    expect((await get('/api/v1/me', 'DPoP', jwt, replayed)).status).toBe(200);
    const proofs: (string | undefined)[] = [
      undefined,
      replayed,
      await proofFor({ htm: 'GET', htu: meUrl(), accessToken: otherJwt }),
      await proofFor({ htm: 'GET', htu: meUrl(), accessToken: jwt }, other),
      await proofFor({ htm: 'POST', htu: meUrl(), accessToken: jwt }),
      await proofFor({ htm: 'GET', htu: new URL('/api/v1/scopes', tokenUrl).href, accessToken: jwt }),
    ];
    for (const proof of proofs) {
      const response = await get('/api/v1/me', 'DPoP', jwt, proof);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_dpop_proof"/);
    }
  });

  it('refuses a PAT or an unbound JWT under the DPoP scheme', async () => {
    const unbound = (await boundExchange()).body.access_token;
    for (const token of [pat, unbound]) {
      const proof = await proofFor({ htm: 'GET', htu: meUrl(), accessToken: token });
      expect((await get('/api/v1/me', 'DPoP', token, proof)).status).toBe(401);
    }
  });
});

describe('dpop.requireNonce', () => {
  let nonceServer: TestServer;
  beforeAll(async () => {
    nonceServer = await startTestServer({ configFile: { dpop: { requireNonce: true } } });
  });
  afterAll(async () => {
    await nonceServer?.stop();
  });

  it('answers use_dpop_nonce with a DPoP-Nonce header, then accepts a proof carrying it', async () => {
    const url = `${nonceServer.url}/token`;
    const form = {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: nonceServer.adminToken,
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    };
    const first = await nonceServer.tokenRequest(form, { dpop: await dpopProof(key, { htu: url }) });
    expectOAuthError(first, 400, 'use_dpop_nonce');
    const nonce = first.headers.get('dpop-nonce');
    expect(nonce).toBeTruthy();
    const forged = await nonceServer.tokenRequest(form, {
      dpop: await dpopProof(key, { htu: url, nonce: `${nonce}x` }),
    });
    expect(forged.body.error).toBe('use_dpop_nonce');
    const second = await nonceServer.tokenRequest(form, {
      dpop: await dpopProof(key, { htu: url, nonce: nonce as string }),
    });
    expect(second.status).toBe(200);
    expect(second.body.token_type).toBe('DPoP');
  });
});
