/**
 * `GET /metrics` (issue 4, point 7): Prometheus text with exchanges by outcome, the exchange
 * latency histogram, the active-PATs gauge and HTTP requests by route template and status.
 * Open by default; `metrics.bearerToken` puts it behind a bearer token, `metrics.enabled: false`
 * turns it off.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generatePat } from '../../../src/pat/format.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const METRICS_TOKEN = 'metrics-scraper-token-4f1e9a7c';

let open: TestServer;
let guarded: TestServer;
let disabled: TestServer;
// Each server is started by the describe that uses it, in a hook of its own: three starts in one
// hook took most of its 60 s on a loaded 2-core box (a second `npm test` beside it timed it out).

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (version 0.0.4). */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    expect(match).not.toBeNull();
    const [, name, rawLabels, value] = match as RegExpExecArray;
    const labels: Record<string, string> = {};
    for (const label of (rawLabels ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[label[1] as string] = label[2] as string;
    }
    samples.push({ name: name as string, labels, value: Number(value) });
  }
  return samples;
}

async function scrape(server: TestServer = open) {
  const response = await server.request('GET', '/metrics');
  expect(response.status).toBe(200);
  return { response, samples: parseExposition(response.text) };
}

/** The sum of the samples named `name` whose labels include `labels`. */
function sumOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

async function activePatsInDatabase(server: TestServer): Promise<number> {
  const { rows } = await server.database.db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM pats WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())',
  );
  return rows[0]?.n ?? 0;
}

describe('GET /metrics (open by default)', () => {
  beforeAll(async () => {
    open = await startTestServer();
  });
  afterAll(() => open?.stop());

  it('is Prometheus text format', async () => {
    const { response, samples } = await scrape();
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.text).toContain('# TYPE tessera_token_exchanges_total counter');
    expect(response.text).toContain('# TYPE tessera_token_exchange_duration_seconds histogram');
    expect(response.text).toContain('# TYPE tessera_active_pats gauge');
    expect(response.text).toContain('# TYPE tessera_http_requests_total counter');
    expect(samples.length).toBeGreaterThan(0);
  });

  it('counts exchanges by outcome and observes their latency', async () => {
    const { token } = await open.createUserWithToken(uniqueName('metered'), ['tessera:tokens', 'repo:read']);
    const { samples: before } = await scrape();

    for (let i = 0; i < 3; i++) expect((await open.exchange(token)).status).toBe(200);
    for (const bad of [generatePat('tsr'), 'tsr_nope']) {
      const refused = await open.exchange(bad);
      expect(refused.body.error).toBe('invalid_request');
    }
    expect((await open.exchange(token, { scope: 'repo:write' })).body.error).toBe('invalid_scope');

    const { response, samples: after } = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) =>
      sumOf(after, name, labels) - sumOf(before, name, labels);
    expect(delta('tessera_token_exchanges_total', { outcome: 'granted' })).toBe(3);
    expect(delta('tessera_token_exchanges_total', { outcome: 'invalid_request' })).toBe(2);
    expect(delta('tessera_token_exchanges_total', { outcome: 'invalid_scope' })).toBe(1);
    expect(response.text).toMatch(/^tessera_token_exchanges_total\{outcome="granted"\} \d+$/m);
    expect(response.text).toMatch(/^tessera_token_exchanges_total\{outcome="invalid_request"\} \d+$/m);

    expect(response.text).toMatch(/^tessera_token_exchange_duration_seconds_bucket\{le="[^"]+"\} \d+$/m);
    expect(delta('tessera_token_exchange_duration_seconds_count')).toBe(6);
    expect(delta('tessera_token_exchange_duration_seconds_bucket', { le: '+Inf' })).toBe(6);
    expect(delta('tessera_token_exchange_duration_seconds_sum')).toBeGreaterThan(0);
    // Buckets are cumulative.
    const buckets = after
      .filter((s) => s.name === 'tessera_token_exchange_duration_seconds_bucket')
      .map((s) => s.value);
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b));
  });

  it('reports the number of active PATs, following creations and revocations', async () => {
    const { samples } = await scrape();
    expect(sumOf(samples, 'tessera_active_pats')).toBe(await activePatsInDatabase(open));

    const holder = await open.createUserWithToken(uniqueName('gauge'), ['tessera:tokens']);
    const second = await open.request('POST', '/api/v1/tokens', {
      token: holder.token,
      body: { name: 'second', scopes: ['tessera:tokens'] },
    });
    expect(second.status).toBe(201);
    const grown = sumOf((await scrape()).samples, 'tessera_active_pats');
    expect(grown).toBe(sumOf(samples, 'tessera_active_pats') + 2);
    expect(grown).toBe(await activePatsInDatabase(open));

    const revoked = await open.request('POST', `/api/v1/tokens/${second.body.id}/revoke`, {
      token: holder.token,
      body: {},
    });
    expect(revoked.status).toBe(200);
    const shrunk = sumOf((await scrape()).samples, 'tessera_active_pats');
    expect(shrunk).toBe(grown - 1);
    expect(shrunk).toBe(await activePatsInDatabase(open));
  });

  it('counts HTTP requests by route template and status, never with a raw id in a label', async () => {
    const holder = await open.createUserWithToken(uniqueName('routes'), ['tessera:tokens']);
    const { samples: before } = await scrape();
    const unknownId = randomUUID();

    for (let i = 0; i < 2; i++) {
      const shown = await open.request('GET', `/api/v1/tokens/${holder.pat.id}`, { token: holder.token });
      expect(shown.status).toBe(200);
    }
    expect((await open.request('GET', `/api/v1/tokens/${unknownId}`, { token: holder.token })).status).toBe(
      404,
    );
    expect(
      (await open.request('GET', `/api/v1/tokens/${holder.pat.id}/events`, { token: holder.token })).status,
    ).toBe(200);
    expect(
      (await open.request('GET', `/api/v1/users/${holder.user.id}`, { token: open.adminToken })).status,
    ).toBe(200);
    expect((await open.request('GET', `/no/such/path/${unknownId}`)).status).toBe(404);
    expect((await open.request('GET', `/api/v1/no-such-thing/${unknownId}`)).status).toBe(404);
    expect((await open.exchange(holder.token)).status).toBe(200);

    const { response, samples: after } = await scrape();
    const delta = (labels: Record<string, string>) =>
      sumOf(after, 'tessera_http_requests_total', labels) -
      sumOf(before, 'tessera_http_requests_total', labels);
    expect(response.text).toMatch(
      /^tessera_http_requests_total\{[^}]*route="\/api\/v1\/tokens\/:id"[^}]*\} \d+$/m,
    );
    expect(delta({ route: '/api/v1/tokens/:id', method: 'GET', status: '200' })).toBe(2);
    expect(delta({ route: '/api/v1/tokens/:id', method: 'GET', status: '404' })).toBe(1);
    expect(delta({ route: '/api/v1/tokens/:id/events', method: 'GET', status: '200' })).toBe(1);
    expect(delta({ route: '/api/v1/users/:id', method: 'GET', status: '200' })).toBe(1);
    expect(delta({ route: '/token', method: 'POST', status: '200' })).toBe(1);

    for (const raw of [holder.pat.id, holder.user.id, unknownId, holder.token]) {
      expect(response.text.includes(raw)).toBe(false);
    }
    const routes = new Set(
      after.filter((s) => s.name === 'tessera_http_requests_total').map((s) => s.labels.route ?? ''),
    );
    for (const route of routes) {
      expect(route).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i);
    }
  });
});

