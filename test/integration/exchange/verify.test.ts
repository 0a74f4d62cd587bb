/**
 * `tessera/verify` against a real Tessera: discovery once, the JWKS cached and re-fetched on an
 * unknown `kid` (at most once per cooldown), and every check a downstream service relies on,
 * answered with a stable error code.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type CryptoKey,
  decodeProtectedHeader,
  generateKeyPair,
  importJWK,
  type JWTPayload,
  SignJWT,
} from 'jose';
import { loadConfig } from '../../../src/config.js';
import type { KeyRecord } from '../../../src/keys/key-file.js';
import { keyPolicyFor, rotateKeyDirectory } from '../../../src/keys/keyring.js';
import {
  createTesseraVerifier,
  TesseraTokenError,
  type TesseraVerifierOptions,
} from '../../../src/verify.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const DOWNSTREAM = 'https://downstream.example.com';

let server: TestServer;
let api: string;
let pat: string;
let user: any;
let patId: string;

beforeAll(async () => {
  server = await startTestServer({
    configFile: {
      resources: [{ audience: DOWNSTREAM, scopes: ['repo:read', 'repo:write'], tokenTtlSeconds: 600 }],
    },
  });
  // Reloads happen when the test says so, not on the periodic check.
  server.tessera.oidc.close();
  api = `${server.url}/api`;
  const created = await server.createUserWithToken(uniqueName('verify'), [
    'tessera:tokens',
    'repo:read',
    'repo:write',
  ]);
  ({ token: pat, user } = created);
  patId = created.pat.id;
});
afterAll(() => server.stop());

async function exchangeJwt(extra: Record<string, string> = {}): Promise<string> {
  const res = await server.exchange(pat, extra);
  expect(res.status).toBe(200);
  return res.body.access_token;
}

/** A `fetch` that records every URL it is asked for. */
function countingFetch() {
  const urls: string[] = [];
  const impl = ((input: string | URL | Request, init?: RequestInit) => {
    urls.push(input instanceof Request ? input.url : String(input));
    return fetch(input, init);
  }) as typeof fetch;
  const count = (path: string) => urls.filter((url) => new URL(url).pathname === path).length;
  return {
    impl,
    urls,
    discovery: () => count('/.well-known/oauth-authorization-server'),
    jwks: () => count('/jwks'),
  };
}

/** JWKS requests the server has answered so far (from its access log). */
const servedJwks = () => server.logs.filter((line) => line.includes('"path":"/jwks"')).length;

function verifier(options: Partial<TesseraVerifierOptions> = {}) {
  return createTesseraVerifier({ issuer: server.url, audience: api, ...options });
}

/** The TesseraTokenError code `verifying` rejects with; fails the test when it resolves. */
async function errorCode(verifying: Promise<unknown>): Promise<string> {
  try {
    await verifying;
  } catch (error) {
    expect(error).toBeInstanceOf(TesseraTokenError);
    return (error as TesseraTokenError).code;
  }
  throw new Error('expected the token to be rejected, it was accepted');
}

/** The current signing key's private JWK, read from the keys directory. */
function currentKeyRecord(): KeyRecord {
  const kid = server.tessera.oidc.keys.signing.kid;
  return JSON.parse(readFileSync(join(server.dataDir, 'keys', `key-${kid}.json`), 'utf8')) as KeyRecord;
}

/** A JWT shaped like Tessera's, with `changes`, signed by `key` (default: Tessera's own). */
async function forge(
  changes: { payload?: JWTPayload; header?: Record<string, unknown>; key?: CryptoKey } = {},
): Promise<string> {
  const record = currentKeyRecord();
  const key = changes.key ?? ((await importJWK(record.jwk, record.alg)) as CryptoKey);
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: server.url,
    aud: api,
    sub: user.id,
    client_id: 'tessera-cli',
    scope: 'repo:read',
    pat_id: patId,
    jti: 'forged',
    iat: now,
    exp: now + 300,
    ...changes.payload,
  })
    .setProtectedHeader({ alg: record.alg, typ: 'at+jwt', kid: record.kid, ...changes.header })
    .sign(key);
}

