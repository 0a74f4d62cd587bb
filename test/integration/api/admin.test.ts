import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectProblem } from '../../helpers/problems.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const DAY_MS = 86_400_000;

const asAdmin = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  server.request(method, path, { token: server.adminToken, body, headers });

const idsOf = (items: { id: string }[]) => items.map((item) => item.id);

const meStatus = async (token: string) => (await server.request('GET', '/api/v1/me', { token })).status;

/** Every page of an admin token listing, followed through `next_cursor`. */
async function listAll(query: string, limit = 100) {
  const items: any[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 1000; pages++) {
    const after: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page = await asAdmin('GET', `/api/v1/admin/tokens?limit=${limit}${query}${after}`);
    expect(page.status).toBe(200);
    items.push(...page.body.items);
    cursor = page.body.next_cursor;
    if (cursor === null) break;
  }
  return items;
}

/** Creates `count` more PATs for a user, as admin; returns them with their secrets. */
async function moreTokens(userId: string, count: number, scopes = ['tessera:tokens']) {
  const issued: any[] = [];
  for (let i = 0; i < count; i++) {
    const created = await asAdmin('POST', `/api/v1/users/${userId}/tokens`, { name: `extra-${i}`, scopes });
    expect(created.status).toBe(201);
    issued.push(created.body);
  }
  return issued;
}

async function auditOf(patId: string) {
  const { rows } = await server.database.db.query<{
    action: string;
    actor_user_id: string | null;
    pat_id: string;
    ip: string | null;
    user_agent: string | null;
    reason: string | null;
  }>(
    'SELECT action, actor_user_id, pat_id, ip, user_agent, reason FROM audit_events WHERE pat_id = $1 ORDER BY id',
    [patId],
  );
  return rows;
}

async function stats() {
  const response = await asAdmin('GET', '/api/v1/admin/stats');
  expect(response.status).toBe(200);
  return response.body as Record<string, number>;
}

function delta(after: Record<string, number>, before: Record<string, number>) {
  return Object.fromEntries(Object.keys(before).map((key) => [key, (after[key] ?? 0) - (before[key] ?? 0)]));
}

