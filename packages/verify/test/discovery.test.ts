/**
 * Where the verifier takes its keys from: the issuer's discovery document may not send it to
 * keys on another origin unless the caller says so. A fake issuer on one loopback port, its
 * JWKS on another, real ES256 tokens signed with jose.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type CryptoKey, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createTesseraVerifier, TesseraTokenError } from '../src/index.js';

const AUDIENCE = 'https://api.example.com';

interface FakeHost {
  url: string;
  server: Server;
  hits: string[];
  routes: Map<string, unknown>;
}

async function fakeHost(): Promise<FakeHost> {
  const hits: string[] = [];
  const routes = new Map<string, unknown>();
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const body = routes.get(req.url ?? '');
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body ?? { error: 'not found' }));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, hits, routes };
}

let issuer: FakeHost;
let elsewhere: FakeHost;
let privateKey: CryptoKey;

beforeAll(async () => {
  issuer = await fakeHost();
  elsewhere = await fakeHost();
  const pair = await generateKeyPair('ES256');
  privateKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  issuer.routes.set('/jwks', { keys: [jwk] });
  elsewhere.routes.set('/jwks', { keys: [jwk] });
});
afterAll(() => {
  issuer.server.close();
  elsewhere.server.close();
});

const discovery = (doc: Record<string, unknown>) =>
  issuer.routes.set('/.well-known/oauth-authorization-server', { issuer: issuer.url, ...doc });

const token = () =>
  new SignJWT({ scope: 'repo:read', client_id: 'tessera-cli', pat_id: 'p1' })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' })
    .setIssuer(issuer.url)
    .setAudience(AUDIENCE)
    .setSubject('user-1')
    .setJti(crypto.randomUUID())
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey);

async function refusal(verifying: Promise<unknown>): Promise<TesseraTokenError> {
  const error = await verifying.then(
    () => {
      throw new Error('expected the token to be refused');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TesseraTokenError);
  return error as TesseraTokenError;
}

describe('discovery jwks_uri', () => {
  it('on the issuer origin: tokens verify', async () => {
    discovery({ jwks_uri: `${issuer.url}/jwks` });
    const claims = await createTesseraVerifier({ issuer: issuer.url, audience: AUDIENCE })(await token());
    expect(claims.sub).toBe('user-1');
  });

  it('on another origin: refused, and the other origin is never asked for keys', async () => {
    discovery({ jwks_uri: `${elsewhere.url}/jwks` });
    const before = elsewhere.hits.length;
    const verify = createTesseraVerifier({ issuer: issuer.url, audience: AUDIENCE });
    const error = await refusal(verify(await token()));
    expect(error.code).toBe('invalid_token');
    expect(error.message).toContain("not on the issuer's origin");
    expect(elsewhere.hits.length).toBe(before);
  });

  it('on another origin with allowCrossOriginJwksUri: tokens verify against those keys', async () => {
    discovery({ jwks_uri: `${elsewhere.url}/jwks` });
    const before = elsewhere.hits.length;
    const verify = createTesseraVerifier({
      issuer: issuer.url,
      audience: AUDIENCE,
      allowCrossOriginJwksUri: true,
    });
    expect((await verify(await token())).pat_id).toBe('p1');
    expect(elsewhere.hits.length).toBe(before + 1);
  });

  it('another scheme on the same host and port is another origin', async () => {
    discovery({ jwks_uri: `${issuer.url.replace('http:', 'https:')}/jwks` });
    const error = await refusal(
      createTesseraVerifier({ issuer: issuer.url, audience: AUDIENCE })(await token()),
    );
    expect(error.message).toContain("not on the issuer's origin");
  });

  it('a document naming another issuer is refused (RFC 8414 §3.3)', async () => {
    issuer.routes.set('/.well-known/oauth-authorization-server', {
      issuer: elsewhere.url,
      jwks_uri: `${issuer.url}/jwks`,
    });
    const error = await refusal(
      createTesseraVerifier({ issuer: issuer.url, audience: AUDIENCE })(await token()),
    );
    expect(error.message).toContain('another issuer');
  });

  it('a missing or unparsable jwks_uri is refused', async () => {
    for (const jwks_uri of [undefined, 'not a url', 42]) {
      discovery({ jwks_uri });
      const error = await refusal(
        createTesseraVerifier({ issuer: issuer.url, audience: AUDIENCE })(await token()),
      );
      expect(error.message).toContain('no valid jwks_uri');
    }
  });

  it("an explicit jwksUri option is the caller's choice and skips discovery", async () => {
    const before = issuer.hits.length;
    const verify = createTesseraVerifier({
      issuer: issuer.url,
      audience: AUDIENCE,
      jwksUri: `${elsewhere.url}/jwks`,
    });
    expect((await verify(await token())).sub).toBe('user-1');
    expect(issuer.hits.slice(before)).toEqual([]);
  });
});
