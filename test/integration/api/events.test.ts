/**
 * The per-token audit trail (issue 4, point 1): `GET /api/v1/tokens/{id}/events` for the owner
 * and `GET /api/v1/admin/tokens/{id}/events` for administrators. Every lifecycle change and
 * every exchange of the PAT, granted or denied, newest first, keyset-paginated; never the
 * plaintext or a hash; the history outlives the PAT and its user, and no API deletes it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { expectOAuthError, expectProblem } from '../../helpers/problems.js';
import { type ApiResponse, startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

let server: TestServer;
let apiAudience: string;
beforeAll(async () => {
  server = await startTestServer();
  apiAudience = `${server.url}/api`;
});
afterAll(() => server.stop());

const LOOPBACK = /^(::ffff:)?127\.0\.0\.1$|^::1$/;

let agents = 0;
/** A User-Agent no other request of this run sends. */
const uniqueAgent = () => `tessera-events-test/${process.pid}.${++agents}`;

interface EventItem {
  id: string;
  time: string;
  action: string;
  outcome: 'success' | 'failure';
  actor: { id: string; username: string } | null;
  ip: string | null;
  user_agent: string | null;
  client_id: string | null;
  audience: string | null;
  scope: string | null;
  jti: string | null;
  reason: string | null;
}

const eventsPath = (patId: string, query = '') => `/api/v1/tokens/${patId}/events${query}`;
const adminEventsPath = (patId: string, query = '') => `/api/v1/admin/tokens/${patId}/events${query}`;

/** Every event of a PAT, following `next_cursor` from page to page. */
async function allEvents(path: (query: string) => string, token: string, limit: number) {
  const items: EventItem[] = [];
  const pages: ApiResponse[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const response: ApiResponse = await server.request(
      'GET',
      path(`?limit=${limit}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`),
      { token },
    );
    expect(response.status).toBe(200);
    pages.push(response);
    items.push(...response.body.items);
    cursor = response.body.next_cursor;
    if (cursor === null) break;
  }
  return { items, pages };
}