describe('a valid Tessera JWT', () => {
  it('verifies and yields its claims', async () => {
    const verify = verifier();
    const claims = await verify(await exchangeJwt({ scope: 'repo:read tessera:tokens' }));
    expect(claims).toMatchObject({
      iss: server.url,
      aud: api,
      sub: user.id,
      pat_id: patId,
      client_id: 'tessera-cli',
      scope: 'repo:read tessera:tokens',
    });
    expect(typeof claims.jti).toBe('string');
    expect(claims.exp).toBeGreaterThan(claims.iat as number);
  });

  it('verifies when every required scope is granted', async () => {
    const claims = await verifier()(await exchangeJwt({ scope: 'repo:read tessera:tokens' }), {
      scopes: ['repo:read', 'tessera:tokens'],
    });
    expect(claims.scope).toBe('repo:read tessera:tokens');
  });

  it('for a downstream audience, verifies with a verifier for that audience', async () => {
    const jwt = await exchangeJwt({ audience: DOWNSTREAM, scope: 'repo:read' });
    const claims = await verifier({ audience: DOWNSTREAM })(jwt, { scopes: ['repo:read'] });
    expect(claims.aud).toBe(DOWNSTREAM);
  });

  it('issuer given with a trailing slash still matches', async () => {
    const claims = await verifier({ issuer: `${server.url}/` })(await exchangeJwt());
    expect(claims.iss).toBe(server.url);
  });

  it('within the clock tolerance after exp, still verifies', async () => {
    // Issued as if 910 s ago: with the API's 900 s lifetime it expired 10 s ago (tolerance 30 s).
    server.advance(-910_000);
    let jwt: string;
    try {
      jwt = await exchangeJwt();
    } finally {
      server.advance(910_000);
    }
    await expect(verifier()(jwt)).resolves.toMatchObject({ sub: user.id });
  });
});

describe('rejections', () => {
  it('a missing required scope is insufficient_scope', async () => {
    const jwt = await exchangeJwt({ scope: 'repo:read' });
    expect(await errorCode(verifier()(jwt, { scopes: ['repo:write'] }))).toBe('insufficient_scope');
    expect(await errorCode(verifier()(jwt, { scopes: ['repo:read', 'repo:write'] }))).toBe(
      'insufficient_scope',
    );
  });

  it('a JWT for another audience is invalid_token', async () => {
    const jwt = await exchangeJwt({ audience: DOWNSTREAM, scope: 'repo:read' });
    expect(await errorCode(verifier()(jwt))).toBe('invalid_token');
    const apiJwt = await exchangeJwt();
    expect(await errorCode(verifier({ audience: DOWNSTREAM })(apiJwt))).toBe('invalid_token');
  });

  it('a JWT from another issuer is invalid_token', async () => {
    const jwt = await exchangeJwt();
    // Same keys, same JWKS (jwksUri skips discovery), but the verifier expects another issuer.
    const other = verifier({ issuer: 'https://elsewhere.example.com', jwksUri: `${server.url}/jwks` });
    expect(await errorCode(other(jwt))).toBe('invalid_token');
    const forged = await forge({ payload: { iss: 'https://elsewhere.example.com' } });
    expect(await errorCode(verifier()(forged))).toBe('invalid_token');
  });

  it('a tampered payload is invalid_token', async () => {
    const [header, payload, signature] = (await exchangeJwt({ scope: 'repo:read' })).split('.');
    const claims = JSON.parse(Buffer.from(payload as string, 'base64url').toString('utf8'));
    const widened = Buffer.from(JSON.stringify({ ...claims, scope: 'repo:read repo:write' })).toString(
      'base64url',
    );
    expect(await errorCode(verifier()(`${header}.${widened}.${signature}`))).toBe('invalid_token');
  });

  it('a tampered signature is invalid_token', async () => {
    const jwt = await exchangeJwt();
    const flipped = `${jwt.slice(0, -4)}${jwt.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    expect(await errorCode(verifier()(flipped))).toBe('invalid_token');
  });

  it('an expired JWT is invalid_token', async () => {
    // Issued as if 1000 s ago: with the API's 900 s lifetime it expired 100 s ago.
    server.advance(-1_000_000);
    let jwt: string;
    try {
      jwt = await exchangeJwt();
    } finally {
      server.advance(1_000_000);
    }
    expect(await errorCode(verifier()(jwt))).toBe('invalid_token');
  });

  it('a JWT signed by a key that is not Tessera’s, under a Tessera kid, is invalid_token', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    expect(await errorCode(verifier()(await forge({ key: privateKey })))).toBe('invalid_token');
    expect(await errorCode(verifier()(await forge({ key: privateKey, header: { kid: 'not-a-kid' } })))).toBe(
      'invalid_token',
    );
  });

  it('a JWT signed by Tessera’s key but not typed at+jwt is invalid_token', async () => {
    // The genuine-key control: the same forgery with the right typ is accepted.
    await expect(verifier()(await forge())).resolves.toMatchObject({ jti: 'forged' });
    expect(await errorCode(verifier()(await forge({ header: { typ: 'JWT' } })))).toBe('invalid_token');
  });

  it('a JWT missing a required claim is invalid_token', async () => {
    expect(await errorCode(verifier()(await forge({ payload: { client_id: undefined } })))).toBe(
      'invalid_token',
    );
  });

  it('an unsigned JWT (alg none) is invalid_token', async () => {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${encode({ alg: 'none', typ: 'at+jwt' })}.${encode({
      iss: server.url,
      aud: api,
      sub: user.id,
      client_id: 'tessera-cli',
      jti: 'none',
      iat: now,
      exp: now + 300,
    })}.`;
    expect(await errorCode(verifier()(unsigned))).toBe('invalid_token');
  });

  it('something that is not a JWT is invalid_token', async () => {
    expect(await errorCode(verifier()('not-a-jwt'))).toBe('invalid_token');
    expect(await errorCode(verifier()(pat))).toBe('invalid_token');
  });

  it('an unreachable or wrong issuer is invalid_token, not a crash', async () => {
    const jwt = await exchangeJwt();
    expect(await errorCode(verifier({ issuer: `${server.url}/nowhere` })(jwt))).toBe('invalid_token');
  });
});

