/**
 * Admin oversight (issue 4, point 6): the `never_used` and `expiring_within_days` filters on
 * `/api/v1/admin/tokens` (with `user` and `status`) and on a user's own `/api/v1/tokens`, the
 * exchange counts of `/api/v1/admin/stats`, and service accounts, for which only
 * administrators create tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generatePat } from '../../../src/pat/format.js';
import { expectProblem } from '../../helpers/problems.js';
import { type ApiResponse, startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const DAY_MS = 86_400_000;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

interface PatItem {
  id: string;
  user_id: string;
  status: string;
  expires_at: string | null;
  last_used_at: string | null;
}

const asAdmin = (method: string, path: string, body?: unknown) =>
  server.request(method, path, { token: server.adminToken, body });

/** Every item of a token listing, followed through `next_cursor`. */
async function listAll(path: string, token = server.adminToken): Promise<PatItem[]> {
  const items: PatItem[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const separator = path.includes('?') ? '&' : '?';
    const after: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const response: ApiResponse = await server.request('GET', `${path}${separator}limit=100${after}`, {
      token,
    });
    expect(response.status).toBe(200);
    items.push(...response.body.items);
    cursor = response.body.next_cursor;
    if (cursor === null) break;
  }
  return items;
}

const idsOf = (items: { id: string }[]) => items.map((item) => item.id).sort();

async function tokenFor(userId: string, name: string, expiresInDays?: number) {
  const created = await asAdmin('POST', `/api/v1/users/${userId}/tokens`, {
    name,
    scopes: ['tessera:tokens'],
    ...(expiresInDays ? { expires_in_days: expiresInDays } : {}),
  });
  expect(created.status).toBe(201);
  return created.body as { id: string; token: string };
}

/** A user with: a used token, two never-used ones (one revoked), and tokens expiring at 3, 10 and 2 (revoked) days. */
async function population(base: string) {
  const owner = await server.createUserWithToken(uniqueName(base), ['tessera:tokens']);
  expect((await server.exchange(owner.token)).status).toBe(200);
  const unused = await tokenFor(owner.user.id, 'unused');
  const unusedRevoked = await tokenFor(owner.user.id, 'unused-revoked');
  const inThree = await tokenFor(owner.user.id, 'three-days', 3);
  const inTen = await tokenFor(owner.user.id, 'ten-days', 10);
  const revokedSoon = await tokenFor(owner.user.id, 'revoked-soon', 2);
  for (const pat of [unusedRevoked, revokedSoon]) {
    expect((await asAdmin('POST', `/api/v1/admin/tokens/${pat.id}/revoke`)).status).toBe(200);
  }
  // Used, so not "never used"; still expiring in 3 and 10 days.
  for (const pat of [inThree, inTen]) expect((await server.exchange(pat.token)).status).toBe(200);
  return { owner, used: owner.pat as { id: string }, unused, unusedRevoked, inThree, inTen, revokedSoon };
}

