/**
 * Usage tracking without write amplification (issue 4, point 2): a granted exchange and an API
 * call both record `last_used_at` / `last_used_ip`, at most once per token per
 * `tokens.lastUsedIntervalSeconds` (60 by default). The number of writes is observed through
 * the value itself: it moves once per interval and never in between.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const LOOPBACK = /^(::ffff:)?127\.0\.0\.1$|^::1$/;

interface Usage {
  last_used_at: string | null;
  last_used_ip: string | null;
}

/** A server and its clock offset, so tests know what time the server thinks it is. */
interface Clocked {
  server: TestServer;
}

/** Both servers' clocks are set (STYLE rule 10): recorded times are asserted exactly. */
const clockAt = new Date(Date.UTC(2026, 10, 2, 9, 0, 0));

let main: Clocked;
let fast: Clocked;
// One server start per hook: each has its own timeout, sized for one start on a loaded box.
beforeAll(async () => {
  main = { server: await startTestServer({ clockAt }) };
});
beforeAll(async () => {
  fast = {
    server: await startTestServer({ clockAt, configFile: { tokens: { lastUsedIntervalSeconds: 5 } } }),
  };
});
afterAll(async () => {
  await Promise.all([main?.server.stop(), fast?.server.stop()]);
});

function advance(clocked: Clocked, ms: number) {
  clocked.server.advance(ms);
}

const serverNow = (clocked: Clocked) => clocked.server.now().getTime();

/** A PAT's usage as an administrator sees it (the admin's request does not touch this PAT). */
async function usageOf(server: TestServer, userId: string, patId: string): Promise<Usage> {
  const listed = await server.request('GET', `/api/v1/admin/tokens?user=${userId}`, {
    token: server.adminToken,
  });
  expect(listed.status).toBe(200);
  const pat = listed.body.items.find((item: { id: string }) => item.id === patId);
  expect(pat).toBeDefined();
  return { last_used_at: pat.last_used_at, last_used_ip: pat.last_used_ip };
}

/** The same, straight from the table. */
async function storedUsage(server: TestServer, patId: string) {
  const { rows } = await server.database.db.query<{ last_used_at: Date | null; last_used_ip: string | null }>(
    'SELECT last_used_at, last_used_ip FROM pats WHERE id = $1',
    [patId],
  );
  return rows[0];
}

const holder = (server: TestServer, base: string) =>
  server.createUserWithToken(uniqueName(base), ['tessera:tokens']);

/** Runs `use`, and checks the recorded time is the server's time during the call. */
async function usedBetween(clocked: Clocked, use: () => Promise<void>) {
  const before = serverNow(clocked);
  await use();
  const after = serverNow(clocked);
  return { before, after };
}

async function exchangeOk(server: TestServer, token: string) {
  const response = await server.exchange(token);
  expect(response.status).toBe(200);
}

async function callApi(server: TestServer, token: string) {
  const response = await server.request('GET', '/api/v1/me', { token });
  expect(response.status).toBe(200);
}

describe('last_used_at and last_used_ip', () => {
  it('start empty and are set by a granted exchange', async () => {
    const { user, pat, token } = await holder(main.server, 'exchange');
    expect(pat).toMatchObject({ last_used_at: null, last_used_ip: null });
    expect(await usageOf(main.server, user.id, pat.id)).toEqual({ last_used_at: null, last_used_ip: null });

    const window = await usedBetween(main, () => exchangeOk(main.server, token));
    const usage = await usageOf(main.server, user.id, pat.id);
    expect(usage.last_used_ip).toMatch(LOOPBACK);
    const at = Date.parse(usage.last_used_at ?? '');
    expect(at).toBe(window.before);
    expect(window.after).toBe(window.before);
    expect((await storedUsage(main.server, pat.id))?.last_used_at?.toISOString()).toBe(usage.last_used_at);
  });

  it('are set by an API call authenticated with the PAT', async () => {
    const { user, pat, token } = await holder(main.server, 'api');
    const window = await usedBetween(main, () => callApi(main.server, token));
    const usage = await usageOf(main.server, user.id, pat.id);
    expect(usage.last_used_ip).toMatch(LOOPBACK);
    const at = Date.parse(usage.last_used_at ?? '');
    expect(at).toBe(window.before);
    expect(window.after).toBe(window.before);
  });

  it('are not set by a refused exchange of a revoked PAT', async () => {
    const { user, pat, token } = await holder(main.server, 'refused');
    const revoked = await main.server.request('POST', `/api/v1/admin/tokens/${pat.id}/revoke`, {
      token: main.server.adminToken,
    });
    expect(revoked.status).toBe(200);
    expect((await main.server.exchange(token)).status).toBe(400);
    expect(await usageOf(main.server, user.id, pat.id)).toEqual({ last_used_at: null, last_used_ip: null });
  });
});

