/**
 * RFC 7517 (JSON Web Key) as served at `jwks_uri`: a JWK set of public signing keys only, each
 * with a unique `kid`, cacheable for the configured lifetime; the private keys stay in
 * `TESSERA_KEYS_DIR`, one file each, mode 0600.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** RFC 7518 §6.2.2, §6.3.2 and §6.4: the members that make a JWK private. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

async function fetchJwks(server: TestServer) {
  const discovery = await server.request('GET', '/.well-known/oauth-authorization-server');
  const res = await fetch(discovery.body.jwks_uri);
  const text = await res.text();
  return { res, text, body: JSON.parse(text) as { keys: Record<string, unknown>[] } };
}

const keysDirOf = (server: TestServer) => join(server.dataDir, 'keys');
const keyFilesOf = (server: TestServer) =>
  readdirSync(keysDirOf(server))
    .filter((name) => name.endsWith('.json'))
    .map((name) => join(keysDirOf(server), name));

describe('the JWKS with the default configuration', () => {
  let server: TestServer;
  let jwks: Awaited<ReturnType<typeof fetchJwks>>;
  beforeAll(async () => {
    server = await startTestServer();
    jwks = await fetchJwks(server);
  });
  afterAll(() => server.stop());

  it('§8.5: is served as application/jwk-set+json', () => {
    expect(jwks.res.status).toBe(200);
    expect(jwks.res.headers.get('content-type')).toMatch(/^application\/jwk-set\+json/);
  });

  it('may be cached publicly for 300 seconds by default', () => {
    expect(jwks.res.headers.get('cache-control')).toBe('public, max-age=300');
  });

  it('§5: is an object whose "keys" member is an array of JWKs', () => {
    expect(Array.isArray(jwks.body.keys)).toBe(true);
  });

  it('publishes two keys on first start: the current one and the next one', () => {
    expect(jwks.body.keys).toHaveLength(2);
  });

  it('§4: every key has kty, kid, alg and use "sig"', () => {
    for (const key of jwks.body.keys) {
      expect(typeof key.kty).toBe('string');
      expect(typeof key.kid).toBe('string');
      expect((key.kid as string).length).toBeGreaterThan(0);
      expect(key.alg).toBe('ES256');
      expect(key.use).toBe('sig');
    }
  });

  it('§4.5: kids are unique within the set', () => {
    const kids = jwks.body.keys.map((k) => k.kid);
    expect(new Set(kids).size).toBe(kids.length);
  });

  it('contains no private key member anywhere', () => {
    for (const key of jwks.body.keys) {
      for (const member of PRIVATE_MEMBERS)
        expect({ member, present: member in key }).toEqual({ member, present: false });
    }
    // Nor hidden in some other place of the document.
    for (const member of PRIVATE_MEMBERS) expect(jwks.text).not.toContain(`"${member}":`);
  });

  it('keeps one private key per file in the keys directory, mode 0600, with the published kids', () => {
    const files = keyFilesOf(server);
    expect(files).toHaveLength(jwks.body.keys.length);
    const kids: string[] = [];
    for (const file of files) {
      expect({ file, mode: statSync(file).mode & 0o777 }).toEqual({ file, mode: 0o600 });
      const record = JSON.parse(readFileSync(file, 'utf8'));
      expect(typeof record.jwk.d).toBe('string');
      expect(record.jwk.kid).toBe(record.kid);
      kids.push(record.kid);
    }
    expect(kids.sort()).toEqual(jwks.body.keys.map((k) => k.kid as string).sort());
  });

  it('the key files hold one current and one next key', () => {
    const states = keyFilesOf(server)
      .map((file) => JSON.parse(readFileSync(file, 'utf8')).state)
      .sort();
    expect(states).toEqual(['current', 'next']);
  });

  it('leaves no temporary files behind in the keys directory', () => {
    expect(readdirSync(keysDirOf(server)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});

describe('the JWKS with signing.jwksMaxAgeSeconds configured', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ configFile: { signing: { jwksMaxAgeSeconds: 60 } } });
  });
  afterAll(() => server.stop());

  it('carries Cache-Control: public, max-age=<configured>', async () => {
    const { res } = await fetchJwks(server);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
  });
});
