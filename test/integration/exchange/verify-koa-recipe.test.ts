/**
 * The verifier README's Koa recipe, taken from the README as written and run in a real Koa app
 * in front of nothing but itself: a DPoP-bound JWT from a real Tessera with a proof for the
 * request passes once; the replay, the bearer use and a proof for another path get 401 with a
 * DPoP challenge.
 */

import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Koa from 'koa';
import { createRequestVerifier, TesseraTokenError } from 'tessera-jwt-verify';
import { type DpopKey, dpopKey, dpopProof } from '../../helpers/dpop.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const README = readFileSync(new URL('../../../packages/verify/README.md', import.meta.url), 'utf8');

function koaRecipe(): string {
  const start = README.indexOf('Koa:\n\n```ts\n');
  expect(start).toBeGreaterThan(-1);
  const body = README.slice(start + 'Koa:\n\n```ts\n'.length);
  return body.slice(0, body.indexOf('```\n'));
}

let server: TestServer;
let service: Server;
let origin: string;
let key: DpopKey;
let bound: string;

beforeAll(async () => {
  server = await startTestServer();
  key = await dpopKey();
  const { token } = await server.createUserWithToken(uniqueName('koa'), ['tessera:tokens']);
  const exchanged = await server.tokenRequest(
    {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: token,
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    },
    { dpop: await dpopProof(key, { htu: `${server.url}/token`, iat: nowSeconds() }) },
  );
  bound = exchanged.body.access_token;

  const app = new Koa();
  // Koa composes its middleware when it makes its callback: made once the recipe is in.
  let handle: ReturnType<Koa['callback']> | undefined;
  service = createServer((req, res) => handle?.(req, res));
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
  const verifyRequest = createRequestVerifier({ issuer: server.url, audience: `${server.url}/api` });
  // The README's code, verbatim, with the names it expects in scope.
  new Function('app', 'verifyRequest', 'PUBLIC_ORIGIN', 'TesseraTokenError', koaRecipe())(
    app,
    verifyRequest,
    origin,
    TesseraTokenError,
  );
  app.use((ctx) => {
    ctx.body = { sub: ctx.state.claims.sub };
  });
  handle = app.callback();
}, 60_000);
afterAll(async () => {
  await new Promise((resolve) => service?.close(resolve));
  await server?.stop();
});

function nowSeconds() {
  return Math.floor(server.now().getTime() / 1000);
}

const call = (path: string, authorization: string, proof?: string) =>
  fetch(`${origin}${path}`, { headers: { authorization, ...(proof ? { dpop: proof } : {}) } });

describe('packages/verify README: the Koa recipe', () => {
  it('lets a bound JWT with its proof through once and answers 401 with a DPoP challenge otherwise', async () => {
    const proof = await dpopProof(key, {
      htm: 'GET',
      htu: `${origin}/repos`,
      accessToken: bound,
      iat: nowSeconds(),
    });
    const ok = await call('/repos?page=1', `DPoP ${bound}`, proof);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { sub: string }).sub).toBeTruthy();

    const other = await dpopProof(key, {
      htm: 'GET',
      htu: `${origin}/admin`,
      accessToken: bound,
      iat: nowSeconds(),
    });
    for (const response of [
      await call('/repos', `DPoP ${bound}`, proof),
      await call('/repos', `Bearer ${bound}`),
      await call('/repos', `DPoP ${bound}`, other),
    ]) {
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('DPoP error="invalid_token"');
    }
  });
});
