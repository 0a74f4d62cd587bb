import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../../src/config.js';
import { keyPolicyFor, rotateKeyDirectory } from '../../../src/keys/keyring.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

describe('JWKS and discovery served from a rendered body with an ETag', () => {
  for (const path of [
    '/jwks',
    '/.well-known/oauth-authorization-server',
    '/.well-known/openid-configuration',
  ]) {
    it(`${path}: same body and ETag each time; If-None-Match answers 304 without a body`, async () => {
      const first = await fetch(`${server.url}${path}`);
      const second = await fetch(`${server.url}${path}`);
      const etag = first.headers.get('etag');
      expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
      expect(second.headers.get('etag')).toBe(etag);
      expect(await second.text()).toBe(await first.text());

      const revalidated = await fetch(`${server.url}${path}`, {
        headers: { 'if-none-match': etag as string },
      });
      expect(revalidated.status).toBe(304);
      expect(await revalidated.text()).toBe('');
      expect((await fetch(`${server.url}${path}`, { headers: { 'if-none-match': '"other"' } })).status).toBe(
        200,
      );
    });
  }

  it('renders the JWKS anew after a key rotation: new ETag, new key', async () => {
    const before = await fetch(`${server.url}/jwks`);
    const etag = before.headers.get('etag');
    const kids = ((await before.json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);

    const config = loadConfig({
      TESSERA_KEYS_DIR: `${server.dataDir}/keys`,
      TESSERA_DATA_DIR: server.dataDir,
    });
    await rotateKeyDirectory(keyPolicyFor(config), new Date());
    expect(await server.tessera.oidc.reload()).toBe(true);

    const after = await fetch(`${server.url}/jwks`, { headers: { 'if-none-match': etag as string } });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(etag);
    const newKids = ((await after.json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    expect(newKids).toEqual(expect.arrayContaining(kids));
    expect(newKids.length).toBe(kids.length + 1);
  });
});