describe('GET /api/v1/admin/tokens filters', () => {
  it('never_used=true lists only tokens never used, alone or with user= and status=', async () => {
    const p = await population('never');
    const other = await population('never-other');

    expect(idsOf(await listAll(`/api/v1/admin/tokens?user=${p.owner.user.id}&never_used=true`))).toEqual(
      idsOf([p.unused, p.unusedRevoked, p.revokedSoon]),
    );
    expect(
      idsOf(await listAll(`/api/v1/admin/tokens?user=${p.owner.user.id}&never_used=true&status=active`)),
    ).toEqual([p.unused.id]);
    expect(
      idsOf(await listAll(`/api/v1/admin/tokens?user=${p.owner.user.id}&never_used=true&status=revoked`)),
    ).toEqual(idsOf([p.unusedRevoked, p.revokedSoon]));
    expect(
      await listAll(`/api/v1/admin/tokens?user=${p.owner.user.username}&never_used=true&status=expired`),
    ).toEqual([]);

    const everyone = await listAll('/api/v1/admin/tokens?never_used=true');
    expect(everyone.every((item) => item.last_used_at === null)).toBe(true);
    const ids = idsOf(everyone);
    expect(ids).toEqual(expect.arrayContaining([p.unused.id, other.unused.id, other.unusedRevoked.id]));
    for (const used of [p.used, p.inThree, p.inTen, other.used]) expect(ids).not.toContain(used.id);

    // never_used=false lists only tokens used at least once: together the two make the whole list.
    const used = idsOf(await listAll(`/api/v1/admin/tokens?user=${p.owner.user.id}&never_used=false`));
    expect(used).toEqual(idsOf([p.inTen, p.inThree, p.used]));
    const unused = idsOf(await listAll(`/api/v1/admin/tokens?user=${p.owner.user.id}&never_used=true`));
    expect([...used, ...unused].sort()).toEqual(
      idsOf(await listAll(`/api/v1/admin/tokens?user=${p.owner.user.id}`)).sort(),
    );
  });

  it('expiring_within_days=N lists only active tokens expiring within N days', async () => {
    const p = await population('expiring');
    const other = await population('expiring-other');
    const mine = (query: string) => listAll(`/api/v1/admin/tokens?user=${p.owner.user.id}&${query}`);

    expect(idsOf(await mine('expiring_within_days=7'))).toEqual([p.inThree.id]);
    expect(idsOf(await mine('expiring_within_days=14'))).toEqual(idsOf([p.inThree, p.inTen]));
    expect(idsOf(await mine('expiring_within_days=2'))).toEqual([]);
    expect(idsOf(await mine('expiring_within_days=14&status=active'))).toEqual(idsOf([p.inThree, p.inTen]));
    expect(await mine('expiring_within_days=14&status=revoked')).toEqual([]);
    expect(await mine('expiring_within_days=14&never_used=true')).toEqual([]);
    // Default lifetime (90 days): within 91 days, every active token of this user.
    expect(idsOf(await mine('expiring_within_days=91'))).toEqual(
      idsOf([p.used, p.unused, p.inThree, p.inTen]),
    );

    const now = Date.now();
    const everyone = await listAll('/api/v1/admin/tokens?expiring_within_days=7');
    for (const item of everyone) {
      expect(item.status).toBe('active');
      expect(Date.parse(item.expires_at ?? '')).toBeLessThanOrEqual(now + 7 * DAY_MS + 60_000);
    }
    const ids = idsOf(everyone);
    expect(ids).toEqual(expect.arrayContaining([p.inThree.id, other.inThree.id]));
    for (const far of [p.inTen, other.inTen, p.revokedSoon, other.revokedSoon])
      expect(ids).not.toContain(far.id);
  });

  it('rejects bad filter values with 400', async () => {
    for (const query of [
      'never_used=maybe',
      'never_used=1',
      'never_used=',
      'expiring_within_days=-1',
      'expiring_within_days=soon',
      'expiring_within_days=1.5',
      'expiring_within_days=99999',
      'status=dormant',
    ]) {
      const response = await asAdmin('GET', `/api/v1/admin/tokens?${query}`);
      expect({ query, status: response.status, code: response.body?.code }).toEqual({
        query,
        status: 400,
        code: 'invalid_request',
      });
    }
  });
});

describe('the same filters on GET /api/v1/tokens', () => {
  it("apply to the caller's own tokens only", async () => {
    const p = await population('self');
    const other = await population('self-other');
    const mine = (query: string) => listAll(`/api/v1/tokens?${query}`, p.inThree.token);

    // The caller's own token is in use by this very request: not "never used".
    expect(idsOf(await mine('never_used=true'))).toEqual(idsOf([p.unused, p.unusedRevoked, p.revokedSoon]));
    expect(idsOf(await mine('never_used=true&status=active'))).toEqual([p.unused.id]);
    expect(idsOf(await mine('expiring_within_days=7'))).toEqual([p.inThree.id]);
    expect(idsOf(await mine('expiring_within_days=30&status=active'))).toEqual(idsOf([p.inThree, p.inTen]));
    for (const item of await mine('never_used=true')) expect(item.user_id).toBe(p.owner.user.id);
    const all = idsOf(await mine('expiring_within_days=365'));
    for (const foreign of [other.unused, other.inThree]) expect(all).not.toContain(foreign.id);

    for (const query of ['never_used=maybe', 'expiring_within_days=-1']) {
      const response = await server.request('GET', `/api/v1/tokens?${query}`, { token: p.inThree.token });
      expectProblem(response, 400, 'invalid_request');
    }
  });
});

