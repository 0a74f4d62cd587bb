/**
 * Token policies (issue 4, point 3): inactivity auto-revocation after
 * `tokens.revokeAfterInactiveDays` days unused (off by default), counted from the last use or,
 * for a never-used token, from its creation; and the expiring-soon view of one's own tokens.
 *
 * Each server's clock only moves forward here, at most 62 days, so the bootstrap admin's
 * 90-day token stays valid throughout; on the policy server it is used after every move.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectProblem } from '../../helpers/problems.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const DAY_MS = 86_400_000;

let policy: TestServer;
let plain: TestServer;
// One server start per hook: each has its own timeout, sized for one start on a loaded box.
beforeAll(async () => {
  policy = await startTestServer({ configFile: { tokens: { revokeAfterInactiveDays: 30 } } });
});
beforeAll(async () => {
  plain = await startTestServer();
});
afterAll(async () => {
  await Promise.all([policy?.stop(), plain?.stop()]);
});

async function patOf(server: TestServer, userId: string, patId: string) {
  const listed = await server.request('GET', `/api/v1/admin/tokens?user=${userId}&limit=100`, {
    token: server.adminToken,
  });
  expect(listed.status).toBe(200);
  const pat = listed.body.items.find((item: { id: string }) => item.id === patId);
  expect(pat).toBeDefined();
  return pat;
}

async function createFor(server: TestServer, userId: string, name: string, expiresInDays?: number) {
  const created = await server.request('POST', `/api/v1/users/${userId}/tokens`, {
    token: server.adminToken,
    body: { name, scopes: ['tessera:tokens'], ...(expiresInDays ? { expires_in_days: expiresInDays } : {}) },
  });
  expect(created.status).toBe(201);
  return created.body as { id: string; token: string };
}

/** The bootstrap admin's token is subject to the policy too: use it so that it stays active. */
async function keepAdminActive(server: TestServer) {
  expect((await server.request('GET', '/api/v1/me', { token: server.adminToken })).status).toBe(200);
}

async function exchangeOk(server: TestServer, token: string) {
  expect((await server.exchange(token)).status).toBe(200);
}

describe('inactivity auto-revocation (tokens.revokeAfterInactiveDays: 30)', () => {
  it('revokes only tokens unused for 30 days, audits it, and returns their ids', async () => {
    const owner = await policy.createUserWithToken(uniqueName('idle'), ['tessera:tokens']);
    const neverUsed = owner.pat as { id: string; token: string };
    const usedMidway = await createFor(policy, owner.user.id, 'used-midway');
    const usedRecently = await createFor(policy, owner.user.id, 'used-recently');
    const expiring = await createFor(policy, owner.user.id, 'short-lived', 5);
    const usedOnDayOne = await createFor(policy, owner.user.id, 'used-day-one');
    await exchangeOk(policy, usedOnDayOne.token);

    // Nothing is old enough yet.
    const early = await policy.tessera.sweepInactive();
    expect(early).toEqual([]);

    policy.advance(20 * DAY_MS);
    await keepAdminActive(policy);
    await exchangeOk(policy, usedMidway.token);
    policy.advance(11 * DAY_MS);
    await keepAdminActive(policy);
    await exchangeOk(policy, usedRecently.token);

    const revoked = await policy.tessera.sweepInactive();
    expect(revoked).toEqual(expect.arrayContaining([neverUsed.id, usedOnDayOne.id]));
    const adminPat = (await policy.request('GET', '/api/v1/me', { token: policy.adminToken })).body.credential
      .pat_id as string;
    for (const kept of [usedMidway.id, usedRecently.id, expiring.id, adminPat]) {
      expect(revoked).not.toContain(kept);
    }

    // What the sweep returned is exactly what it revoked as inactive.
    const { rows } = await policy.database.db.query<{ id: string }>(
      "SELECT id FROM pats WHERE revoked_reason = 'inactive'",
    );
    expect(rows.map((row) => row.id).sort()).toEqual([...revoked].sort());

    for (const id of [neverUsed.id, usedOnDayOne.id]) {
      const pat = await patOf(policy, owner.user.id, id);
      expect(pat).toMatchObject({ status: 'revoked', revoked_reason: 'inactive' });
      const events = await policy.request('GET', `/api/v1/admin/tokens/${id}/events`, {
        token: policy.adminToken,
      });
      expect(events.status).toBe(200);
      expect(events.body.items[0]).toMatchObject({ action: 'pat.revoked', outcome: 'success', actor: null });
      expect(events.body.items[0].reason).toMatch(/^inactive/);
    }
    expect((await policy.exchange(neverUsed.token)).status).toBe(400);
    expect((await policy.request('GET', '/api/v1/me', { token: usedOnDayOne.token })).status).toBe(401);

    expect(await patOf(policy, owner.user.id, usedMidway.id)).toMatchObject({
      status: 'active',
      revoked_reason: null,
    });
    expect(await patOf(policy, owner.user.id, usedRecently.id)).toMatchObject({ status: 'active' });
    await exchangeOk(policy, usedMidway.token);

    // The expired token is left alone: expired, not revoked, no new audit row.
    expect(await patOf(policy, owner.user.id, expiring.id)).toMatchObject({
      status: 'expired',
      revoked_at: null,
      revoked_reason: null,
    });
    const expiredTrail = await policy.request('GET', `/api/v1/admin/tokens/${expiring.id}/events`, {
      token: policy.adminToken,
    });
    expect(expiredTrail.body.items.map((item: { action: string }) => item.action)).toEqual(['pat.created']);

    // A second sweep finds nothing new: each token is revoked once.
    expect(await policy.tessera.sweepInactive()).toEqual([]);
    const { rows: audits } = await policy.database.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_events WHERE pat_id = $1 AND action = 'pat.revoked'",
      [neverUsed.id],
    );
    expect(audits[0]?.n).toBe(1);
  });

  it('counts a never-used token from its creation: kept at 29 days, revoked at 31', async () => {
    // The clock is already 31 days on; this token is new.
    const owner = await policy.createUserWithToken(uniqueName('later'), ['tessera:tokens']);
    policy.advance(29 * DAY_MS);
    await keepAdminActive(policy);
    expect(await policy.tessera.sweepInactive()).not.toContain(owner.pat.id);
    expect(await patOf(policy, owner.user.id, owner.pat.id)).toMatchObject({ status: 'active' });
    policy.advance(2 * DAY_MS);
    await keepAdminActive(policy);
    expect(await policy.tessera.sweepInactive()).toContain(owner.pat.id);
    expect(await patOf(policy, owner.user.id, owner.pat.id)).toMatchObject({
      status: 'revoked',
      revoked_reason: 'inactive',
    });
  });
});