describe('GET /api/v1/admin/tokens', () => {
  it("lists every user's tokens", async () => {
    const alice = await server.createUserWithToken(uniqueName('alice'), ['tessera:tokens']);
    const bob = await server.createUserWithToken(uniqueName('bob'), ['tessera:tokens', 'repo:read']);
    const adminPatId = (await asAdmin('GET', '/api/v1/me')).body.credential.pat_id;

    const all = await listAll('');
    const ids = idsOf(all);
    expect(ids).toEqual(expect.arrayContaining([alice.pat.id, bob.pat.id, adminPatId]));
    const bobs = all.find((item) => item.id === bob.pat.id);
    expect(bobs).toMatchObject({ user_id: bob.user.id, name: 'seed', status: 'active' });
    expect(bobs.token).toBeUndefined();
  });

  it('filters by user id and by username (any case); an unknown user lists nothing', async () => {
    const carol = await server.createUserWithToken(uniqueName('Carol'), ['tessera:tokens']);
    const [extra] = await moreTokens(carol.user.id, 1);
    await server.createUserWithToken(uniqueName('dave'), ['tessera:tokens']);
    const expected = [carol.pat.id, extra.id].sort();

    for (const user of [carol.user.id, carol.user.username, carol.user.username.toLowerCase()]) {
      const listed = await asAdmin('GET', `/api/v1/admin/tokens?user=${encodeURIComponent(user)}`);
      expect(listed.status).toBe(200);
      expect(idsOf(listed.body.items).sort()).toEqual(expected);
      expect(listed.body.next_cursor).toBeNull();
    }

    for (const user of [randomUUID(), uniqueName('nobody')]) {
      const listed = await asAdmin('GET', `/api/v1/admin/tokens?user=${user}`);
      expect(listed.status).toBe(200);
      expect(listed.body).toEqual({ items: [], next_cursor: null });
    }
  });

  it('paginates with limit and next_cursor, each token exactly once, newest first', async () => {
    const erin = await server.createUserWithToken(uniqueName('erin'), ['tessera:tokens']);
    const extra = await moreTokens(erin.user.id, 4);
    const expected = [erin.pat.id, ...idsOf(extra)].sort();

    const first = await asAdmin('GET', `/api/v1/admin/tokens?user=${erin.user.id}&limit=2`);
    expect(first.body.items).toHaveLength(2);
    expect(typeof first.body.next_cursor).toBe('string');

    const walked = await listAll(`&user=${erin.user.id}`, 2);
    const ids = idsOf(walked);
    expect(ids).toHaveLength(5);
    expect([...ids].sort()).toEqual(expected);
    const times = walked.map((item) => Date.parse(item.created_at));
    expect(times).toEqual([...times].sort((a, b) => b - a));

    const everyone = await listAll('', 3);
    expect(new Set(idsOf(everyone)).size).toBe(everyone.length);
    expect(idsOf(everyone)).toEqual(expect.arrayContaining(expected));
  });

  it('rejects a bad status, limit or cursor with 400', async () => {
    for (const query of ['status=gone', 'limit=0', 'limit=101', 'cursor=bogus']) {
      const response = await asAdmin('GET', `/api/v1/admin/tokens?${query}`);
      expectProblem(response, 400, 'invalid_request');
    }
  });

  it('is for administrators only', async () => {
    const { token } = await server.createUserWithToken(uniqueName('nosy'), ['tessera:tokens']);
    for (const [method, path] of [
      ['GET', '/api/v1/admin/tokens'],
      ['GET', '/api/v1/admin/stats'],
      ['POST', `/api/v1/admin/tokens/${randomUUID()}/revoke`],
    ] as const) {
      const response = await server.request(method, path, { token });
      expectProblem(response, 403, 'insufficient_scope');
    }
    const anonymous = await server.request('GET', '/api/v1/admin/tokens');
    expect(anonymous.status).toBe(401);
  });
});