describe('service accounts', () => {
  it('cannot create their own tokens; an administrator can, and those tokens work', async () => {
    const created = await asAdmin('POST', '/api/v1/users', {
      username: uniqueName('ci-bot'),
      entitlements: ['tessera:tokens', 'repo:read'],
      service: true,
    });
    expect(created.status).toBe(201);
    expect(created.body.service).toBe(true);
    const botId = created.body.id as string;

    const issued = await asAdmin('POST', `/api/v1/users/${botId}/tokens`, {
      name: 'ci',
      scopes: ['tessera:tokens', 'repo:read'],
    });
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({ user_id: botId, status: 'active' });
    const botToken = issued.body.token as string;

    const own = await server.request('POST', '/api/v1/tokens', {
      token: botToken,
      body: { name: 'self-made', scopes: ['repo:read'] },
    });
    expectProblem(own, 403, 'service_account');
    const { rows } = await server.database.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pats WHERE user_id = $1',
      [botId],
    );
    expect(rows[0]?.n).toBe(1);

    const exchanged = await server.exchange(botToken, { scope: 'repo:read' });
    expect(exchanged.status).toBe(200);
    expect(exchanged.body.scope).toBe('repo:read');
    expect((await server.request('GET', '/api/v1/me', { token: botToken })).body).toMatchObject({
      id: botId,
      service: true,
    });

    // Only administrators: a normal user cannot create a token for the service account.
    const person = await server.createUserWithToken(uniqueName('person'), ['tessera:tokens']);
    const foreign = await server.request('POST', `/api/v1/users/${botId}/tokens`, {
      token: person.token,
      body: { name: 'sneaky', scopes: ['tessera:tokens'] },
    });
    expectProblem(foreign, 403, 'insufficient_scope');
    // ...while a normal user creates their own.
    const ownPerson = await server.request('POST', '/api/v1/tokens', {
      token: person.token,
      body: { name: 'mine', scopes: ['tessera:tokens'] },
    });
    expect(ownPerson.status).toBe(201);
  });
});

describe('GET /api/v1/admin/stats', () => {
  interface Stats {
    active_pats: number;
    never_used_pats: number;
    expiring_within_7_days: number;
    exchanges_24h_granted: number;
    exchanges_24h_denied: number;
  }

  async function stats(): Promise<Stats> {
    const response = await asAdmin('GET', '/api/v1/admin/stats');
    expect(response.status).toBe(200);
    return response.body;
  }

  it('counts granted and denied exchanges of the last 24 hours', async () => {
    const { token, pat } = await server.createUserWithToken(uniqueName('stats'), ['tessera:tokens']);
    const before = await stats();
    expect(Number.isInteger(before.exchanges_24h_granted)).toBe(true);
    expect(Number.isInteger(before.exchanges_24h_denied)).toBe(true);

    for (let i = 0; i < 2; i++) expect((await server.exchange(token)).status).toBe(200);
    expect((await server.exchange(generatePat('tsr'))).status).toBe(400);
    expect((await server.exchange(token, { audience: 'https://nowhere.example.com' })).status).toBe(400);
    expect((await asAdmin('POST', `/api/v1/admin/tokens/${pat.id}/revoke`)).status).toBe(200);
    expect((await server.exchange(token)).status).toBe(400);

    const after = await stats();
    expect(after.exchanges_24h_granted - before.exchanges_24h_granted).toBe(2);
    expect(after.exchanges_24h_denied - before.exchanges_24h_denied).toBe(3);

    // The other numbers agree with the filtered listings.
    expect(after.expiring_within_7_days).toBe(
      (await listAll('/api/v1/admin/tokens?expiring_within_days=7')).length,
    );
    expect(after.never_used_pats).toBe(
      (await listAll('/api/v1/admin/tokens?never_used=true&status=active')).length,
    );
    expect(after.active_pats).toBe((await listAll('/api/v1/admin/tokens?status=active')).length);

    // A day later they have left the window. (Moves the clock: the last test of the file.)
    server.advance(DAY_MS + 60_000);
    const later = await stats();
    expect(later.exchanges_24h_granted).toBe(0);
    expect(later.exchanges_24h_denied).toBe(0);
  });
});