describe('metrics.bearerToken', () => {
  beforeAll(async () => {
    guarded = await startTestServer({ configFile: { metrics: { bearerToken: METRICS_TOKEN } } });
  });
  afterAll(() => guarded?.stop());

  it('requires that bearer token', async () => {
    const none = await guarded.request('GET', '/metrics');
    expect(none.status).toBe(401);
    expect(none.text).not.toContain('tessera_');

    for (const wrong of [
      'wrong',
      METRICS_TOKEN.replace(/.$/, 'x'),
      `${METRICS_TOKEN}x`,
      guarded.adminToken,
    ]) {
      const response = await guarded.request('GET', '/metrics', { token: wrong });
      expect(response.status).toBe(401);
      expect(response.text).not.toContain('tessera_');
    }

    const right = await guarded.request('GET', '/metrics', { token: METRICS_TOKEN });
    expect(right.status).toBe(200);
    expect(right.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(right.text).toContain('tessera_active_pats');
  });
});

describe('metrics.enabled: false', () => {
  beforeAll(async () => {
    disabled = await startTestServer({ configFile: { metrics: { enabled: false } } });
  });
  afterAll(() => disabled?.stop());

  it('turns /metrics off: 404', async () => {
    const response = await disabled.request('GET', '/metrics');
    expect(response.status).toBe(404);
    expect(response.text).not.toContain('tessera_');
    // The rest of the server is unaffected.
    expect((await disabled.request('GET', '/healthz')).status).toBe(200);
  });
});
