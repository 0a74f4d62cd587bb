/**
 * The baseline: stock oidc-provider (the pinned version) issuing ES256 JWT access tokens with
 * the client_credentials grant. What a user would run instead; it does no database lookup.
 *   PORT=4001 tsx bench/baseline-server.ts
 */
import { createServer } from 'node:http';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { BASELINE_CLIENT } from './lib/baseline.js';

const port = Number(process.env.PORT ?? 4001);
const issuer = `http://127.0.0.1:${port}`;
const audience = 'https://api.example.com';

const { privateKey } = await generateKeyPair('ES256', { extractable: true });
const jwk = await exportJWK(privateKey);
const kid = await calculateJwkThumbprint(jwk);

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: BASELINE_CLIENT.id,
      client_secret: BASELINE_CLIENT.secret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    },
  ],
  jwks: { keys: [{ ...jwk, kid, alg: 'ES256', use: 'sig' } as never] },
  clientDefaults: { id_token_signed_response_alg: 'ES256' },
  scopes: ['repo:read'],
  features: {
    devInteractions: { enabled: false },
    dPoP: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => audience,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'repo:read',
        audience,
        accessTokenFormat: 'jwt',
        accessTokenTTL: 900,
        jwt: { sign: { alg: 'ES256' } },
      }),
    },
  },
});

const callback = provider.callback();
createServer((req, res) => {
  if (req.url === '/healthz') return res.end('ok');
  return callback(req, res);
}).listen(port, '127.0.0.1');
// A clean exit on SIGTERM, so that `node --cpu-prof` writes its profile (bench/profile.ts).
process.once('SIGTERM', () => process.exit(0));
