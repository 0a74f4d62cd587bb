/**
 * `/api/v1/tokens` over real HTTP on a real database: every status code the routes answer,
 * keyset pagination, the default expiry policy, expiry in time, rotation, revocation,
 * cross-user isolation and service accounts. Assertions are on statuses and problem `code`s.
 *
 * The server clock only moves forward (`server.advance`), by a few days in all, well inside
 * the 90-day default lifetime of the admin's and the seed tokens.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generatePat } from '../../../src/pat/format.js';
import { expectProblem } from '../../helpers/problems.js';
import { type ApiResponse, startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const TOKEN_SHAPE = /^tsr_[0-9A-Za-z]{36}$/;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

/** The field names a 400 problem lists in `errors[]`. */
const fieldsOf = (response: ApiResponse): string[] =>
  (response.body?.errors ?? []).map((error: { field: string }) => error.field);

const lifetimeMs = (pat: { created_at: string; expires_at: string }) =>
  Date.parse(pat.expires_at) - Date.parse(pat.created_at);

/** A fresh user whose seed PAT manages tokens and who may grant `repo:read`. */
const newOwner = (base: string, entitlements = ['tessera:tokens', 'repo:read']) =>
  server.createUserWithToken(uniqueName(base), entitlements);

function createToken(token: string, body: unknown) {
  return server.request('POST', '/api/v1/tokens', { token, body });
}

/** Creates a token that must succeed, and returns the response body (with the secret). */
async function mustCreate(token: string, body: Record<string, unknown> = {}) {
  const created = await createToken(token, { name: 'work', scopes: ['repo:read'], ...body });
  if (created.status !== 201) throw new Error(`token create failed: ${created.text}`);
  return created.body;
}

/** The five routes that act on one token id. */
const idRoutes = (id: string): Array<[string, string]> => [
  ['GET', `/api/v1/tokens/${id}`],
  ['POST', `/api/v1/tokens/${id}/rotate`],
  ['POST', `/api/v1/tokens/${id}/revoke`],
  ['POST', `/api/v1/tokens/${id}/restore`],
  ['DELETE', `/api/v1/tokens/${id}`],
];

