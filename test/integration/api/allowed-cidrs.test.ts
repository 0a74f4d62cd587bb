/**
 * `allowed_cidrs` (issue 15): a PAT that lists networks works at `/token` and on `/api/v1` only
 * from client addresses inside them; elsewhere it is the ordinary unusable PAT (the same fixed
 * `invalid_request` at /token, 401 on the API), audited with reason `ip_not_allowed`. Tested
 * over IPv4 (127.0.0.1) and IPv6 (a second server listening on ::1). No proxy is trusted by
 * default, so `X-Forwarded-For` cannot smuggle an allowed address in.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildCli } from '../../../src/cli/main.js';
import { findUsablePatById } from '../../../src/pat/lookup.js';
import { touchPatLastUsed } from '../../../src/pat/repository.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

let v4: TestServer;
let v6: TestServer;
// One server start per hook: each has its own timeout, sized for one start on a loaded box.
beforeAll(async () => {
  v4 = await startTestServer();
});
beforeAll(async () => {
  v6 = await startTestServer({ env: { HOST: '::1' } });
});
afterAll(async () => {
  await Promise.all([v4?.stop(), v6?.stop()]);
});

async function patAllowedFrom(server: TestServer, allowed_cidrs: string[] | null) {
  const { user, token } = await server.createUserWithToken(uniqueName('cidr'), ['tessera:tokens']);
  const pat = await server.request('POST', '/api/v1/tokens', {
    token,
    body: { name: 'fenced', scopes: ['tessera:tokens'], allowed_cidrs },
  });
  expect(pat.status).toBe(201);
  return { user, pat: pat.body, token: pat.body.token as string };
}

async function auditReasons(server: TestServer, patId: string) {
  const { rows } = await server.database.db.query<{ action: string; outcome: string; reason: string | null }>(
    'SELECT action, outcome, reason FROM audit_events WHERE pat_id = $1 ORDER BY id',
    [patId],
  );
  return rows.filter((r) => r.outcome === 'failure').map((r) => `${r.action}: ${r.reason}`);
}

describe('what a caller may not do with allowed_cidrs', () => {
  it.each([
    [['10.0.0.0/33'], 'allowed_cidrs[0]'],
    [['10.0.0.1', 'example.com/24'], 'allowed_cidrs[1]'],
    [Array.from({ length: 21 }, (_, i) => `10.0.${i}.0/24`), 'allowed_cidrs'],
    ['10.0.0.0/8', 'allowed_cidrs'],
  ])('refuses %j', async (allowed_cidrs, field) => {
    const { token } = await v4.createUserWithToken(uniqueName('bad-cidr'), ['tessera:tokens']);
    const answer = await v4.request('POST', '/api/v1/tokens', {
      token,
      body: { name: 'x', scopes: ['tessera:tokens'], allowed_cidrs },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('accepts 20, deduplicated and in canonical form', async () => {
    const list = Array.from({ length: 20 }, (_, i) => `10.0.${i}.0/24`);
    const { pat } = await patAllowedFrom(v4, list);
    expect(pat.allowed_cidrs).toEqual(list);
    expect((await patAllowedFrom(v4, ['10.0.0.0/8', '10.0.0.0/8'])).pat.allowed_cidrs).toEqual([
      '10.0.0.0/8',
    ]);
    expect((await patAllowedFrom(v4, ['2001:DB8::/32', '192.0.2.1'])).pat.allowed_cidrs).toEqual([
      '2001:db8::/32',
      '192.0.2.1/32',
    ]);
  });
});

describe('over IPv4', () => {
  it('refuses a PAT used from outside its networks, like any unusable PAT, and audits why', async () => {
    const { pat, token } = await patAllowedFrom(v4, ['10.0.0.0/8', '2001:db8::/32']);
    const refused = await v4.exchange(token);
    const unknown = await v4.exchange(`${token.slice(0, -8)}AAAAAAAA`);
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      error: 'invalid_request',
      error_description: unknown.body.error_description,
    });
    const api = await v4.request('GET', '/api/v1/me', { token });
    expect(api.status).toBe(401);
    expect(await auditReasons(v4, pat.id)).toEqual([
      'token.exchanged: ip_not_allowed',
      'api.authenticated: ip_not_allowed',
    ]);
  });

  it('does not believe X-Forwarded-For from a proxy it does not trust', async () => {
    const { token } = await patAllowedFrom(v4, ['10.0.0.0/8']);
    const forwarded = { 'x-forwarded-for': '10.1.2.3', 'x-real-ip': '10.1.2.3' };
    expect((await v4.request('GET', '/api/v1/me', { token, headers: forwarded })).status).toBe(401);
    expect((await v4.tokenRequest({ grant_type: 'x' }, forwarded)).status).toBe(400);
  });

  it('lets it work from inside, at /token and on the API, with the JWT too; the list is shown and kept by rotation', async () => {
    const { pat, token } = await patAllowedFrom(v4, ['127.0.0.0/8']);
    const exchanged = await v4.exchange(token, { audience: `${v4.url}/api` });
    expect(exchanged.status).toBe(200);
    expect((await v4.request('GET', '/api/v1/me', { token: exchanged.body.access_token })).status).toBe(200);
    const listed = await v4.request('GET', '/api/v1/tokens', { token });
    expect(listed.body.items.find((p: { id: string }) => p.id === pat.id).allowed_cidrs).toEqual([
      '127.0.0.0/8',
    ]);
    const rotated = await v4.request('POST', `/api/v1/tokens/${pat.id}/rotate`, { token });
    expect(rotated.body.allowed_cidrs).toEqual(['127.0.0.0/8']);
  });

  it('refuses, and audits, the JWT of a PAT whose networks no longer include the caller', async () => {
    const { pat, token } = await patAllowedFrom(v4, ['127.0.0.0/8']);
    const jwt = (await v4.exchange(token, { audience: `${v4.url}/api` })).body.access_token;
    expect((await v4.request('GET', '/api/v1/me', { token: jwt })).status).toBe(200);
    // There is no API to change the list; the row is changed here to stand for a caller elsewhere.
    await v4.database.db.query(`UPDATE pats SET allowed_cidrs = '{10.0.0.0/8}' WHERE id = $1`, [pat.id]);
    expect((await v4.request('GET', '/api/v1/me', { token: jwt })).status).toBe(401);
    expect(await auditReasons(v4, pat.id)).toEqual(['api.authenticated: ip_not_allowed']);
  });

  it('binds the JWTs exchanged from it too: the API looks the PAT up with the caller address', async () => {
    const { pat } = await patAllowedFrom(v4, ['127.0.0.1/32']);
    const now = new Date();
    expect((await findUsablePatById(v4.database.db, pat.id, now, '127.0.0.1'))?.pat.id).toBe(pat.id);
    expect(await findUsablePatById(v4.database.db, pat.id, now, '10.0.0.1')).toBeNull();
    expect(await findUsablePatById(v4.database.db, pat.id, now, null)).toBeNull();
  });
});

describe('over IPv6', () => {
  it('matches ::1 against IPv6 networks and never against IPv4 ones', async () => {
    expect(v6.url).toMatch(/^http:\/\/\[::1\]:/);
    const inside = await patAllowedFrom(v6, ['::1/128']);
    const v4only = await patAllowedFrom(v6, ['127.0.0.0/8']);
    const elsewhere = await patAllowedFrom(v6, ['2001:db8::/32']);
    expect((await v6.exchange(inside.token)).status).toBe(200);
    expect((await v6.request('GET', '/api/v1/me', { token: inside.token })).status).toBe(200);
    for (const { pat, token } of [v4only, elsewhere]) {
      expect((await v6.exchange(token)).status).toBe(400);
      expect((await v6.request('GET', '/api/v1/me', { token })).status).toBe(401);
      expect(await auditReasons(v6, pat.id)).toEqual([
        'token.exchanged: ip_not_allowed',
        'api.authenticated: ip_not_allowed',
      ]);
    }
  });
});

describe('tessera token create -a', () => {
  it('sends each network given', async () => {
    const { token } = await v4.createUserWithToken(uniqueName('cli-cidr'), ['tessera:tokens']);
    const printed: string[] = [];
    const program = buildCli({ TESSERA_URL: v4.url, TESSERA_TOKEN: token }, (text) => printed.push(text));
    await program.parseAsync([
      'node',
      'tessera',
      'token',
      'create',
      'ci',
      '-s',
      'tessera:tokens',
      '-a',
      '10.0.0.0/8',
      '--allow',
      '::1',
      '--json',
    ]);
    expect(JSON.parse(printed.join('\n')).allowed_cidrs).toEqual(['10.0.0.0/8', '::1/128']);
  });
});

describe('last_used_ips', () => {
  it('records the address an exchange came from', async () => {
    const { pat, token } = await patAllowedFrom(v6, null);
    await v6.exchange(token);
    const shown = await v6.request('GET', `/api/v1/tokens/${pat.id}`, { token });
    expect(shown.body.last_used_ips).toEqual([{ ip: '::1', at: shown.body.last_used_at }]);
  });

  it('keeps the last 5 distinct addresses, newest first, each with its last time', async () => {
    const { pat, token } = await patAllowedFrom(v4, null);
    const start = Date.now() + 3_600_000;
    const uses = [
      '10.0.0.1',
      '10.0.0.2',
      '10.0.0.1',
      '10.0.0.3',
      '2001:db8::1',
      '10.0.0.4',
      '10.0.0.5',
      '10.0.0.6',
    ];
    for (const [i, ip] of uses.entries()) {
      await touchPatLastUsed(v4.database.db, pat.id, new Date(start + i * 61_000), ip, 60);
    }
    // Within the interval: coalesced away, no write.
    await touchPatLastUsed(v4.database.db, pat.id, new Date(start + 7 * 61_000 + 1000), '10.9.9.9', 60);
    const shown = await v4.request('GET', `/api/v1/admin/tokens?user=${pat.user_id}`, {
      token: v4.adminToken,
    });
    const ips = shown.body.items.find((p: { id: string }) => p.id === pat.id).last_used_ips;
    expect(ips.map((u: { ip: string }) => u.ip)).toEqual([
      '10.0.0.6',
      '10.0.0.5',
      '10.0.0.4',
      '2001:db8::1',
      '10.0.0.3',
    ]);
    expect(ips[0].at).toBe(new Date(start + 7 * 61_000).toISOString());
    void token;
  });
});