describe('without the setting (the default)', () => {
  it('sweepInactive revokes nothing', async () => {
    const owner = await plain.createUserWithToken(uniqueName('idle-default'), ['tessera:tokens']);
    plain.advance(31 * DAY_MS);
    expect(await plain.tessera.sweepInactive()).toEqual([]);
    // The admin's own token, unused for 31 days, is left alone as well.
    await keepAdminActive(plain);
    expect(await patOf(plain, owner.user.id, owner.pat.id)).toMatchObject({ status: 'active' });
    await exchangeOk(plain, owner.token);
    const { rows } = await plain.database.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pats WHERE revoked_at IS NOT NULL',
    );
    expect(rows[0]?.n).toBe(0);
  });
});

describe('the expiring-soon view: GET /api/v1/tokens?expiring_within_days=', () => {
  it("lists only the caller's active tokens expiring within the window", async () => {
    const owner = await plain.createUserWithToken(uniqueName('soon'), ['tessera:tokens']);
    const other = await plain.createUserWithToken(uniqueName('soon-other'), ['tessera:tokens']);
    const threeDays = await createFor(plain, owner.user.id, 'three-days', 3);
    const sixDays = await createFor(plain, owner.user.id, 'six-days', 6);
    await createFor(plain, owner.user.id, 'thirty-days', 30);
    const revokedSoon = await createFor(plain, owner.user.id, 'revoked-soon', 2);
    const expiredSoon = await createFor(plain, owner.user.id, 'one-day', 1);
    await createFor(plain, other.user.id, 'not-mine', 2);
    const revoke = await plain.request('POST', `/api/v1/tokens/${revokedSoon.id}/revoke`, {
      token: owner.token,
      body: {},
    });
    expect(revoke.status).toBe(200);

    const soon = async (days: number) => {
      const listed = await plain.request('GET', `/api/v1/tokens?expiring_within_days=${days}`, {
        token: owner.token,
      });
      expect(listed.status).toBe(200);
      return (listed.body.items as { id: string; status: string }[]).map((item) => item.id).sort();
    };
    expect(await soon(7)).toEqual([threeDays.id, sixDays.id, expiredSoon.id].sort());
    expect(await soon(4)).toEqual([threeDays.id, expiredSoon.id].sort());
    expect(await soon(0)).toEqual([]);

    // Two days on, the one-day token has expired: it is no longer "expiring".
    plain.advance(2 * DAY_MS);
    expect(await soon(7)).toEqual([threeDays.id, sixDays.id].sort());
    expect(await soon(1)).toEqual([threeDays.id]);

    for (const bad of ['-1', 'soon', '1.5', '100000']) {
      const response = await plain.request('GET', `/api/v1/tokens?expiring_within_days=${bad}`, {
        token: owner.token,
      });
      expectProblem(response, 400, 'invalid_request');
    }
  });
});