describe('at most one write per token per interval (60 s by default)', () => {
  it('ignores further uses inside the interval and records the first use after it', async () => {
    const { user, pat, token } = await holder(main.server, 'interval');
    await exchangeOk(main.server, token);
    const first = await usageOf(main.server, user.id, pat.id);
    expect(first.last_used_at).not.toBeNull();

    for (let i = 0; i < 5; i++) await exchangeOk(main.server, token);
    await callApi(main.server, token);
    expect(await usageOf(main.server, user.id, pat.id)).toEqual(first);

    advance(main, 30_000);
    await exchangeOk(main.server, token);
    await callApi(main.server, token);
    expect(await usageOf(main.server, user.id, pat.id)).toEqual(first);
    expect((await storedUsage(main.server, pat.id))?.last_used_at?.toISOString()).toBe(first.last_used_at);

    advance(main, 31_000);
    const window = await usedBetween(main, () => exchangeOk(main.server, token));
    const second = await usageOf(main.server, user.id, pat.id);
    const at = Date.parse(second.last_used_at ?? '');
    expect(at - Date.parse(first.last_used_at ?? '')).toBe(61_000);
    expect(at).toBe(window.before);
    expect(window.after).toBe(window.before);

    // And the next interval starts from that write.
    for (let i = 0; i < 3; i++) await callApi(main.server, token);
    advance(main, 59_000);
    await exchangeOk(main.server, token);
    expect(await usageOf(main.server, user.id, pat.id)).toEqual(second);
  });

  it('tracks each token on its own', async () => {
    const a = await holder(main.server, 'own-a');
    const b = await holder(main.server, 'own-b');
    await exchangeOk(main.server, a.token);
    expect((await usageOf(main.server, b.user.id, b.pat.id)).last_used_at).toBeNull();
    await exchangeOk(main.server, b.token);
    expect((await usageOf(main.server, b.user.id, b.pat.id)).last_used_at).not.toBeNull();
  });

  it('a hot token: 40 concurrent exchanges all succeed and leave one consistent value', async () => {
    const { user, pat, token } = await holder(main.server, 'hot');
    const before = serverNow(main);
    const burst = await Promise.all(Array.from({ length: 40 }, () => main.server.exchange(token)));
    const after = serverNow(main);
    expect(burst.map((response) => response.status)).toEqual(Array(40).fill(200));

    const usage = await usageOf(main.server, user.id, pat.id);
    expect(usage.last_used_ip).toMatch(LOOPBACK);
    const at = Date.parse(usage.last_used_at ?? '');
    expect(at).toBe(before);
    expect(after).toBe(before);
    const stored = await storedUsage(main.server, pat.id);
    expect(stored?.last_used_at?.toISOString()).toBe(usage.last_used_at);
    expect(stored?.last_used_ip).toBe(usage.last_used_ip);

    // A second burst inside the interval, exchanges and API calls mixed: nothing moves.
    const second = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i % 2 ? main.server.exchange(token) : main.server.request('GET', '/api/v1/me', { token }),
      ),
    );
    expect(second.map((response) => response.status)).toEqual(Array(40).fill(200));
    expect(await usageOf(main.server, user.id, pat.id)).toEqual(usage);

    // After the interval, one more burst moves it once, to a time inside that burst.
    advance(main, 61_000);
    const thirdBefore = serverNow(main);
    const third = await Promise.all(Array.from({ length: 40 }, () => main.server.exchange(token)));
    const thirdAfter = serverNow(main);
    expect(third.every((response) => response.status === 200)).toBe(true);
    const moved = await usageOf(main.server, user.id, pat.id);
    const movedAt = Date.parse(moved.last_used_at ?? '');
    expect(movedAt).toBe(thirdBefore);
    expect(thirdAfter).toBe(thirdBefore);
    expect(movedAt - at).toBe(61_000);
  });
});

describe('tokens.lastUsedIntervalSeconds', () => {
  it('sets the interval: 5 s here', async () => {
    const { user, pat, token } = await holder(fast.server, 'fast');
    await exchangeOk(fast.server, token);
    const first = await usageOf(fast.server, user.id, pat.id);
    expect(first.last_used_at).not.toBeNull();

    advance(fast, 3_000);
    await exchangeOk(fast.server, token);
    await callApi(fast.server, token);
    expect(await usageOf(fast.server, user.id, pat.id)).toEqual(first);

    advance(fast, 3_000);
    await callApi(fast.server, token);
    const second = await usageOf(fast.server, user.id, pat.id);
    const moved = Date.parse(second.last_used_at ?? '') - Date.parse(first.last_used_at ?? '');
    // 6 s: past the configured 5 s, far inside the default 60 s.
    expect(moved).toBe(6_000);
  });
});
