/**
 * Issuer documents are capped (issue 18, item 10): a discovery document or JWKS that is huge, or
 * that trickles in, is given up at 256 kB or at the fetch timeout, whichever comes first; the
 * exchange is refused cleanly (503 temporarily_unavailable) and the process does not buffer the
 * body. Real loopback servers stream the bodies; nothing is mocked.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ISSUER_DOCUMENT_MAX_BYTES } from '../../../src/federation/capped-fetch.js';
import { createPolicy, federatedExchange } from '../../helpers/federation.js';
import { startTestIssuer, type TestIssuer } from '../../helpers/oidc-issuer.js';
import { expectOAuthError } from '../../helpers/problems.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const AUD = 'https://tessera.test';
const HUGE = 300 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 0x20);
let server: TestServer;
let donor: TestIssuer;
let userId: string;

beforeAll(async () => {
  server = await startTestServer({ configFile: { federation: { fetchTimeoutMs: 3000 } } });
  userId = (await server.createUserWithToken(uniqueName('ci'), ['tessera:tokens', 'repo:read'])).user.id;
  donor = await startTestIssuer();
});
afterAll(async () => {
  await server.stop();
  await donor.stop();
});

/** Writes `total` bytes of JSON-ish filler as fast as the reader takes them; counts what went out. */
function flood(res: ServerResponse, total: number, sent: { bytes: number }) {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('{"issuer":"');
  const more = () => {
    while (sent.bytes < total && !res.destroyed) {
      sent.bytes += CHUNK.length;
      if (!res.write(CHUNK)) return void res.once('drain', more);
    }
    res.end('"}');
  };
  more();
}

/** A loopback "issuer" whose paths answer as `routes` says. */
async function hostileIssuer(route: (path: string, url: string, res: ServerResponse) => void) {
  let url = '';
  const http = createServer((req, res) => route(req.url ?? '/', url, res));
  await new Promise<void>((done) => http.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  await createPolicy(server, {
    name: uniqueName('hostile'),
    issuer: url,
    audience: AUD,
    claims: { repository_owner_id: '42' },
    user_id: userId,
    scopes: ['repo:read'],
  });
  const close = () => {
    http.closeAllConnections();
    http.close();
  };
  return { url, close };
}

async function exchangeAgainst(issuer: string) {
  const token = await donor.mint({ ...donor.githubClaims({ aud: AUD }), iss: issuer });
  return federatedExchange(server, token);
}

describe('a huge or slow issuer document', () => {
  it('a 300 MB discovery document is abandoned at the cap: 503, and memory does not grow by it', async () => {
    const sent = { bytes: 0 };
    const issuer = await hostileIssuer((_path, _url, res) => flood(res, HUGE, sent));
    try {
      global.gc?.();
      const before = process.memoryUsage();
      const { response, row } = await exchangeAgainst(issuer.url);
      const after = process.memoryUsage();
      expectOAuthError(response, 503, 'temporarily_unavailable');
      expect(row.reason).toMatch(/larger than/);
      // Socket buffers let some megabytes out past the cap, never the body.
      expect(sent.bytes).toBeLessThan(HUGE / 4);
      expect(after.rss + after.arrayBuffers - before.rss - before.arrayBuffers).toBeLessThan(HUGE / 3);
    } finally {
      issuer.close();
    }
  });

  it('a discovery document that declares a huge length is refused before its body is read', async () => {
    const issuer = await hostileIssuer((_path, _url, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(HUGE) });
      res.write('{');
    });
    try {
      const { response, row } = await exchangeAgainst(issuer.url);
      expect(response.status).toBe(503);
      expect(row.reason).toMatch(/larger than/);
    } finally {
      issuer.close();
    }
  });

  it('a body that trickles in is cut at the fetch timeout, not held open', async () => {
    const issuer = await hostileIssuer((_path, _url, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(' ')), 100);
      res.on('close', () => clearInterval(timer));
    });
    try {
      const started = Date.now();
      const { response } = await exchangeAgainst(issuer.url);
      expect(response.status).toBe(503);
      // The timeout is 3 s; trickling would otherwise hold the exchange for as long as it liked.
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      issuer.close();
    }
  }, 30_000);

  it('a JWKS over the cap is refused (jose is given the capped fetch)', async () => {
    const sent = { bytes: 0 };
    const issuer = await hostileIssuer((path, url, res) => {
      if (path === '/.well-known/openid-configuration') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ issuer: url, jwks_uri: `${url}/keys` }));
      } else flood(res, HUGE, sent);
    });
    try {
      const { response, row } = await exchangeAgainst(issuer.url);
      expect(response.status).toBe(503);
      expect(row.reason).toMatch(/JWKS/);
      expect(sent.bytes).toBeLessThan(HUGE / 4);
      expect(sent.bytes).toBeGreaterThan(ISSUER_DOCUMENT_MAX_BYTES);
    } finally {
      issuer.close();
    }
  });
});
