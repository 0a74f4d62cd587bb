import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import type { Database } from '../../../src/db/queryable.js';
import { createLogger } from '../../../src/logger.js';
import { createServices } from '../../../src/services.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

describe('GET /healthz and /readyz', () => {
  it('answers /healthz with 200 {status: "ok"} as JSON', async () => {
    const response = await server.request('GET', '/healthz');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('answers /readyz with 200 while the database is up', async () => {
    const response = await server.request('GET', '/readyz');
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('ready');
  });

  it('needs no credentials for either probe', async () => {
    const withBadToken = { headers: { authorization: 'Bearer nonsense' } };
    expect((await server.request('GET', '/healthz', withBadToken)).status).toBe(200);
    expect((await server.request('GET', '/readyz', withBadToken)).status).toBe(200);
  });
});

describe('X-Request-Id', () => {
  it('gives every response a fresh request id when the client sent none', async () => {
    const first = await server.request('GET', '/healthz');
    const second = await server.request('GET', '/api/v1/scopes');
    expect(first.headers.get('x-request-id')).toMatch(UUID);
    expect(second.headers.get('x-request-id')).toMatch(UUID);
    expect(first.headers.get('x-request-id')).not.toBe(second.headers.get('x-request-id'));
  });

  it('echoes a sane client-sent request id, also on error responses', async () => {
    const id = `trace-${process.pid}.abc_DEF`;
    const ok = await server.request('GET', '/healthz', { headers: { 'x-request-id': id } });
    expect(ok.headers.get('x-request-id')).toBe(id);
    const unauthenticated = await server.request('GET', '/api/v1/me', { headers: { 'x-request-id': id } });
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get('x-request-id')).toBe(id);
  });

  it('replaces an insane client-sent request id with a fresh one', async () => {
    for (const insane of ['has spaces in it', 'x'.repeat(65), 'semi;colon', '<script>', 'ünïcode']) {
      const response = await server.request('GET', '/healthz', { headers: { 'x-request-id': insane } });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-request-id')).toMatch(UUID);
    }
  });

  it('logs the request id with the request line', async () => {
    const id = `log-check-${process.pid}`;
    await server.request('GET', '/healthz', { headers: { 'x-request-id': id } });
    const line = server.logs.map((l) => JSON.parse(l)).find((entry) => entry.reqId === id);
    expect(line).toMatchObject({ method: 'GET', path: '/healthz', status: 200 });
  });
});

describe('what the access log says at info', () => {
  /** The JSON lines carrying this request id (the test server logs at debug). */
  const linesOf = (id: string) =>
    server.logs.map((l) => JSON.parse(l)).filter((entry: { reqId?: string }) => entry.reqId === id);
  const INFO = 30;
  const DEBUG = 20;

  it('logs /healthz, /readyz and /metrics at debug: probes are not what people did', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      const id = `probe-${path.slice(1)}-${process.pid}`;
      await server.request('GET', path, { headers: { 'x-request-id': id } });
      const lines = linesOf(id);
      expect(lines).toEqual([expect.objectContaining({ path, level: DEBUG, msg: 'request' })]);
    }
  });

  it('logs every other request in exactly one line at info', async () => {
    const requests: [string, string, Record<string, unknown>][] = [
      ['GET', '/api/v1/scopes', { token: server.adminToken }],
      ['GET', '/api/v1/me', {}],
      ['POST', '/token', { raw: 'grant_type=nonsense', contentType: 'application/x-www-form-urlencoded' }],
      ['GET', '/.well-known/oauth-authorization-server', {}],
      ['GET', '/no-such-page', {}],
    ];
    for (const [method, path, options] of requests) {
      const id = `info-${requests.findIndex((r) => r[1] === path)}-${process.pid}`;
      await server.request(method, path, { ...options, headers: { 'x-request-id': id } });
      const atInfo = linesOf(id).filter((entry: { level: number }) => entry.level >= INFO);
      expect(atInfo).toEqual([expect.objectContaining({ method, path, level: INFO, msg: 'request' })]);
    }
  });
});

/** Serves `buildApp` on an ephemeral loopback port with the given database. */
async function serveApp(db: Database): Promise<{ url: string; server: Server }> {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    TESSERA_ISSUER: 'http://127.0.0.1:1',
    TESSERA_DATA_DIR: server.dataDir,
  });
  // The running server's provider host: the OAuth side is not what these tests look at.
  const oidc = server.tessera.oidc;
  const services = createServices({ db, clock: () => new Date(), config, logger: createLogger('silent') });
  const app = buildApp({ ...services, oidc });
  const http = createServer(app.callback()).listen(0, '127.0.0.1');
  await once(http, 'listening');
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, server: http };
}

async function closeServer(http: Server) {
  const closed = new Promise<void>((resolve) => http.close(() => resolve()));
  http.closeAllConnections();
  await closed;
}

describe('readiness when the database is unreachable', () => {
  /** Simulates an outage: every statement fails the way a dropped connection does. */
  const unreachable: Database = {
    kind: 'pg',
    query: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')),
    exec: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')),
    transaction: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')),
    close: () => Promise.resolve(),
  };

  let outage: { url: string; server: Server };
  beforeAll(async () => {
    outage = await serveApp(unreachable);
  });
  afterAll(() => closeServer(outage.server));

  it('answers /readyz with 503 and no internal detail', async () => {
    const response = await fetch(`${outage.url}/readyz`);
    expect(response.status).toBe(503);
    const text = await response.text();
    expect(JSON.parse(text).status).not.toBe('ready');
    expect(text).not.toContain('ECONNREFUSED');
    expect(response.headers.get('x-request-id')).toMatch(UUID);
  });

  it('keeps answering /healthz with 200 {status: "ok"}', async () => {
    const response = await fetch(`${outage.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('turns an API request that needs the database into a bare 500 problem, not a crash', async () => {
    const response = await fetch(`${outage.url}/api/v1/me`, {
      headers: { authorization: `Bearer ${server.adminToken}` },
    });
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ status: 500, code: 'internal_error' });
    expect(text).not.toContain('ECONNREFUSED');
    expect((await fetch(`${outage.url}/healthz`)).status).toBe(200);
  });
});