describe('discovery and the JWKS across a key rotation', () => {
  const policy = () =>
    keyPolicyFor(
      loadConfig({
        TESSERA_ISSUER: server.url,
        TESSERA_DATA_DIR: server.dataDir,
        TESSERA_KEYS_DIR: join(server.dataDir, 'keys'),
        TESSERA_CONFIG: join(server.dataDir, 'tessera.config.json'),
      }),
    );
  async function rotateAndReload() {
    await rotateKeyDirectory(policy(), new Date());
    expect(await server.tessera.oidc.reload()).toBe(true);
  }

  it('the same verifier accepts JWTs signed by each new key; the JWKS is re-fetched only for an unknown kid', async () => {
    const verify = verifier({ cooldownSeconds: 0 });
    const served = servedJwks();

    const first = await exchangeJwt();
    await verify(first);
    await verify(await exchangeJwt());
    expect(servedJwks() - served).toBe(1);

    // The next key was in the JWKS the verifier already holds: no fetch needed.
    await rotateAndReload();
    const second = await exchangeJwt();
    expect(decodeProtectedHeader(second).kid).not.toBe(decodeProtectedHeader(first).kid);
    await expect(verify(second)).resolves.toMatchObject({ sub: user.id });
    expect(servedJwks() - served).toBe(1);

    // The key staged by that rotation was published after the verifier fetched: unknown kid.
    await rotateAndReload();
    const third = await exchangeJwt();
    await expect(verify(third)).resolves.toMatchObject({ sub: user.id });
    expect(servedJwks() - served).toBe(2);
    // And the JWTs signed by the now retired keys still verify, from the refreshed cache.
    await expect(verify(first)).resolves.toMatchObject({ sub: user.id });
    await expect(verify(second)).resolves.toMatchObject({ sub: user.id });
    expect(servedJwks() - served).toBe(2);
  });

  it('routes discovery (once) and every JWKS fetch through the `fetch` option', async () => {
    const fetches = countingFetch();
    const verify = verifier({ fetch: fetches.impl, cooldownSeconds: 0 });
    await verify(await exchangeJwt());
    await verify(await exchangeJwt());
    expect(fetches.discovery()).toBe(1);
    expect(fetches.jwks()).toBe(1);

    // Two rotations: the signing key is one the verifier has never seen.
    await rotateAndReload();
    await rotateAndReload();
    await expect(verify(await exchangeJwt())).resolves.toMatchObject({ sub: user.id });
    expect(fetches.discovery()).toBe(1);
    expect(fetches.jwks()).toBe(2);
  });

  it('unknown kids re-fetch the JWKS at most once per cooldown', async () => {
    const verify = verifier({ cooldownSeconds: 3600 });
    await verify(await exchangeJwt());
    const served = servedJwks();
    const { privateKey } = await generateKeyPair('ES256');
    for (const kid of ['unknown-1', 'unknown-2', 'unknown-3']) {
      expect(await errorCode(verify(await forge({ key: privateKey, header: { kid } })))).toBe(
        'invalid_token',
      );
    }
    expect(servedJwks() - served).toBe(0);
  });
});
