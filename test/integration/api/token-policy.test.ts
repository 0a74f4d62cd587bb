/**
 * The `tokens` section of the config file, over real HTTP: a custom prefix, a short default
 * and maximum lifetime, and tokens without expiry allowed.
 *
 * Under this policy the admin's bootstrap token lives 7 days, so the clock moves only in the
 * last test, which needs no admin afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generatePat } from '../../../src/pat/format.js';
import { expectProblem } from '../../helpers/problems.js';
import { type ApiResponse, startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const DAY_MS = 86_400_000;
const ACME_TOKEN = /^acme_[0-9A-Za-z]{36}$/;

let server: TestServer;
beforeAll(async () => {
  // A set clock (STYLE rule 10): lifetimes are asserted exactly.
  server = await startTestServer({
    clockAt: new Date(Date.UTC(2026, 10, 2, 9, 0, 0)),
    configFile: {
      tokens: { allowNoExpiry: true, maxLifetimeDays: 30, defaultLifetimeDays: 7, prefix: 'acme' },
    },
  });
});
afterAll(() => server.stop());

const fieldsOf = (response: ApiResponse): string[] =>
  (response.body?.errors ?? []).map((error: { field: string }) => error.field);

const lifetimeMs = (pat: { created_at: string; expires_at: string }) =>
  Date.parse(pat.expires_at) - Date.parse(pat.created_at);

const newOwner = (base: string) =>
  server.createUserWithToken(uniqueName(base), ['tessera:tokens', 'repo:read']);

function createToken(token: string, body: Record<string, unknown>) {
  return server.request('POST', '/api/v1/tokens', {
    token,
    body: { name: 'work', scopes: ['repo:read', 'tessera:tokens'], ...body },
  });
}

describe('tokens.prefix', () => {
  it('issues tokens as acme_<36 base62> with a hint of the prefix and 4 characters', async () => {
    const { token } = await newOwner('prefix');
    expect(token).toMatch(ACME_TOKEN);
    expect(server.adminToken).toMatch(ACME_TOKEN);

    const created = await createToken(token, {});
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(ACME_TOKEN);
    expect(created.body.hint).toBe(created.body.token.slice(0, 'acme_'.length + 4));
    expect((await server.request('GET', '/api/v1/tokens', { token: created.body.token })).status).toBe(200);
  });

  it('keeps the prefix on rotation', async () => {
    const { token, pat } = await newOwner('prefix-rotate');
    const rotated = await server.request('POST', `/api/v1/tokens/${pat.id}/rotate`, { token });
    expect(rotated.status).toBe(201);
    expect(rotated.body.token).toMatch(ACME_TOKEN);
  });

  it('does not accept a token with the default tsr_ prefix (401)', async () => {
    const response = await server.request('GET', '/api/v1/tokens', { token: generatePat('tsr') });
    expectProblem(response, 401, 'unauthenticated');
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });
});

describe('tokens.defaultLifetimeDays and maxLifetimeDays', () => {
  it('gives a token without expires_in_days the configured default of 7 days', async () => {
    const { token, pat } = await newOwner('default');
    expect(lifetimeMs(pat)).toBe(7 * DAY_MS);
    const created = await createToken(token, {});
    expect(created.status).toBe(201);
    expect(lifetimeMs(created.body)).toBe(7 * DAY_MS);
  });

  it('accepts the configured maximum of 30 days', async () => {
    const { token } = await newOwner('max');
    const created = await createToken(token, { expires_in_days: 30 });
    expect(created.status).toBe(201);
    expect(lifetimeMs(created.body)).toBe(30 * DAY_MS);
  });

  it('refuses 31 days with 400 naming expires_in_days, and writes nothing', async () => {
    const { token } = await newOwner('over-max');
    for (const days of [31, 90, 365]) {
      const response = await createToken(token, { expires_in_days: days });
      expectProblem(response, 400, 'invalid_request');
      expect(fieldsOf(response)).toContain('expires_in_days');
    }
    const list = await server.request('GET', '/api/v1/tokens', { token });
    expect(list.body.items).toHaveLength(1);
  });

  it('applies the maximum to tokens an administrator creates for a user too', async () => {
    const { user } = await newOwner('admin-made');
    const response = await server.request('POST', `/api/v1/users/${user.id}/tokens`, {
      token: server.adminToken,
      body: { name: 'svc', scopes: ['repo:read'], expires_in_days: 31 },
    });
    expectProblem(response, 400, 'invalid_request');
    expect(fieldsOf(response)).toContain('expires_in_days');
  });
});

describe('tokens.allowNoExpiry', () => {
  it('creates a token without expiry for expires_in_days: null', async () => {
    const { token } = await newOwner('forever');
    const created = await createToken(token, { expires_in_days: null });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ expires_at: null, status: 'active' });
    expect(created.body.token).toMatch(ACME_TOKEN);

    const shown = await server.request('GET', `/api/v1/tokens/${created.body.id}`, { token });
    expect(shown.body).toMatchObject({ expires_at: null, status: 'active' });
  });

  it('keeps a rotated token without expiry', async () => {
    const { token } = await newOwner('forever-rotate');
    const created = await createToken(token, { expires_in_days: null });
    const rotated = await server.request('POST', `/api/v1/tokens/${created.body.id}/rotate`, { token });
    expect(rotated.status).toBe(201);
    expect(rotated.body).toMatchObject({ expires_at: null, status: 'active', rotated_from: created.body.id });
  });

  // Last in the file: moving the clock 400 days expires every token with a lifetime, the
  // admin's included.
  it('never expires such a token, while a 7-day one does', async () => {
    const { token } = await newOwner('forever-time');
    const forever = await createToken(token, { name: 'forever', expires_in_days: null });
    const weekly = await createToken(token, { name: 'weekly' });
    expect([forever.status, weekly.status]).toEqual([201, 201]);

    server.advance(400 * DAY_MS);

    expectProblem(
      await server.request('GET', '/api/v1/tokens', { token: weekly.body.token }),
      401,
      'unauthenticated',
    );
    const own = await server.request('GET', '/api/v1/tokens', { token: forever.body.token });
    expect(own.status).toBe(200);
    const statuses = Object.fromEntries(
      own.body.items.map((pat: { name: string; status: string }) => [pat.name, pat.status]),
    );
    expect(statuses).toEqual({ forever: 'active', weekly: 'expired', seed: 'expired' });

    const expired = await server.request('GET', '/api/v1/tokens?status=expired', {
      token: forever.body.token,
    });
    expect(expired.body.items.map((pat: { name: string }) => pat.name).sort()).toEqual(['seed', 'weekly']);
    const active = await server.request('GET', '/api/v1/tokens?status=active', { token: forever.body.token });
    expect(active.body.items.map((pat: { id: string }) => pat.id)).toEqual([forever.body.id]);
  });
});
