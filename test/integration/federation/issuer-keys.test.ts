/**
 * The external issuer's keys as Tessera fetches them: a rotated key is picked up by one
 * re-fetch once the cooldown has passed (and unknown kids inside the cooldown fetch nothing);
 * an issuer that is down or hangs answers 503 `temporarily_unavailable`, never a 500, and
 * works again once it is back.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { INVALID_SUBJECT_TOKEN } from '../../../src/exchange/constants.js';
import { createPolicy, federatedExchange } from '../../helpers/federation.js';
import { startTestIssuer, type TestIssuer } from '../../helpers/oidc-issuer.js';
import { expectOAuthError } from '../../helpers/problems.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const AUD = 'https://tessera.test';
// The server's clock passes it only when the test moves it (`server.advance`): far longer than
// the few exchanges inside it take on a loaded 2-core box.
const COOLDOWN_MS = 60_000;
const FETCH_TIMEOUT_MS = 3000;
const CACHE_MS = 600_000;
let server: TestServer;
let userId: string;
const issuers: TestIssuer[] = [];

beforeAll(async () => {
  server = await startTestServer({
    configFile: {
      federation: {
        jwksCooldownSeconds: COOLDOWN_MS / 1000,
        jwksCacheSeconds: CACHE_MS / 1000,
        fetchTimeoutMs: FETCH_TIMEOUT_MS,
      },
    },
  });
  userId = (await server.createUserWithToken(uniqueName('ci'), ['tessera:tokens', 'repo:read'])).user.id;
});
afterAll(async () => {
  await server.stop();
  await Promise.all(issuers.map((issuer) => issuer.stop().catch(() => {})));
});

async function trustedIssuer(): Promise<TestIssuer> {
  const issuer = await startTestIssuer();
  issuers.push(issuer);
  await trust(issuer.url);
  return issuer;
}

function trust(issuer: string) {
  return createPolicy(server, {
    name: uniqueName('keys'),
    issuer,
    audience: AUD,
    claims: { repository_owner_id: '42' },
    user_id: userId,
    scopes: ['repo:read'],
  });
}

/** Seconds since the epoch on the server's clock, which `advance` moves ahead of the issuer's. */
const serverNow = () => Math.floor(server.now().getTime() / 1000);

describe('key rotation at the issuer', () => {
  it('an unknown kid is refused within the cooldown without a re-fetch, then accepted after one', async () => {
    const issuer = await trustedIssuer();
    const token = () => issuer.mint(issuer.githubClaims({ aud: AUD }), { iat: serverNow() });
    expect((await federatedExchange(server, await token())).response.status).toBe(200);
    expect(issuer.hits.get('/.well-known/jwks')).toBe(1);

    await issuer.rotate();
    for (let i = 0; i < 3; i++) {
      const { response, row } = await federatedExchange(server, await token());
      expect(response.body).toEqual({ error: 'invalid_request', error_description: INVALID_SUBJECT_TOKEN });
      expect(row.reason).toMatch(/kid/);
    }
    expect(issuer.hits.get('/.well-known/jwks')).toBe(1);

    server.advance(COOLDOWN_MS);
    const { response, row } = await federatedExchange(server, await token());
    expect(response.status).toBe(200);
    expect(row.outcome).toBe('success');
    expect(issuer.hits.get('/.well-known/jwks')).toBe(2);
    expect(issuer.hits.get('/.well-known/openid-configuration')).toBe(1);
  });

  it('a known kid re-fetches the JWKS once it is jwksCacheSeconds old, and not before', async () => {
    const issuer = await trustedIssuer();
    const token = () => issuer.mint(issuer.githubClaims({ aud: AUD }), { iat: serverNow() });
    expect((await federatedExchange(server, await token())).response.status).toBe(200);
    server.advance(CACHE_MS - 1000);
    expect((await federatedExchange(server, await token())).response.status).toBe(200);
    expect(issuer.hits.get('/.well-known/jwks')).toBe(1);
    server.advance(1000);
    expect((await federatedExchange(server, await token())).response.status).toBe(200);
    expect(issuer.hits.get('/.well-known/jwks')).toBe(2);
  });
});

describe('an unreachable issuer', () => {
  it('down: 503 temporarily_unavailable, audited; back: granted after the cooldown', async () => {
    const issuer = await trustedIssuer();
    const token = await issuer.mint(issuer.githubClaims({ aud: AUD }), { iat: serverNow() });
    await issuer.stop();
    const down = await federatedExchange(server, token);
    expectOAuthError(down.response, 503, 'temporarily_unavailable');
    expect(down.row).toMatchObject({ outcome: 'failure', federated: true, external_iss: issuer.url });
    expect(down.row.reason).toMatch(/discovery/);

    // A failed discovery is not retried within the cooldown: a down issuer is not hammered.
    await issuer.start();
    expect((await federatedExchange(server, token)).response.status).toBe(503);
    expect(issuer.hits.size).toBe(0);
    server.advance(COOLDOWN_MS);
    expect((await federatedExchange(server, token)).response.status).toBe(200);
  });

  it('hanging: 503 after the fetch timeout, not a stuck request', async () => {
    const hanging = createServer(() => {});
    await new Promise<void>((done) => hanging.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
    try {
      await trust(url);
      const donor = await startTestIssuer();
      issuers.push(donor);
      // Signed by some key, claiming the hanging issuer: Tessera must ask that issuer for keys.
      const token = await donor.mint({ ...donor.githubClaims({ aud: AUD }), iss: url });
      const started = Date.now();
      const { response } = await federatedExchange(server, token);
      expectOAuthError(response, 503, 'temporarily_unavailable');
      // Without the timeout it would hang until jest's; the margin is for a loaded box.
      expect(Date.now() - started).toBeLessThan(FETCH_TIMEOUT_MS + 12_000);
    } finally {
      hanging.closeAllConnections();
      hanging.close();
    }
  });
});

describe('a discovery document that points elsewhere', () => {
  /** A loopback issuer whose discovery says `document(url)`; signs nothing itself. */
  async function lyingIssuer(document: (url: string) => unknown) {
    let url = '';
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(document(url)));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const close = () => {
      server.closeAllConnections();
      server.close();
    };
    return { url, close };
  }

  it.each([
    ['a jwks_uri on another origin', (url: string) => ({ issuer: url, jwks_uri: 'http://127.0.0.2:9/keys' })],
    ['another issuer', (url: string) => ({ issuer: `${url}/other`, jwks_uri: `${url}/keys` })],
    ['no jwks_uri', (url: string) => ({ issuer: url })],
  ])('naming %s: 503, and no key from anywhere else is used', async (_what, document) => {
    const liar = await lyingIssuer(document);
    try {
      await trust(liar.url);
      const donor = await startTestIssuer();
      issuers.push(donor);
      const token = await donor.mint({ ...donor.githubClaims({ aud: AUD }), iss: liar.url });
      const { response, row } = await federatedExchange(server, token);
      expect(response.status).toBe(503);
      expect(row.reason).toMatch(/discovery/);
      expect(donor.hits.size).toBe(0);
    } finally {
      liar.close();
    }
  });
});
