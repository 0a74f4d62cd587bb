/**
 * Staged key rotation on a running server: `next` is published before it signs, rotation
 * swaps the provider without failing a request, a retired key keeps verifying the JWTs it
 * signed until they have expired plus the JWKS cache lifetime, and then it is dropped.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { loadConfig } from '../../../src/config.js';
import type { KeyRecord } from '../../../src/keys/key-file.js';
import { type KeyPolicy, keyPolicyFor, rotateKeyDirectory } from '../../../src/keys/keyring.js';
import { type ApiResponse, startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

/** The key policy `tessera keys rotate` would use against this server's environment. */
function keyPolicyOf(server: TestServer): KeyPolicy {
  const env: Record<string, string> = {
    TESSERA_ISSUER: server.url,
    TESSERA_DATA_DIR: server.dataDir,
    TESSERA_KEYS_DIR: join(server.dataDir, 'keys'),
  };
  const configFile = join(server.dataDir, 'tessera.config.json');
  if (existsSync(configFile)) env.TESSERA_CONFIG = configFile;
  return keyPolicyFor(loadConfig(env));
}

async function publishedKids(server: TestServer): Promise<string[]> {
  const res = await server.request('GET', '/jwks');
  expect(res.status).toBe(200);
  return (res.body.keys as { kid: string }[]).map((k) => k.kid).sort();
}

const kidOf = (jwt: string) => decodeProtectedHeader(jwt).kid;
const kidsIn = (keys: KeyRecord[], state: KeyRecord['state']) =>
  keys
    .filter((k) => k.state === state)
    .map((k) => k.kid)
    .sort();

/** Verifies `jwt` as a downstream service would: against the served JWKS, fetched now. */
function verifyAgainstServedJwks(server: TestServer, jwt: string) {
  return jwtVerify(jwt, createRemoteJWKSet(new URL(`${server.url}/jwks`)), {
    issuer: server.url,
    audience: `${server.url}/api`,
    typ: 'at+jwt',
  });
}

async function exchangeJwt(server: TestServer, pat: string): Promise<string> {
  const res = await server.exchange(pat);
  expect(res.status).toBe(200);
  return res.body.access_token;
}

describe('keys rotate on a running server', () => {
  let server: TestServer;
  let pat: string;
  /** Published before the rotation. */
  let kidsBefore: string[];
  /** The key files before the rotation. */
  let k1: string;
  let k2: string;
  let jwtBefore: string;
  let rotated: KeyRecord[];
  let reloaded: boolean;
  /** Every exchange that was in flight around the rotation and the provider swap. */
  let duringSwap: ApiResponse[];

  beforeAll(async () => {
    server = await startTestServer();
    // The test decides when the server reloads: no periodic check racing the explicit reload().
    server.tessera.oidc.close();
    ({ token: pat } = await server.createUserWithToken(uniqueName('rot'), ['tessera:tokens', 'repo:read']));

    kidsBefore = await publishedKids(server);
    const keys = server.tessera.oidc.keys;
    k1 = keys.signing.kid;
    const staged = keys.published.find((k) => k.state === 'next');
    if (!staged) throw new Error('no next key on first start');
    k2 = staged.kid;
    jwtBefore = await exchangeJwt(server, pat);

    // Exchanges in flight while the keys directory rotates and the provider is swapped.
    let swapped = false;
    const burst = Array.from({ length: 30 }, () => server.exchange(pat));
    const loop = async () => {
      const results: ApiResponse[] = [];
      do results.push(await server.exchange(pat));
      while (!swapped);
      return results;
    };
    const loops = Array.from({ length: 4 }, loop);
    rotated = await rotateKeyDirectory(keyPolicyOf(server), new Date());
    reloaded = await server.tessera.oidc.reload();
    swapped = true;
    const after = Array.from({ length: 10 }, () => server.exchange(pat));
    duringSwap = [
      ...(await Promise.all(burst)),
      ...(await Promise.all(loops)).flat(),
      ...(await Promise.all(after)),
    ];
  });
  afterAll(() => server.stop());

  it('before the rotation, the current key K1 signs and the next key K2 is already published', () => {
    expect(kidsBefore).toEqual([k1, k2].sort());
    expect(kidOf(jwtBefore)).toBe(k1);
    expect(k2).not.toBe(k1);
  });

  it('the rotation makes K2 current, retires K1 and stages a new next key K3', () => {
    expect(kidsIn(rotated, 'current')).toEqual([k2]);
    expect(kidsIn(rotated, 'retired')).toEqual([k1]);
    const next = kidsIn(rotated, 'next');
    expect(next).toHaveLength(1);
    expect([k1, k2]).not.toContain(next[0]);
  });

  it('reload() swaps the provider and reports it', () => {
    expect(reloaded).toBe(true);
    expect(server.tessera.oidc.keys.signing.kid).toBe(k2);
  });

  it('no exchange failed while the keys rotated and the provider was swapped', async () => {
    expect(duringSwap.length).toBeGreaterThanOrEqual(44);
    expect(duringSwap.map((res) => res.status).filter((status) => status !== 200)).toEqual([]);
    // Each was signed by K1 or K2, and each verifies against the JWKS served afterwards.
    for (const res of duringSwap) {
      expect([k1, k2]).toContain(kidOf(res.body.access_token));
      await expect(verifyAgainstServedJwks(server, res.body.access_token)).resolves.toBeDefined();
    }
    // The exchanges started after the swap were signed by K2.
    for (const res of duringSwap.slice(-10)) expect(kidOf(res.body.access_token)).toBe(k2);
  });

  it('new JWTs carry kid K2, which was published before it signed', async () => {
    const jwt = await exchangeJwt(server, pat);
    expect(kidOf(jwt)).toBe(k2);
    expect(kidsBefore).toContain(k2);
    const { protectedHeader } = await verifyAgainstServedJwks(server, jwt);
    expect(protectedHeader.kid).toBe(k2);
  });

  it('the JWKS publishes retired K1, current K2 and the new next K3', async () => {
    const k3 = kidsIn(rotated, 'next')[0];
    expect(await publishedKids(server)).toEqual([k1, k2, k3].sort());
  });

  it('a JWT signed by K1 before the rotation still verifies against the served JWKS', async () => {
    const { protectedHeader, payload } = await verifyAgainstServedJwks(server, jwtBefore);
    expect(protectedHeader.kid).toBe(k1);
    expect(payload.iss).toBe(server.url);
  });

  it('a JWT signed by K1 before the rotation still authenticates on /api/v1', async () => {
    const res = await server.request('GET', '/api/v1/me', { token: jwtBefore });
    expect(res.status).toBe(200);
    const fresh = await server.request('GET', '/api/v1/me', { token: await exchangeJwt(server, pat) });
    expect(fresh.status).toBe(200);
    expect(fresh.body.id).toBe(res.body.id);
  });

  it('reload() without a change in the keys directory keeps the provider and says so', async () => {
    const provider = server.tessera.oidc.provider;
    expect(await server.tessera.oidc.reload()).toBe(false);
    expect(server.tessera.oidc.provider).toBe(provider);
  });
});