async function auditCount(where: string, value: string): Promise<number> {
  const { rows } = await server.database.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM audit_events WHERE ${where} = $1`,
    [value],
  );
  return rows[0]?.n ?? 0;
}

async function auditIds(where: string, value: string): Promise<string[]> {
  const { rows } = await server.database.db.query<{ id: string }>(
    `SELECT id::text AS id FROM audit_events WHERE ${where} = $1 ORDER BY id`,
    [value],
  );
  return rows.map((row) => row.id);
}

/** The whole story of one PAT: created, used, revoked, refused, restored, rotated, refused, deleted. */
async function livedPat() {
  const agent = uniqueAgent();
  const headers = { 'user-agent': agent };
  const owner = await server.createUserWithToken(uniqueName('trail'), ['tessera:tokens', 'repo:read']);
  const as = (method: string, path: string, body?: unknown) =>
    server.request(method, path, { token: owner.token, body, headers });

  const created = await as('POST', '/api/v1/tokens', { name: 'traced', scopes: ['repo:read'] });
  expect(created.status).toBe(201);
  const { id, token } = created.body as { id: string; token: string };

  const granted = await server.tokenRequest(
    {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: token,
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      scope: 'repo:read',
    },
    headers,
  );
  expect(granted.status).toBe(200);
  const jti = decodeJwt(granted.body.access_token as string).jti;

  expect((await as('POST', `/api/v1/tokens/${id}/revoke`, {})).status).toBe(200);
  const refused = await server.tokenRequest(
    {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: token,
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    },
    headers,
  );
  expectOAuthError(refused, 400, 'invalid_request');
  expect((await as('POST', `/api/v1/tokens/${id}/restore`, {})).status).toBe(200);
  const rotated = await as('POST', `/api/v1/tokens/${id}/rotate`, {});
  expect(rotated.status).toBe(201);
  // The rotated-away secret is refused too, and that refusal is part of the old PAT's trail.
  expect((await server.exchange(token)).status).toBe(400);

  return { owner, id, token, jti, agent, successor: rotated.body as { id: string; token: string }, as };
}

/** Strictly descending row ids: newest first, none twice. */
function expectStrictlyDescending(ids: string[]) {
  const numbers = ids.map((id) => BigInt(id));
  const descending = [...numbers].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0));
  expect(numbers).toEqual(descending);
  expect(new Set(numbers).size).toBe(numbers.length);
}

function expectNoSecrets(response: ApiResponse, token: string) {
  const hash = createHash('sha256').update(token).digest();
  for (const secret of [
    token,
    token.slice(token.indexOf('_') + 1),
    hash.toString('hex'),
    hash.toString('base64'),
    hash.toString('base64url'),
  ]) {
    expect(response.text.includes(secret)).toBe(false);
  }
}

describe('GET /api/v1/tokens/{id}/events', () => {
  it('lists every lifecycle change and every exchange, newest first, with their details', async () => {
    const { owner, id, token, jti, agent, successor, as } = await livedPat();

    const response = await as('GET', eventsPath(id));
    expect(response.status).toBe(200);
    expect(response.body.next_cursor).toBeNull();
    const items = response.body.items as EventItem[];
    expect(items.map((item) => [item.action, item.outcome])).toEqual([
      ['token.exchanged', 'failure'],
      ['pat.rotated', 'success'],
      ['pat.restored', 'success'],
      ['token.exchanged', 'failure'],
      ['pat.revoked', 'success'],
      ['token.exchanged', 'success'],
      ['pat.created', 'success'],
    ]);

    expectStrictlyDescending(items.map((item) => item.id));
    const times = items.map((item) => Date.parse(item.time));
    expect(times.every((time) => Number.isFinite(time))).toBe(true);
    expect(times).toEqual([...times].sort((a, b) => b - a));

    const ownerActor = { id: owner.user.id, username: owner.user.username };
    const [refusedRotated, rotatedEvent, restored, refusedRevoked, revoked, granted, created] = items;
    for (const lifecycle of [created, revoked, restored, rotatedEvent]) {
      expect(lifecycle).toMatchObject({ actor: ownerActor, user_agent: agent, jti: null });
      expect(lifecycle?.ip).toMatch(LOOPBACK);
    }
    expect(rotatedEvent?.reason).toContain(successor.id);
    expect(granted).toMatchObject({
      client_id: 'tessera-cli',
      audience: apiAudience,
      scope: 'repo:read',
      jti,
      user_agent: agent,
      reason: null,
    });
    expect(granted?.ip).toMatch(LOOPBACK);
    expect(jti).toEqual(expect.any(String));
    for (const refused of [refusedRevoked, refusedRotated]) {
      expect(refused).toMatchObject({ client_id: 'tessera-cli', jti: null, reason: expect.any(String) });
      expect(refused?.ip).toMatch(LOOPBACK);
    }
    expect(refusedRevoked?.user_agent).toBe(agent);

    expectNoSecrets(response, token);
    expectNoSecrets(response, successor.token);
    for (const item of items) {
      expect(Object.keys(item).sort()).toEqual(
        [
          'acted_for',
          'action',
          'actor',
          'actor_chain',
          'audience',
          'client_id',
          'dpop_jkt',
          'id',
          'ip',
          'jti',
          'outcome',
          'reason',
          'scope',
          'time',
          'user_agent',
        ].sort(),
      );
    }
  });

  it('keeps the history readable after the PAT is deleted, ending with pat.deleted', async () => {
    const { owner, id, token, as } = await livedPat();
    const before = await as('GET', eventsPath(id));
    expect(before.status).toBe(200);

    expect((await as('DELETE', `/api/v1/tokens/${id}`)).status).toBe(204);
    expect((await as('GET', `/api/v1/tokens/${id}`)).status).toBe(404);

    const after = await as('GET', eventsPath(id));
    expect(after.status).toBe(200);
    const items = after.body.items as EventItem[];
    expect(items[0]).toMatchObject({
      action: 'pat.deleted',
      outcome: 'success',
      actor: { id: owner.user.id, username: owner.user.username },
    });
    expect(items.slice(1)).toEqual(before.body.items);
    expectNoSecrets(after, token);
  });

  it('pages with limit and cursor: each event once, ids strictly descending, until next_cursor is null', async () => {
    const { id, owner, token, as } = await livedPat();
    // Four more refused exchanges of the rotated-away secret: eleven events in all.
    for (let i = 0; i < 4; i++) expect((await server.exchange(token)).status).toBe(400);
    const full = await as('GET', eventsPath(id, '?limit=100'));
    expect(full.status).toBe(200);
    expect(full.body.next_cursor).toBeNull();
    const expected = (full.body.items as EventItem[]).map((item) => item.id);
    expect(expected).toHaveLength(11);

    for (const limit of [1, 2, 3, 11]) {
      const { items, pages } = await allEvents((query) => eventsPath(id, query), owner.token, limit);
      expect(pages).toHaveLength(Math.ceil(11 / limit));
      for (const page of pages.slice(0, -1)) {
        expect(page.body.items).toHaveLength(limit);
        expect(page.body.next_cursor).toEqual(expect.any(String));
      }
      expect(pages.at(-1)?.body.next_cursor).toBeNull();
      const ids = items.map((item) => item.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual(expected);
      expectStrictlyDescending(ids);
    }

    // The default page holds them all.
    const defaulted = await as('GET', eventsPath(id));
    expect((defaulted.body.items as EventItem[]).map((item) => item.id)).toEqual(expected);
  });

  it('rejects a bad limit or cursor with 400', async () => {
    const { id, as } = await livedPat();
    for (const query of [
      'limit=0',
      'limit=101',
      'limit=-1',
      'limit=two',
      'limit=1.5',
      'cursor=',
      'cursor=abc',
      'cursor=0',
      'cursor=-5',
      'cursor=99999999999999999999999',
      'cursor=9999999999999999999',
    ]) {
      const response = await as('GET', eventsPath(id, `?${query}`));
      expect({ query, status: response.status, code: response.body?.code }).toEqual({
        query,
        status: 400,
        code: 'invalid_request',
      });
    }
  });

  it("answers 404 for another user's PAT, an unknown id and a malformed id", async () => {
    const { id } = await livedPat();
    const stranger = await server.createUserWithToken(uniqueName('stranger'), ['tessera:tokens']);
    for (const target of [id, randomUUID(), 'not-a-uuid']) {
      const response = await server.request('GET', eventsPath(target), { token: stranger.token });
      expectProblem(response, 404, 'not_found');
    }
    // Also once the PAT is deleted: its history stays its owner's alone.
    const { id: deleted, as } = await livedPat();
    expect((await as('DELETE', `/api/v1/tokens/${deleted}`)).status).toBe(204);
    const response = await server.request('GET', eventsPath(deleted), { token: stranger.token });
    expect(response.status).toBe(404);
  });

  it('answers 403 to a caller without tessera:tokens, and 401 without credentials', async () => {
    const reader = await server.createUserWithToken(uniqueName('noscope'), ['tessera:tokens', 'repo:read']);
    const created = await server.request('POST', `/api/v1/users/${reader.user.id}/tokens`, {
      token: server.adminToken,
      body: { name: 'narrow', scopes: ['repo:read'] },
    });
    expect(created.status).toBe(201);
    const response = await server.request('GET', eventsPath(reader.pat.id), { token: created.body.token });
    expectProblem(response, 403, 'insufficient_scope');

    const anonymous = await server.request('GET', eventsPath(reader.pat.id));
    expect(anonymous.status).toBe(401);
  });
});

describe('GET /api/v1/admin/tokens/{id}/events', () => {
  it("shows an administrator anyone's trail, the same one the owner sees, deleted PATs too", async () => {
    const { id, token, as } = await livedPat();
    const asOwner = await as('GET', eventsPath(id));
    const asAdmin = await server.request('GET', adminEventsPath(id), { token: server.adminToken });
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.body).toEqual(asOwner.body);
    expectNoSecrets(asAdmin, token);

    const paged = await allEvents((query) => adminEventsPath(id, query), server.adminToken, 2);
    expect(paged.items).toEqual(asOwner.body.items);

    expect((await as('DELETE', `/api/v1/tokens/${id}`)).status).toBe(204);
    const deleted = await server.request('GET', adminEventsPath(id), { token: server.adminToken });
    expect(deleted.status).toBe(200);
    expect(deleted.body.items[0].action).toBe('pat.deleted');
    expect(deleted.body.items).toHaveLength(asOwner.body.items.length + 1);
  });

  it('records an admin revocation with the admin as actor and the reason', async () => {
    const holder = await server.createUserWithToken(uniqueName('revokee'), ['tessera:tokens']);
    const revoked = await server.request('POST', `/api/v1/admin/tokens/${holder.pat.id}/revoke`, {
      token: server.adminToken,
      body: { reason: 'left the company' },
    });
    expect(revoked.status).toBe(200);
    const response = await server.request('GET', adminEventsPath(holder.pat.id), {
      token: server.adminToken,
    });
    expect(response.status).toBe(200);
    expect(response.body.items[0]).toMatchObject({
      action: 'pat.revoked',
      outcome: 'success',
      actor: { id: server.adminId, username: 'admin' },
    });
    expect(response.body.items[0].reason).toContain('left the company');
    // The seed PAT was created by the admin too.
    expect(response.body.items.at(-1)).toMatchObject({
      action: 'pat.created',
      actor: { id: server.adminId },
    });
  });

  it('is 403 for non-admins and 404 for an unknown id', async () => {
    const { id, owner } = await livedPat();
    const forbidden = await server.request('GET', adminEventsPath(id), { token: owner.token });
    expectProblem(forbidden, 403, 'insufficient_scope');

    for (const target of [randomUUID(), 'nope']) {
      const response = await server.request('GET', adminEventsPath(target), { token: server.adminToken });
      expectProblem(response, 404, 'not_found');
    }
    const bad = await server.request('GET', adminEventsPath(id, '?cursor=x'), { token: server.adminToken });
    expect(bad.status).toBe(400);
  });
});

describe('append-only audit rows', () => {
  it('deleting a PAT and then its user keeps every row, and the trail stays readable', async () => {
    const { owner, id, successor } = await livedPat();
    const patRows = await auditIds('pat_id', id);
    const userRows = await auditIds('subject_user_id', owner.user.id);
    expect(patRows.length).toBeGreaterThanOrEqual(7);

    expect((await server.request('DELETE', `/api/v1/tokens/${id}`, { token: owner.token })).status).toBe(204);
    const afterPatDelete = await auditIds('pat_id', id);
    expect(afterPatDelete.slice(0, patRows.length)).toEqual(patRows);
    expect(afterPatDelete).toHaveLength(patRows.length + 1);

    const deletedUser = await server.request('DELETE', `/api/v1/users/${owner.user.id}`, {
      token: server.adminToken,
    });
    expect(deletedUser.status).toBe(204);
    const afterUserDelete = await auditIds('subject_user_id', owner.user.id);
    expect(afterUserDelete).toEqual(expect.arrayContaining(userRows));
    expect(afterUserDelete.length).toBeGreaterThan(userRows.length);
    expect(await auditIds('pat_id', id)).toEqual(afterPatDelete);

    // The successor was revoked by the user deletion; its trail says so, and the deleted PAT's
    // trail is still there for an administrator.
    const successorTrail = await server.request('GET', adminEventsPath(successor.id), {
      token: server.adminToken,
    });
    expect(successorTrail.status).toBe(200);
    expect(successorTrail.body.items[0]).toMatchObject({
      action: 'pat.revoked',
      actor: { id: server.adminId },
    });
    const trail = await server.request('GET', adminEventsPath(id), { token: server.adminToken });
    expect(trail.status).toBe(200);
    expect(trail.body.items).toHaveLength(afterPatDelete.length);
    expect(await auditCount('pat_id', id)).toBe(afterPatDelete.length);
  });

  it('offers no API that deletes audit rows', async () => {
    const { id, owner } = await livedPat();
    const before = await auditCount('pat_id', id);
    for (const path of [eventsPath(id), adminEventsPath(id)]) {
      for (const token of [owner.token, server.adminToken]) {
        const response = await server.request('DELETE', path, { token });
        expect([404, 405]).toContain(response.status);
      }
    }
    expect(await auditCount('pat_id', id)).toBe(before);
  });
});