describe('POST /api/v1/admin/tokens/{id}/revoke', () => {
  it("revokes anyone's PAT with the reason recorded; the token then fails", async () => {
    const frank = await server.createUserWithToken(uniqueName('frank'), ['tessera:tokens']);
    expect(await meStatus(frank.token)).toBe(200);

    const revoked = await asAdmin('POST', `/api/v1/admin/tokens/${frank.pat.id}/revoke`, {
      reason: 'laptop stolen',
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id: frank.pat.id, user_id: frank.user.id, status: 'revoked' });
    expect(revoked.body.revoked_reason).toContain('laptop stolen');
    expect(revoked.body.revoked_at).toEqual(expect.any(String));
    expect(await meStatus(frank.token)).toBe(401);

    const owner = await asAdmin('GET', `/api/v1/admin/tokens?user=${frank.user.id}`);
    expect(owner.body.items[0]).toMatchObject({ status: 'revoked' });

    // Revoking again changes nothing and still succeeds.
    const again = await asAdmin('POST', `/api/v1/admin/tokens/${frank.pat.id}/revoke`, { reason: 'other' });
    expect(again.status).toBe(200);
    expect(again.body.revoked_reason).toBe(revoked.body.revoked_reason);
  });

  it('revokes without a body too', async () => {
    const gina = await server.createUserWithToken(uniqueName('gina'), ['tessera:tokens']);
    const revoked = await asAdmin('POST', `/api/v1/admin/tokens/${gina.pat.id}/revoke`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe('revoked');
    expect(revoked.body.revoked_reason).toEqual(expect.any(String));
    expect(await meStatus(gina.token)).toBe(401);
  });

  it('answers 404 for an unknown or malformed id', async () => {
    for (const id of [randomUUID(), 'nope']) {
      const response = await asAdmin('POST', `/api/v1/admin/tokens/${id}/revoke`, { reason: 'x' });
      expectProblem(response, 404, 'not_found');
    }
  });

  it('rejects an unknown body field or an empty reason with 400, revoking nothing', async () => {
    const hank = await server.createUserWithToken(uniqueName('hank'), ['tessera:tokens']);
    const unknown = await asAdmin('POST', `/api/v1/admin/tokens/${hank.pat.id}/revoke`, {
      reason: 'x',
      notify: true,
    });
    expectProblem(unknown, 400, 'invalid_request');
    expect(unknown.body.errors.map((e: { field: string }) => e.field)).toEqual(['notify']);

    const empty = await asAdmin('POST', `/api/v1/admin/tokens/${hank.pat.id}/revoke`, { reason: '  ' });
    expect(empty.status).toBe(400);

    expect(await meStatus(hank.token)).toBe(200);
  });
});

describe('GET /api/v1/admin/stats', () => {
  it('moves each number as tokens are created, used, expire soon and are revoked', async () => {
    const base = await stats();
    for (const key of [
      'active_pats',
      'users_with_active_pats',
      'never_used_pats',
      'expiring_within_7_days',
      'revoked_pats',
      'expired_pats',
    ]) {
      expect(Number.isInteger(base[key])).toBe(true);
    }

    const ivan = await server.createUserWithToken(uniqueName('ivan'), ['tessera:tokens']);
    expect(delta(await stats(), base)).toEqual({
      active_pats: 1,
      users_with_active_pats: 1,
      never_used_pats: 1,
      expiring_within_7_days: 0,
      revoked_pats: 0,
      expired_pats: 0,
      exchanges_24h_granted: 0,
      exchanges_24h_denied: 0,
      federated_exchanges_24h_granted: 0,
      federated_exchanges_24h_denied: 0,
    });

    const soon = await asAdmin('POST', `/api/v1/users/${ivan.user.id}/tokens`, {
      name: 'short',
      scopes: ['tessera:tokens'],
      expires_in_days: 3,
    });
    expect(soon.status).toBe(201);
    expect(delta(await stats(), base)).toMatchObject({
      active_pats: 2,
      users_with_active_pats: 1,
      never_used_pats: 2,
      expiring_within_7_days: 1,
    });

    expect(await meStatus(ivan.token)).toBe(200);
    expect(delta(await stats(), base)).toMatchObject({ active_pats: 2, never_used_pats: 1 });

    const judy = await server.createUserWithToken(uniqueName('judy'), ['tessera:tokens']);
    expect(delta(await stats(), base)).toMatchObject({
      active_pats: 3,
      users_with_active_pats: 2,
      never_used_pats: 2,
      revoked_pats: 0,
    });

    expect((await asAdmin('POST', `/api/v1/admin/tokens/${judy.pat.id}/revoke`)).status).toBe(200);
    expect(delta(await stats(), base)).toEqual({
      active_pats: 2,
      users_with_active_pats: 1,
      never_used_pats: 1,
      expiring_within_7_days: 1,
      revoked_pats: 1,
      expired_pats: 0,
      exchanges_24h_granted: 0,
      exchanges_24h_denied: 0,
      federated_exchanges_24h_granted: 0,
      federated_exchanges_24h_denied: 0,
    });

    // Exchanges count by outcome: one granted, one denied (the revoked PAT).
    expect((await server.exchange(ivan.token)).status).toBe(200);
    expect((await server.exchange(judy.token)).status).toBe(400);
    expect(delta(await stats(), base)).toMatchObject({
      exchanges_24h_granted: 1,
      exchanges_24h_denied: 1,
      federated_exchanges_24h_granted: 0,
      federated_exchanges_24h_denied: 0,
    });
  });
});

describe('the audit trail', () => {
  it('records every lifecycle change of a PAT with its actor and user agent', async () => {
    const agent = `tessera-it/${uniqueName('audit')}`;
    const kim = await server.createUserWithToken(uniqueName('kim'), ['tessera:tokens']);
    const as = (method: string, path: string) =>
      server.request(method, path, { token: kim.token, headers: { 'user-agent': agent } });

    const created = await server.request('POST', '/api/v1/tokens', {
      token: kim.token,
      body: { name: 'audited', scopes: ['tessera:tokens'] },
      headers: { 'user-agent': agent },
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect((await as('POST', `/api/v1/tokens/${id}/revoke`)).status).toBe(200);
    expect((await as('POST', `/api/v1/tokens/${id}/restore`)).status).toBe(200);
    const rotated = await as('POST', `/api/v1/tokens/${id}/rotate`);
    expect(rotated.status).toBe(201);
    expect((await as('DELETE', `/api/v1/tokens/${id}`)).status).toBe(204);

    const rows = await auditOf(id);
    expect(rows.map((row) => row.action)).toEqual([
      'pat.created',
      'pat.revoked',
      'pat.restored',
      'pat.rotated',
      'pat.deleted',
    ]);
    for (const row of rows) {
      expect(row).toMatchObject({ actor_user_id: kim.user.id, pat_id: id, user_agent: agent });
      expect(row.ip).toEqual(expect.any(String));
    }

    const successor = await auditOf(rotated.body.id);
    expect(successor).toEqual([
      expect.objectContaining({ action: 'pat.created', actor_user_id: kim.user.id }),
    ]);
  });

  it('names the administrator as actor when an admin creates or revokes a PAT', async () => {
    const agent = `tessera-admin-it/${uniqueName('audit')}`;
    const lee = (await asAdmin('POST', '/api/v1/users', { username: uniqueName('lee') })).body;
    const created = await asAdmin(
      'POST',
      `/api/v1/users/${lee.id}/tokens`,
      { name: 'svc', scopes: ['tessera:tokens'] },
      { 'user-agent': agent },
    );
    expect(created.status).toBe(201);
    const revoked = await asAdmin(
      'POST',
      `/api/v1/admin/tokens/${created.body.id}/revoke`,
      { reason: 'offboarding' },
      { 'user-agent': agent },
    );
    expect(revoked.status).toBe(200);

    const rows = await auditOf(created.body.id);
    expect(rows.map((row) => row.action)).toEqual(['pat.created', 'pat.revoked']);
    for (const row of rows) {
      expect(row).toMatchObject({ actor_user_id: server.adminId, user_agent: agent });
    }
    expect(rows[1]?.reason).toContain('offboarding');
  });
});

describe('status filter', () => {
  it('lists active, revoked and expired tokens separately', async () => {
    const mia = await server.createUserWithToken(uniqueName('mia'), ['tessera:tokens']);
    const [toRevoke, shortLived] = await moreTokens(mia.user.id, 2);
    expect((await asAdmin('POST', `/api/v1/admin/tokens/${toRevoke.id}/revoke`)).status).toBe(200);
    const oneDay = await asAdmin('POST', `/api/v1/users/${mia.user.id}/tokens`, {
      name: 'one-day',
      scopes: ['tessera:tokens'],
      expires_in_days: 1,
    });
    expect(oneDay.status).toBe(201);

    const byStatus = async (status: string) =>
      idsOf((await asAdmin('GET', `/api/v1/admin/tokens?user=${mia.user.id}&status=${status}`)).body.items);

    expect((await byStatus('active')).sort()).toEqual([mia.pat.id, shortLived.id, oneDay.body.id].sort());
    expect(await byStatus('revoked')).toEqual([toRevoke.id]);
    expect(await byStatus('expired')).toEqual([]);

    // Moves the shared clock: this test runs last in the file.
    const before = await stats();
    server.advance(DAY_MS + 60_000);
    expect(await meStatus(oneDay.body.token)).toBe(401);
    expect(await byStatus('expired')).toEqual([oneDay.body.id]);
    expect((await byStatus('active')).sort()).toEqual([mia.pat.id, shortLived.id].sort());
    expect(delta(await stats(), before)).toMatchObject({ active_pats: -1, expired_pats: 1 });
  });
});