describe('PAT lifecycle over /api/v1/tokens', () => {
  it('creates, lists, shows, revokes, restores, rotates and deletes a token', async () => {
    const { token } = await server.createUserWithToken(uniqueName('life'), ['tessera:tokens', 'repo:read']);

    const created = await server.request('POST', '/api/v1/tokens', {
      token,
      body: { name: 'laptop', scopes: ['repo:read'], expires_in_days: 30 },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    expect(created.body).toMatchObject({ name: 'laptop', scopes: ['repo:read'], status: 'active' });
    expect(created.body.token).toMatch(/^tsr_[0-9A-Za-z]{36}$/);
    expect(created.body.hint).toBe(created.body.token.slice(0, 8));
    const id = created.body.id;

    const shown = await server.request('GET', `/api/v1/tokens/${id}`, { token });
    expect(shown.status).toBe(200);
    expect(shown.body.token).toBeUndefined();
    expect(shown.text).not.toContain(created.body.token);

    const revoked = await server.request('POST', `/api/v1/tokens/${id}/revoke`, { token });
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe('revoked');
    expect((await server.request('GET', '/api/v1/me', { token: created.body.token })).status).toBe(401);

    const restored = await server.request('POST', `/api/v1/tokens/${id}/restore`, { token });
    expect(restored.status).toBe(200);
    expect(restored.body.status).toBe('active');

    const rotated = await server.request('POST', `/api/v1/tokens/${id}/rotate`, { token });
    expect(rotated.status).toBe(201);
    expect(rotated.body.rotated_from).toBe(id);
    expect(rotated.body.token).not.toBe(created.body.token);
    expect(rotated.body).toMatchObject({ name: 'laptop', scopes: ['repo:read'], status: 'active' });
    const oldAfter = await server.request('GET', `/api/v1/tokens/${id}`, { token });
    expect(oldAfter.body).toMatchObject({ status: 'revoked', revoked_reason: 'rotated' });

    expect((await server.request('DELETE', `/api/v1/tokens/${rotated.body.id}`, { token })).status).toBe(409);
    const deleted = await server.request('DELETE', `/api/v1/tokens/${id}`, { token });
    expect(deleted.status).toBe(204);
    expect((await server.request('GET', `/api/v1/tokens/${id}`, { token })).status).toBe(404);
  });
});

describe('POST /api/v1/tokens (201)', () => {
  it('returns the secret once, uncacheable, in the published format with its hint', async () => {
    const { user, token } = await newOwner('create');
    const created = await createToken(token, { name: 'ci', scopes: ['repo:read', 'tessera:tokens'] });

    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    expect(created.body.token).toMatch(TOKEN_SHAPE);
    expect(created.body.hint).toBe(created.body.token.slice(0, 8));
    expect(created.body).toMatchObject({
      user_id: user.id,
      name: 'ci',
      scopes: ['repo:read', 'tessera:tokens'],
      status: 'active',
      revoked_at: null,
      rotated_from: null,
    });
    expect(created.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(created.body).not.toHaveProperty('token_hash');

    // The new secret is a working credential with the scopes it was given.
    const self = await server.request('GET', `/api/v1/tokens/${created.body.id}`, {
      token: created.body.token,
    });
    expect(self.status).toBe(200);
    expect(self.body.token).toBeUndefined();
  });

  it('never shows the secret again: not in show, not in the list', async () => {
    const { token } = await newOwner('once');
    const created = await mustCreate(token);

    const list = await server.request('GET', '/api/v1/tokens', { token });
    expect(list.status).toBe(200);
    expect(list.text).not.toContain(created.token);
    for (const item of list.body.items) {
      expect(item).not.toHaveProperty('token');
      expect(item).not.toHaveProperty('token_hash');
    }
    const shown = await server.request('GET', `/api/v1/tokens/${created.id}`, { token });
    expect(shown.status).toBe(200);
    expect(shown.text).not.toContain(created.token);
    expect(shown.body).not.toHaveProperty('token_hash');
  });

  it('gives two tokens created alike different secrets and ids', async () => {
    const { token } = await newOwner('distinct');
    const first = await mustCreate(token, { name: 'same' });
    const second = await mustCreate(token, { name: 'same' });
    expect(second.token).not.toBe(first.token);
    expect(second.id).not.toBe(first.id);
  });
});

describe('expiry policy (defaults: 90 days, at most 365, expiry required)', () => {
  it('gives a token without expires_in_days the default lifetime of 90 days', async () => {
    const { token } = await newOwner('default-life');
    const created = await mustCreate(token);
    expect(Math.abs(lifetimeMs(created) - 90 * DAY_MS)).toBeLessThan(1000);
  });

  it('honours expires_in_days up to the maximum', async () => {
    const { token } = await newOwner('custom-life');
    const thirty = await mustCreate(token, { expires_in_days: 30 });
    expect(Math.abs(lifetimeMs(thirty) - 30 * DAY_MS)).toBeLessThan(1000);
    const max = await mustCreate(token, { expires_in_days: 365 });
    expect(Math.abs(lifetimeMs(max) - 365 * DAY_MS)).toBeLessThan(1000);
  });

  it('refuses a lifetime over maxLifetimeDays with 400 naming expires_in_days', async () => {
    const { token } = await newOwner('too-long');
    const response = await createToken(token, { name: 'x', scopes: ['repo:read'], expires_in_days: 366 });
    expectProblem(response, 400, 'invalid_request');
    expect(fieldsOf(response)).toContain('expires_in_days');
  });

  it('refuses a token without expiry (expires_in_days: null) when the policy does not allow it', async () => {
    const { token } = await newOwner('no-expiry');
    const response = await createToken(token, { name: 'x', scopes: ['repo:read'], expires_in_days: null });
    expectProblem(response, 400, 'invalid_request');
    expect(fieldsOf(response)).toContain('expires_in_days');
    const list = await server.request('GET', '/api/v1/tokens', { token });
    expect(list.body.items).toHaveLength(1); // only the seed: nothing was written
  });

  it.each([0, -1, 1.5, '30'])('refuses expires_in_days %p with 400', async (days) => {
    const { token } = await newOwner('bad-days');
    const response = await createToken(token, { name: 'x', scopes: ['repo:read'], expires_in_days: days });
    expectProblem(response, 400, 'invalid_request');
    expect(fieldsOf(response)).toContain('expires_in_days');
  });
});

describe('400: invalid bodies and queries', () => {
  let token: string;
  beforeAll(async () => {
    ({ token } = await newOwner('bad-body'));
  });

  it('names a missing name', async () => {
    const response = await createToken(token, { scopes: ['repo:read'] });
    expectProblem(response, 400, 'invalid_request');
    expect(fieldsOf(response)).toContain('name');
  });

  it('names a blank or over-long name', async () => {
    for (const name of ['', '   ', 'n'.repeat(101)]) {
      const response = await createToken(token, { name, scopes: ['repo:read'] });
      expectProblem(response, 400, 'invalid_request');
      expect(fieldsOf(response)).toContain('name');
    }
  });

  it('names empty or missing scopes', async () => {
    for (const body of [{ name: 'x', scopes: [] }, { name: 'x' }, { name: 'x', scopes: 'repo:read' }]) {
      const response = await createToken(token, body);
      expectProblem(response, 400, 'invalid_request');
      expect(fieldsOf(response)).toContain('scopes');
    }
  });

  it('names an unknown field', async () => {
    const response = await createToken(token, { name: 'x', scopes: ['repo:read'], colour: 'blue' });
    expectProblem(response, 400, 'invalid_request');
    expect(fieldsOf(response)).toContain('colour');
  });

  it('refuses an unknown scope name with 400 (not 403), naming the element', async () => {
    const response = await createToken(token, { name: 'x', scopes: ['repo:read', 'repo:fly'] });
    expectProblem(response, 400, 'invalid_request');
    expect(fieldsOf(response)).toContain('scopes[1]');
  });

  it.each(['{"name": "x", "scopes": [', 'nope', '123', '"text"', 'null'])(
    'refuses malformed or non-object JSON %p with 400 invalid_json (never a 500)',
    async (raw) => {
      const response = await server.request('POST', '/api/v1/tokens', {
        token,
        raw,
        contentType: 'application/json',
      });
      expectProblem(response, 400, 'invalid_json');
    },
  );

  it('refuses a JSON array body with 400 invalid_request', async () => {
    expectProblem(await createToken(token, ['x']), 400, 'invalid_request');
  });

  it('refuses a non-JSON body with 415 and an oversized one with 413', async () => {
    const form = await server.request('POST', '/api/v1/tokens', {
      token,
      raw: 'name=x&scopes=repo:read',
      contentType: 'application/x-www-form-urlencoded',
    });
    expectProblem(form, 415, 'unsupported_media_type');
    const huge = await createToken(token, { name: 'x', scopes: ['repo:read'], pad: 'a'.repeat(64 * 1024) });
    expectProblem(huge, 413, 'body_too_large');
  });

  it('refuses unknown fields in the bodies of rotate, revoke and restore', async () => {
    const created = await mustCreate(token);
    for (const action of ['rotate', 'revoke', 'restore']) {
      const response = await server.request('POST', `/api/v1/tokens/${created.id}/${action}`, {
        token,
        body: { reason: 'because' },
      });
      expectProblem(response, 400, 'invalid_request');
      expect(fieldsOf(response)).toContain('reason');
    }
    // None of them happened.
    const shown = await server.request('GET', `/api/v1/tokens/${created.id}`, { token });
    expect(shown.body).toMatchObject({ status: 'active', revoked_at: null });
  });
});

describe('405: methods the routes do not answer', () => {
  it('answers an unsupported method with 405 problem+json and an Allow header', async () => {
    const { token, pat } = await newOwner('method');
    const cases: Array<[string, string, string[]]> = [
      ['PUT', '/api/v1/tokens', ['GET', 'POST']],
      // PATCH changes may_act (delegation); PUT is answered by nothing.
      ['PUT', `/api/v1/tokens/${pat.id}`, ['GET', 'DELETE', 'PATCH']],
      ['GET', `/api/v1/tokens/${pat.id}/revoke`, ['POST']],
    ];
    for (const [method, path, allowed] of cases) {
      const response = await server.request(method, path, { token });
      expectProblem(response, 405, 'method_not_allowed');
      const allow = (response.headers.get('allow') ?? '').split(/\s*,\s*/);
      expect(allow).toEqual(expect.arrayContaining(allowed));
    }
  });
});

describe('401: missing or bad credentials', () => {
  const cases: Array<[string, () => Promise<Record<string, string>>]> = [
    ['no Authorization header', async () => ({})],
    ['a garbage bearer', async () => ({ authorization: 'Bearer garbage' })],
    ['another scheme', async () => ({ authorization: `Basic ${Buffer.from('a:b').toString('base64')}` })],
    ['a well-formed but unknown PAT', async () => ({ authorization: `Bearer ${generatePat('tsr')}` })],
    [
      'a PAT with one character changed',
      async () => {
        const { token } = await newOwner('typo');
        const last = token.at(-1) === 'a' ? 'b' : 'a';
        return { authorization: `Bearer ${token.slice(0, -1)}${last}` };
      },
    ],
    [
      'a revoked PAT',
      async () => {
        const { token, pat } = await newOwner('revoked-caller');
        const revoked = await server.request('POST', `/api/v1/tokens/${pat.id}/revoke`, { token });
        expect(revoked.status).toBe(200);
        return { authorization: `Bearer ${token}` };
      },
    ],
    [
      'an expired PAT',
      async () => {
        const { token } = await newOwner('expired-caller');
        const shortLived = await mustCreate(token, { scopes: ['tessera:tokens'], expires_in_days: 1 });
        expect((await server.request('GET', '/api/v1/tokens', { token: shortLived.token })).status).toBe(200);
        server.advance(DAY_MS + MINUTE_MS);
        return { authorization: `Bearer ${shortLived.token}` };
      },
    ],
  ];

  it.each(cases)('answers %s with 401, WWW-Authenticate: Bearer and problem+json', async (_, headersOf) => {
    const headers = await headersOf();
    const target = await newOwner('target');
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/api/v1/tokens'],
      ['POST', '/api/v1/tokens', { name: 'x', scopes: ['repo:read'] }],
      ...idRoutes(target.pat.id),
      ['GET', '/api/v1/tokens/not-a-uuid'],
    ];
    for (const [method, path, body] of routes) {
      const response = await server.request(method, path, { headers, body });
      expectProblem(response, 401, 'unauthenticated');
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    // Nothing happened to the target token, and nothing was created.
    const list = await server.request('GET', '/api/v1/tokens', { token: target.token });
    expect(list.body.items).toMatchObject([{ id: target.pat.id, status: 'active' }]);
  });

  it('gives every cause the same problem body', async () => {
    const bodies = new Set<string>();
    for (const authorization of [undefined, 'Bearer garbage', `Bearer ${generatePat('tsr')}`]) {
      const response = await server.request('GET', '/api/v1/tokens', {
        headers: authorization ? { authorization } : {},
      });
      expect(response.status).toBe(401);
      bodies.add(response.text);
    }
    expect(bodies.size).toBe(1);
  });
});

describe('403: scope and entitlement', () => {
  it('refuses every route to a PAT without tessera:tokens (insufficient_scope)', async () => {
    const owner = await server.createUserWithToken(
      uniqueName('no-scope'),
      ['tessera:tokens', 'repo:read'],
      ['repo:read'],
    );
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/api/v1/tokens'],
      ['POST', '/api/v1/tokens', { name: 'x', scopes: ['repo:read'] }],
      ...idRoutes(owner.pat.id),
    ];
    for (const [method, path, body] of routes) {
      const response = await server.request(method, path, { token: owner.token, body });
      expectProblem(response, 403, 'insufficient_scope');
    }
    // The caller still authenticates: it is the scope, not the credential.
    expect((await server.request('GET', '/api/v1/me', { token: owner.token })).status).toBe(200);
  });

  it('refuses scopes beyond the owner entitlements (scope_not_entitled) and writes nothing', async () => {
    const { token } = await newOwner('entitled');
    for (const scopes of [['repo:write'], ['repo:read', 'repo:admin'], ['tessera:admin']]) {
      const response = await createToken(token, { name: 'x', scopes });
      expectProblem(response, 403, 'scope_not_entitled');
    }
    const list = await server.request('GET', '/api/v1/tokens', { token });
    expect(list.body.items).toHaveLength(1);
  });

  it('refuses a service account minting its own token (service_account)', async () => {
    const service = await server.createUserWithToken(
      uniqueName('svc'),
      ['tessera:tokens', 'repo:read'],
      ['tessera:tokens', 'repo:read'],
      { service: true },
    );
    expect(service.user.service).toBe(true);
    const response = await createToken(service.token, { name: 'self-made', scopes: ['repo:read'] });
    expectProblem(response, 403, 'service_account');

    const list = await server.request('GET', '/api/v1/tokens', { token: service.token });
    expect(list.status).toBe(200);
    expect(list.body.items.map((pat: { id: string }) => pat.id)).toEqual([service.pat.id]);
  });
});

describe('a service account rotating the PAT an administrator issued to it (issue 18)', () => {
  it('may, when tessera:tokens is among its own entitlements; the expiry stays', async () => {
    const service = await server.createUserWithToken(
      uniqueName('svc-rot'),
      ['tessera:tokens', 'repo:read'],
      undefined,
      {
        service: true,
      },
    );
    const rotated = await server.request('POST', `/api/v1/tokens/${service.pat.id}/rotate`, {
      token: service.token,
    });
    expect(rotated.status).toBe(201);
    expect(rotated.body.expires_at).toBe(service.pat.expires_at);
  });

  it('may not once an administrator withdrew tessera:tokens from its entitlements', async () => {
    const service = await server.createUserWithToken(
      uniqueName('svc-rot'),
      ['tessera:tokens', 'repo:read'],
      undefined,
      {
        service: true,
      },
    );
    const patched = await server.request('PATCH', `/api/v1/users/${service.user.id}`, {
      token: server.adminToken,
      body: { entitlements: ['repo:read'] },
    });
    expect(patched.status).toBe(200);
    const rotated = await server.request('POST', `/api/v1/tokens/${service.pat.id}/rotate`, {
      token: service.token,
    });
    expect(rotated.status).toBe(403);
    const pat = await server.request('GET', `/api/v1/admin/tokens?user=${service.user.id}`, {
      token: server.adminToken,
    });
    expect(pat.body.items.map((p: { status: string }) => p.status)).toEqual(['active']);
  });
});

describe('404: unknown, malformed and other users’ ids', () => {
  it('answers an unknown id with 404 on every id route', async () => {
    const { token } = await newOwner('unknown-id');
    for (const [method, path] of idRoutes(randomUUID())) {
      expectProblem(await server.request(method, path, { token }), 404, 'not_found');
    }
  });

  it('answers a malformed id with 404 on every id route', async () => {
    const { token } = await newOwner('malformed-id');
    for (const id of ['not-a-uuid', '123', `${randomUUID()}x`, "1' OR '1'='1"]) {
      for (const [method, path] of idRoutes(encodeURIComponent(id))) {
        expectProblem(await server.request(method, path, { token }), 404, 'not_found');
      }
    }
  });

  it('hides another user’s active token exactly like an unknown id, and leaves it alone', async () => {
    const alice = await newOwner('alice');
    const bob = await newOwner('bob');
    const target = await mustCreate(alice.token);

    for (const [method, path] of idRoutes(target.id)) {
      const theirs = await server.request(method, path, { token: bob.token });
      expectProblem(theirs, 404, 'not_found');
      const unknown = await server.request(method, path.replace(target.id, randomUUID()), {
        token: bob.token,
      });
      expect(theirs.body).toEqual(unknown.body);
    }
    const list = await server.request('GET', '/api/v1/tokens', { token: bob.token });
    expect(list.body.items.map((pat: { id: string }) => pat.id)).not.toContain(target.id);

    const shown = await server.request('GET', `/api/v1/tokens/${target.id}`, { token: alice.token });
    expect(shown.body).toMatchObject({ status: 'active', revoked_at: null });
    expect((await server.request('GET', '/api/v1/me', { token: target.token })).status).toBe(200);
  });

  it('hides another user’s revoked token too (restore and delete would otherwise succeed)', async () => {
    const alice = await newOwner('alice-revoked');
    const bob = await newOwner('bob-revoked');
    const target = await mustCreate(alice.token);
    expect(
      (await server.request('POST', `/api/v1/tokens/${target.id}/revoke`, { token: alice.token })).status,
    ).toBe(200);

    for (const [method, path] of idRoutes(target.id)) {
      expectProblem(await server.request(method, path, { token: bob.token }), 404, 'not_found');
    }
    const shown = await server.request('GET', `/api/v1/tokens/${target.id}`, { token: alice.token });
    expect(shown.status).toBe(200);
    expect(shown.body.status).toBe('revoked');
  });
});

describe('409: lifecycle conflicts', () => {
  it('refuses to delete an active token (token_active)', async () => {
    const { token } = await newOwner('del-active');
    const created = await mustCreate(token);
    expectProblem(
      await server.request('DELETE', `/api/v1/tokens/${created.id}`, { token }),
      409,
      'token_active',
    );
    expect((await server.request('GET', '/api/v1/me', { token: created.token })).status).toBe(200);
  });

  it('refuses to restore an active token (token_not_revoked)', async () => {
    const { token } = await newOwner('restore-active');
    const created = await mustCreate(token);
    const response = await server.request('POST', `/api/v1/tokens/${created.id}/restore`, { token });
    expectProblem(response, 409, 'token_not_revoked');
  });

  it('refuses to restore a revoked token that has since expired (token_expired)', async () => {
    const { token } = await newOwner('restore-expired');
    const created = await mustCreate(token, { expires_in_days: 1 });
    expect((await server.request('POST', `/api/v1/tokens/${created.id}/revoke`, { token })).status).toBe(200);
    server.advance(DAY_MS + MINUTE_MS);

    const response = await server.request('POST', `/api/v1/tokens/${created.id}/restore`, { token });
    expectProblem(response, 409, 'token_expired');
    expect((await server.request('GET', '/api/v1/me', { token: created.token })).status).toBe(401);
  });

  it('refuses to restore a token revoked by rotation (revocation_final)', async () => {
    const { token } = await newOwner('restore-rotated');
    const created = await mustCreate(token);
    expect((await server.request('POST', `/api/v1/tokens/${created.id}/rotate`, { token })).status).toBe(201);

    const response = await server.request('POST', `/api/v1/tokens/${created.id}/restore`, { token });
    expectProblem(response, 409, 'revocation_final');
    expect((await server.request('GET', '/api/v1/me', { token: created.token })).status).toBe(401);
  });

  it('refuses to rotate a revoked token (token_not_active)', async () => {
    const { token } = await newOwner('rotate-revoked');
    const created = await mustCreate(token);
    expect((await server.request('POST', `/api/v1/tokens/${created.id}/revoke`, { token })).status).toBe(200);

    const response = await server.request('POST', `/api/v1/tokens/${created.id}/rotate`, { token });
    expectProblem(response, 409, 'token_not_active');
    const list = await server.request('GET', '/api/v1/tokens', { token });
    expect(list.body.items).toHaveLength(2); // the seed and the revoked one: no successor
  });
});

describe('GET /api/v1/tokens: keyset pagination', () => {
  let owner: Awaited<ReturnType<typeof newOwner>>;
  /** Every id of the owner's tokens, newest first. */
  let newestFirst: string[];

  beforeAll(async () => {
    owner = await newOwner('pages');
    const ids = [owner.pat.id];
    for (let i = 1; i < 25; i++) {
      // A second apart, so that creation order is the only possible newest-first order.
      server.advance(1000);
      ids.push((await mustCreate(owner.token, { name: `t${i}` })).id);
    }
    newestFirst = ids.reverse();
    // Another user's tokens must never show up in these pages.
    const stranger = await newOwner('pages-stranger');
    await mustCreate(stranger.token);
  });

  async function collect(query: string) {
    const pages: any[] = [];
    let cursor: string | null = null;
    do {
      const suffix: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = await server.request('GET', `/api/v1/tokens?${query}${suffix}`, { token: owner.token });
      expect(page.status).toBe(200);
      pages.push(page.body);
      cursor = page.body.next_cursor;
      expect(pages.length).toBeLessThanOrEqual(30);
    } while (cursor !== null);
    return pages;
  }

  it('pages with limit=10 until next_cursor is null, each token once, newest first', async () => {
    const pages = await collect('limit=10');
    expect(pages.map((page) => page.items.length)).toEqual([10, 10, 5]);
    expect(pages.at(-1).next_cursor).toBeNull();

    const items = pages.flatMap((page) => page.items);
    const ids = items.map((pat: { id: string }) => pat.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(newestFirst);
    const created = items.map((pat: { created_at: string }) => Date.parse(pat.created_at));
    for (let i = 1; i < created.length; i++) expect(created[i]).toBeLessThan(created[i - 1] as number);
    for (const item of items) expect(item.user_id).toBe(owner.user.id);
  });

  it('ends with next_cursor null when the last page is exactly full', async () => {
    const pages = await collect('limit=5');
    expect(pages.map((page) => page.items.length)).toEqual([5, 5, 5, 5, 5]);
    expect(pages.flatMap((page) => page.items.map((pat: { id: string }) => pat.id))).toEqual(newestFirst);
  });

  it('returns everything on one page with limit=100, and answers {items, next_cursor}', async () => {
    const page = await server.request('GET', '/api/v1/tokens?limit=100', { token: owner.token });
    expect(page.status).toBe(200);
    expect(Object.keys(page.body).sort()).toEqual(['items', 'next_cursor']);
    expect(page.body.items.map((pat: { id: string }) => pat.id)).toEqual(newestFirst);
    expect(page.body.next_cursor).toBeNull();
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=-1', 'limit'],
    ['limit=2.5', 'limit'],
    ['cursor=garbage', 'cursor'],
    [`cursor=${Buffer.from('{"t":"yesterday","id":"x"}').toString('base64url')}`, 'cursor'],
    ['status=lost', 'status'],
  ])('refuses %s with 400 naming the parameter', async (query, field) => {
    const response = await server.request('GET', `/api/v1/tokens?${query}`, { token: owner.token });
    expectProblem(response, 400, 'invalid_request');
    expect(fieldsOf(response)).toContain(field);
  });
});

describe('GET /api/v1/tokens?status=', () => {
  it('returns only tokens in that status, and pages within it', async () => {
    const owner = await newOwner('status');
    const active = await mustCreate(owner.token, { name: 'active' });
    const revoked = await mustCreate(owner.token, { name: 'revoked' });
    const expiring = await mustCreate(owner.token, { name: 'expiring', expires_in_days: 1 });
    const revokedExpiring = await mustCreate(owner.token, { name: 'revoked-expiring', expires_in_days: 1 });
    for (const id of [revoked.id, revokedExpiring.id]) {
      expect(
        (await server.request('POST', `/api/v1/tokens/${id}/revoke`, { token: owner.token })).status,
      ).toBe(200);
    }
    server.advance(DAY_MS + MINUTE_MS);

    const expected: Record<string, string[]> = {
      active: [active.id, owner.pat.id],
      // A revoked token stays "revoked" once its expiry passes.
      revoked: [revokedExpiring.id, revoked.id],
      expired: [expiring.id],
    };
    for (const [status, ids] of Object.entries(expected)) {
      const page = await server.request('GET', `/api/v1/tokens?status=${status}`, { token: owner.token });
      expect(page.status).toBe(200);
      expect(page.body.items.map((pat: { id: string }) => pat.id)).toEqual(ids);
      for (const item of page.body.items) expect(item.status).toBe(status);
    }

    const first = await server.request('GET', '/api/v1/tokens?status=active&limit=1', { token: owner.token });
    expect(first.body.items.map((pat: { id: string }) => pat.id)).toEqual([active.id]);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await server.request(
      'GET',
      `/api/v1/tokens?status=active&limit=1&cursor=${encodeURIComponent(first.body.next_cursor)}`,
      { token: owner.token },
    );
    expect(second.body.items.map((pat: { id: string }) => pat.id)).toEqual([owner.pat.id]);
    expect(second.body.next_cursor).toBeNull();
  });
});

describe('expiry in time', () => {
  it('marks a token expired once the clock passes expires_at; it stops working and can be deleted', async () => {
    const { token } = await newOwner('expiry');
    const created = await mustCreate(token, { scopes: ['tessera:tokens'], expires_in_days: 1 });
    expect((await server.request('GET', '/api/v1/tokens', { token: created.token })).status).toBe(200);

    server.advance(DAY_MS + MINUTE_MS);

    const shown = await server.request('GET', `/api/v1/tokens/${created.id}`, { token });
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ status: 'expired', revoked_at: null });
    expectProblem(
      await server.request('GET', '/api/v1/tokens', { token: created.token }),
      401,
      'unauthenticated',
    );
    expectProblem(
      await server.request('POST', `/api/v1/tokens/${created.id}/rotate`, { token }),
      409,
      'token_not_active',
    );

    const deleted = await server.request('DELETE', `/api/v1/tokens/${created.id}`, { token });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expectProblem(await server.request('GET', `/api/v1/tokens/${created.id}`, { token }), 404, 'not_found');
  });
});

describe('POST /api/v1/tokens/{id}/rotate', () => {
  it('issues a new secret with the same settings and expiry, revoking the old one', async () => {
    const { token } = await newOwner('rotate', ['tessera:tokens', 'repo:read', 'repo:write']);
    const old = await mustCreate(token, {
      name: 'deploy',
      scopes: ['repo:read', 'repo:write', 'tessera:tokens'],
      expires_in_days: 30,
    });
    server.advance(60 * MINUTE_MS);

    const rotated = await server.request('POST', `/api/v1/tokens/${old.id}/rotate`, { token });
    expect(rotated.status).toBe(201);
    expect(rotated.headers.get('cache-control')).toBe('no-store');
    expect(rotated.body.token).toMatch(TOKEN_SHAPE);
    expect(rotated.body.token).not.toBe(old.token);
    expect(rotated.body.hint).toBe(rotated.body.token.slice(0, 8));
    expect(rotated.body.id).not.toBe(old.id);
    expect(rotated.body).toMatchObject({
      name: 'deploy',
      scopes: ['repo:read', 'repo:write', 'tessera:tokens'],
      status: 'active',
      rotated_from: old.id,
      revoked_at: null,
    });
    expect(Date.parse(rotated.body.created_at)).toBeGreaterThan(Date.parse(old.created_at));
    // Issue 18: the same expires_at, not the same lifetime from now (rotation never extends it).
    expect(rotated.body.expires_at).toBe(old.expires_at);

    const oldAfter = await server.request('GET', `/api/v1/tokens/${old.id}`, { token });
    expect(oldAfter.body).toMatchObject({ status: 'revoked', revoked_reason: 'rotated' });
    expectProblem(await server.request('GET', '/api/v1/me', { token: old.token }), 401, 'unauthenticated');
    const withNew = await server.request('GET', `/api/v1/tokens/${rotated.body.id}`, {
      token: rotated.body.token,
    });
    expect(withNew.status).toBe(200);
    expect(withNew.body.rotated_from).toBe(old.id);
  });

  it('rotating again and again never moves the expiry (a rotated token does not live for ever)', async () => {
    const { token } = await newOwner('rotate-again');
    let current = await mustCreate(token, { expires_in_days: 30 });
    const expiresAt = current.expires_at;
    for (let round = 0; round < 2; round++) {
      server.advance(10 * DAY_MS);
      const rotated = await server.request('POST', `/api/v1/tokens/${current.id}/rotate`, { token });
      expect(rotated.status).toBe(201);
      expect(rotated.body.expires_at).toBe(expiresAt);
      current = rotated.body;
    }
  });

  it('lets a PAT rotate itself: the old secret fails on the next request, the new one works', async () => {
    const { token, pat } = await newOwner('rotate-self');
    const rotated = await server.request('POST', `/api/v1/tokens/${pat.id}/rotate`, { token });
    expect(rotated.status).toBe(201);
    expectProblem(await server.request('GET', '/api/v1/tokens', { token }), 401, 'unauthenticated');
    const list = await server.request('GET', '/api/v1/tokens', { token: rotated.body.token });
    expect(list.status).toBe(200);
    expect(list.body.items.map((item: { id: string }) => item.id)).toEqual([rotated.body.id, pat.id]);
  });
});

describe('POST /api/v1/tokens/{id}/revoke and /restore', () => {
  it('is idempotent: revoking twice answers 200 both times and keeps the first revocation', async () => {
    const { token } = await newOwner('revoke-twice');
    const created = await mustCreate(token);

    const first = await server.request('POST', `/api/v1/tokens/${created.id}/revoke`, { token });
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('revoked');
    expect(first.body.revoked_at).toEqual(expect.any(String));

    server.advance(1000);
    const second = await server.request('POST', `/api/v1/tokens/${created.id}/revoke`, { token });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ status: 'revoked', revoked_at: first.body.revoked_at });
    expectProblem(
      await server.request('GET', '/api/v1/me', { token: created.token }),
      401,
      'unauthenticated',
    );
  });

  it('takes effect on the very next request with that PAT, including the revoking one itself', async () => {
    const { token, pat } = await newOwner('revoke-self');
    const other = await mustCreate(token, { scopes: ['tessera:tokens'] });
    expect((await server.request('GET', '/api/v1/tokens', { token: other.token })).status).toBe(200);

    expect((await server.request('POST', `/api/v1/tokens/${other.id}/revoke`, { token })).status).toBe(200);
    expectProblem(
      await server.request('GET', '/api/v1/tokens', { token: other.token }),
      401,
      'unauthenticated',
    );

    const self = await server.request('POST', `/api/v1/tokens/${pat.id}/revoke`, { token });
    expect(self.status).toBe(200);
    expect(self.body.status).toBe('revoked');
    expectProblem(await server.request('GET', '/api/v1/tokens', { token }), 401, 'unauthenticated');
  });

  it('restores a revoked, unexpired token, which then authenticates again', async () => {
    const { token } = await newOwner('restore');
    const created = await mustCreate(token, { scopes: ['tessera:tokens'] });
    expect((await server.request('POST', `/api/v1/tokens/${created.id}/revoke`, { token })).status).toBe(200);
    expect((await server.request('GET', '/api/v1/tokens', { token: created.token })).status).toBe(401);

    const restored = await server.request('POST', `/api/v1/tokens/${created.id}/restore`, { token });
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({
      id: created.id,
      status: 'active',
      revoked_at: null,
      revoked_reason: null,
      expires_at: created.expires_at,
    });
    expect((await server.request('GET', '/api/v1/tokens', { token: created.token })).status).toBe(200);
  });
});