describe('a retired key past its retention', () => {
  const JWKS_MAX_AGE = 1;
  let server: TestServer;
  let policy: KeyPolicy;
  let pat: string;
  let k1: string;
  let jwtByK1: string;
  const keyFileKids = () =>
    readdirSync(policy.dir)
      .filter((name) => /^key-.*\.json$/.test(name))
      .map((name) => name.slice('key-'.length, -'.json'.length))
      .sort();

  beforeAll(async () => {
    server = await startTestServer({ configFile: { signing: { jwksMaxAgeSeconds: JWKS_MAX_AGE } } });
    server.tessera.oidc.close();
    policy = keyPolicyOf(server);
    ({ token: pat } = await server.createUserWithToken(uniqueName('ret'), ['tessera:tokens', 'repo:read']));
    k1 = server.tessera.oidc.keys.signing.kid;
    jwtByK1 = await exchangeJwt(server, pat);
    await rotateKeyDirectory(policy, new Date());
    expect(await server.tessera.oidc.reload()).toBe(true);
  });
  afterAll(() => server.stop());

  it('is kept for the longest JWT lifetime plus the JWKS cache lifetime', () => {
    // The built-in API resource issues 900-second JWTs.
    expect(policy.retentionSeconds).toBe(900 + JWKS_MAX_AGE);
  });

  it('stays published while a JWT it signed may still be valid', async () => {
    server.advance((policy.retentionSeconds - 5) * 1000);
    expect(await server.tessera.oidc.reload()).toBe(false);
    expect(await publishedKids(server)).toContain(k1);
    expect((await server.request('GET', '/api/v1/me', { token: jwtByK1 })).status).toBe(200);
  });

  it('leaves the JWKS once its retention has passed (the file stays until the next rotation)', async () => {
    server.advance(10 * 1000);
    expect(await server.tessera.oidc.reload()).toBe(true);
    expect(await publishedKids(server)).not.toContain(k1);
    expect(server.tessera.oidc.keys.published.map((k) => k.kid)).not.toContain(k1);
    expect(keyFileKids()).toContain(k1);
    // Every JWT K1 signed has expired by now.
    expect((await server.request('GET', '/api/v1/me', { token: jwtByK1 })).status).toBe(401);
  });

  it('the next rotation deletes its file; the key it retires stays published', async () => {
    const k2 = server.tessera.oidc.keys.signing.kid;
    const later = new Date(Date.now() + (policy.retentionSeconds + 5) * 1000);
    const keys = await rotateKeyDirectory(policy, later);
    expect(keys.map((k) => k.kid)).not.toContain(k1);
    expect(keyFileKids()).not.toContain(k1);
    expect(keyFileKids()).toEqual(keys.map((k) => k.kid).sort());
    expect(kidsIn(keys, 'retired')).toEqual([k2]);

    expect(await server.tessera.oidc.reload()).toBe(true);
    const published = await publishedKids(server);
    expect(published).not.toContain(k1);
    expect(published).toEqual(keys.map((k) => k.kid).sort());
    expect(published).toHaveLength(3);
  });
});

describe('a running server picks up a rotation by itself', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  it('through its periodic check of the keys directory', async () => {
    server.tessera.oidc.close();
    const before = server.tessera.oidc.keys;
    const keys = await rotateKeyDirectory(keyPolicyOf(server), new Date());
    server.tessera.oidc.watch(20);
    // Returns as soon as the swap is seen; the deadline only ends a wait that failed, sized for a
    // loaded 2-core box (reading the keys and building a provider took seconds there).
    const deadline = Date.now() + 30_000;
    while (server.tessera.oidc.keys === before && Date.now() < deadline) await sleep(20);
    expect(server.tessera.oidc.keys.signing.kid).toBe(kidsIn(keys, 'current')[0]);
    expect(await publishedKids(server)).toEqual(keys.map((k) => k.kid).sort());
  });
});
