/**
 * Every URL Tessera publishes comes from TESSERA_ISSUER. The first discovery request after a
 * start is rendered once and kept, so a forged Host on that request must not decide where
 * every later client fetches keys from.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer } from '../../helpers/server.js';

const ISSUER = 'https://sts.example.test';
const FORGED = {
  host: 'evil.example',
  'x-forwarded-host': 'evil.example',
  'x-forwarded-proto': 'http',
  forwarded: 'host=evil.example;proto=http',
};

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { TESSERA_ISSUER: ISSUER } });
});
afterAll(() => server.stop());

function publishedUrls(document: Record<string, unknown>): string[] {
  return Object.entries(document)
    .filter(
      ([name, value]) =>
        (name === 'issuer' || name.endsWith('_endpoint') || name.endsWith('_uri')) &&
        typeof value === 'string',
    )
    .map(([, value]) => value as string);
}

describe('published URLs come from the issuer', () => {
  for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
    it(`${path}: a forged Host first, then a plain request: both name only the issuer`, async () => {
      await server.tessera.oidc.reload();
      server.tessera.oidc.documents.clear();
      const forged = await server.request('GET', path, { headers: FORGED, verbatimPath: true });
      const plain = await server.request('GET', path);
      for (const answer of [forged, plain]) {
        expect(answer.status).toBe(200);
        expect(answer.body.issuer).toBe(ISSUER);
        expect(answer.body.jwks_uri).toBe(`${ISSUER}/jwks`);
        expect(answer.body.token_endpoint).toBe(`${ISSUER}/token`);
        const urls = publishedUrls(answer.body);
        expect(urls.length).toBeGreaterThanOrEqual(3);
        for (const url of urls) expect(url.startsWith(`${ISSUER}/`) || url === ISSUER).toBe(true);
        expect(answer.text).not.toContain('evil.example');
      }
    });
  }

  it('an absolute-form request target (GET http://evil.example/...) does not decide the URLs', async () => {
    server.tessera.oidc.documents.clear();
    const path = '/.well-known/openid-configuration';
    const forged = await server.request('GET', `http://evil.example${path}`, {
      headers: FORGED,
      verbatimPath: true,
    });
    expect(forged.status).toBe(200);
    expect(forged.body.jwks_uri).toBe(`${ISSUER}/jwks`);
    expect((await server.request('GET', path)).body.token_endpoint).toBe(`${ISSUER}/token`);
  });

  it('does not offer openid among scopes_supported (Tessera issues no ID tokens)', async () => {
    const answer = await server.request('GET', '/.well-known/openid-configuration');
    expect(answer.body.scopes_supported).not.toContain('openid');
    expect(answer.body.scopes_supported).toEqual(expect.arrayContaining(['tessera:tokens']));
  });
});