describe('concurrent changes to one token', () => {
  it('lets exactly one of two simultaneous rotations win; the other gets token_not_active', async () => {
    const { token } = await newOwner('race-rotate');
    const created = await mustCreate(token);
    const rotate = () => server.request('POST', `/api/v1/tokens/${created.id}/rotate`, { token });
    const results = await Promise.all([rotate(), rotate()]);

    expect(results.map((result) => result.status).sort()).toEqual([201, 409]);
    expect(results.find((result) => result.status === 409)?.body.code).toBe('token_not_active');
    const list = await server.request('GET', '/api/v1/tokens?status=active', { token });
    const successors = list.body.items.filter((pat: { rotated_from: string | null }) => pat.rotated_from);
    expect(successors).toHaveLength(1);
  });

  it('answers 200 to two simultaneous revocations of one token', async () => {
    const { token } = await newOwner('race-revoke');
    const created = await mustCreate(token);
    const revoke = () => server.request('POST', `/api/v1/tokens/${created.id}/revoke`, { token });
    const results = await Promise.all([revoke(), revoke()]);
    expect(results.map((result) => result.status)).toEqual([200, 200]);
    expect(results[0]?.body.revoked_at).toBe(results[1]?.body.revoked_at);
  });
});

describe('DELETE /api/v1/tokens/{id}', () => {
  it('deletes a revoked token with 204 and an empty body; it is then gone', async () => {
    const { token } = await newOwner('delete');
    const created = await mustCreate(token);
    expect((await server.request('POST', `/api/v1/tokens/${created.id}/revoke`, { token })).status).toBe(200);

    const deleted = await server.request('DELETE', `/api/v1/tokens/${created.id}`, { token });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    for (const [method, path] of idRoutes(created.id)) {
      expectProblem(await server.request(method, path, { token }), 404, 'not_found');
    }
    const list = await server.request('GET', '/api/v1/tokens', { token });
    expect(list.body.items.map((pat: { id: string }) => pat.id)).not.toContain(created.id);
    expect((await server.request('GET', '/api/v1/me', { token: created.token })).status).toBe(401);
  });
});
