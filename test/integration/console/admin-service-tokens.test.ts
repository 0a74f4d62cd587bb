/**
 * An administrator's form for a service account's token (issue 22 item 3): the person's form,
 * field for field (exact expiry date within policy, allowed networks, `may_act` by name,
 * `require_dpop`), read by the same functions and handed to the same `createPat` as
 * `POST /api/v1/users/{id}/tokens`. Abuse first: a non-admin, unknown actors, a date outside
 * the policy; each refusal writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expiryDateRange } from '../../../src/pat/policy.js';
import { bannerToken, ConsoleClient } from '../../helpers/console.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const DAY_MS = 86_400_000;

let server: TestServer;
let admin: ConsoleClient;
beforeAll(async () => {
  server = await startTestServer();
  admin = new ConsoleClient(server);
  expect((await admin.signInWithToken(server.adminToken)).status).toBe(303);
}, 60_000);
afterAll(() => server.stop());

async function serviceAccount() {
  const made = await server.request('POST', '/api/v1/users', {
    token: server.adminToken,
    body: { username: uniqueName('svc'), entitlements: ['repo:read', 'repo:write'], service: true },
  });
  expect(made.status).toBe(201);
  const id = made.body.id as string;
  return { id, username: made.body.username as string, form: `/console/admin/users/${id}/tokens/new` };
}

async function tokensOf(userId: string) {
  const { rows } = await server.database.db.query<{
    id: string;
    name: string;
    may_act: unknown;
    require_dpop: boolean;
    expires_at: Date | null;
  }>('SELECT id, name, may_act, require_dpop, expires_at FROM pats WHERE user_id = $1', [userId]);
  return rows;
}

async function trustPolicyFor(userId: string) {
  const name = uniqueName('ci');
  const policy = await server.request('POST', '/api/v1/admin/trust-policies', {
    token: server.adminToken,
    body: {
      name,
      issuer: 'https://ci.example.com',
      subject: 'repo:acme/*',
      user_id: userId,
      scopes: ['repo:read'],
    },
  });
  expect(policy.status).toBe(201);
  return { id: policy.body.id as string, name };
}

const dayAfter = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

describe("an admin's form for a service account's token: abuse first", () => {
  it('is a 404 for a session without tessera:admin, to read and to post; nothing is created', async () => {
    const svc = await serviceAccount();
    const { token } = await server.createUserWithToken(uniqueName('person'), ['tessera:tokens', 'repo:read']);
    const person = new ConsoleClient(server);
    expect((await person.signInWithToken(token)).status).toBe(303);
    expect((await person.get(svc.form)).status).toBe(404);
    const posted = await person.post(
      `/console/admin/users/${svc.id}/tokens`,
      { name: 'sneaky', scopes: 'repo:read', may_act: '', require_dpop: 'on' },
      { from: '/console/tokens' },
    );
    expect(posted.status).toBe(404);
    expect(bannerToken(posted.html)).toBeNull();
    expect(await tokensOf(svc.id)).toEqual([]);
  });

  it('refuses a may_act naming an unknown user or trust policy beside the field, and creates nothing', async () => {
    const svc = await serviceAccount();
    for (const may_act of ['no-such-user-anywhere', 'trust:no-such-policy', 'two words']) {
      const refused = await admin.post(
        `/console/admin/users/${svc.id}/tokens`,
        { name: 'deploy', scopes: 'repo:read', may_act, require_dpop: 'on' },
        { from: svc.form },
      );
      expect({ may_act, status: refused.status }).toEqual({ may_act, status: 400 });
      expect(refused.html).toContain('There is a problem');
      // Beside the field, under its label on this form, and the text kept for correction.
      expect(refused.html).toMatch(/<ul class="field-error" id="may_act-error"><li>[^<]+<\/li>/);
      expect(refused.html).toContain(`<label for="may_act">May act for ${svc.username}</label>`);
      expect(refused.html).toMatch(/<textarea id="may_act"[^>]*aria-invalid="true"[^>]*>/);
      expect(bannerToken(refused.html)).toBeNull();
    }
    expect(await tokensOf(svc.id)).toEqual([]);
  });

  it('refuses an exact date outside the policy range (or none) beside the field, and creates nothing', async () => {
    const svc = await serviceAccount();
    const { earliest, latest } = expiryDateRange({ maxLifetimeDays: 365 }, server.now());
    for (const expires_on of [dayAfter(latest, 1), dayAfter(earliest, -1), '2027-02-30', '']) {
      const refused = await admin.post(
        `/console/admin/users/${svc.id}/tokens`,
        { name: 'dated', scopes: 'repo:read', expiration: 'date', expires_on },
        { from: svc.form },
      );
      expect({ expires_on, status: refused.status }).toEqual({ expires_on, status: 400 });
      expect(refused.html).toContain('id="expires_on-error"');
    }
    expect(await tokensOf(svc.id)).toEqual([]);
  });

  it('is bounded as the API is: may_act scopes beyond the token, or scopes beyond the account, are refused by both', async () => {
    const svc = await serviceAccount();
    const { user: bot } = await server.createUserWithToken(uniqueName('bot'), ['repo:read']);
    const cases: Array<{ form: Record<string, string>; api: unknown }> = [
      {
        form: { name: 'wide-actor', scopes: 'repo:read', may_act: `${bot.username} = repo:write` },
        api: {
          name: 'wide-actor',
          scopes: ['repo:read'],
          may_act: [{ user_id: bot.id, scopes: ['repo:write'] }],
        },
      },
      { form: { name: 'too-wide', scopes: 'repo:admin' }, api: { name: 'too-wide', scopes: ['repo:admin'] } },
    ];
    for (const { form, api } of cases) {
      const byApi = await server.request('POST', `/api/v1/users/${svc.id}/tokens`, {
        token: server.adminToken,
        body: api,
      });
      const byConsole = await admin.post(`/console/admin/users/${svc.id}/tokens`, form, { from: svc.form });
      expect({ name: form.name, console: byConsole.status }).toEqual({
        name: form.name,
        console: byApi.status,
      });
      expect(byApi.status).toBeGreaterThanOrEqual(400);
    }
    expect(await tokensOf(svc.id)).toEqual([]);
  });
});

describe("an admin's form for a service account's token", () => {
  it('offers the same fields as a person has, the date bounded by the policy', async () => {
    const svc = await serviceAccount();
    const { earliest, latest } = expiryDateRange({ maxLifetimeDays: 365 }, server.now());
    const html = (await admin.get(svc.form)).html;
    expect(html).toContain(`<h1>New token for ${svc.username}</h1>`);
    expect(html).toContain('<option value="date">On a date (below)</option>');
    expect(html).toContain(`type="date" min="${earliest}" max="${latest}"`);
    for (const field of ['name="allowed_cidrs"', 'name="may_act"', 'name="require_dpop"']) {
      expect(html).toContain(field);
    }
  });

  it('creates a token carrying may_act, require_dpop and the end of the chosen day, shown on its page', async () => {
    const svc = await serviceAccount();
    const { user: bot } = await server.createUserWithToken(uniqueName('bot'), ['repo:read']);
    const policy = await trustPolicyFor(bot.id);
    const { latest } = expiryDateRange({ maxLifetimeDays: 365 }, server.now());
    const on = dayAfter(latest, -10);
    const issued = await admin.post(
      `/console/admin/users/${svc.id}/tokens`,
      {
        name: 'deploy',
        scopes: ['repo:read', 'repo:write'],
        expiration: 'date',
        expires_on: on,
        may_act: `${bot.username} = repo:read\ntrust:${policy.name}`,
        require_dpop: 'on',
      },
      { from: svc.form },
    );
    expect(issued.status).toBe(200);
    const token = bannerToken(issued.html) as string;
    expect(token).toMatch(/^tsr_/);

    // Through the API: the token as GET /api/v1/admin/tokens presents it.
    const listed = await server.request('GET', `/api/v1/admin/tokens?user=${svc.username}`, {
      token: server.adminToken,
    });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(1);
    const pat = listed.body.items[0];
    expect(pat).toMatchObject({
      name: 'deploy',
      scopes: ['repo:read', 'repo:write'],
      expires_at: new Date(Date.parse(`${on}T00:00:00Z`) + DAY_MS).toISOString(),
      require_dpop: true,
      may_act: [{ user_id: bot.id, scopes: ['repo:read'] }, { trust_policy_id: policy.id }],
    });
    // And it is enforced: without a DPoP proof the exchange is refused.
    expect((await server.exchange(token)).body.error).toBe('invalid_dpop_proof');

    // "Done" leads to the token's page, which shows what was chosen, by name.
    expect(issued.html).toContain(`<a href="/console/admin/tokens/${pat.id}">Done</a>`);
    const page = (await admin.get(`/console/admin/tokens/${pat.id}`)).html;
    expect(page).toContain(`<li>${bot.username} (repo:read)</li>`);
    expect(page).toContain(`<li>trust policy ${policy.name} (all of its scopes)</li>`);
    expect(page).toContain('yes: exchanges need a proof of possession');
    expect(page).toContain(`<dd>${svc.username}</dd>`);
  });

  it('a preset expiration still works, and nobody may act unless named', async () => {
    const svc = await serviceAccount();
    const before = server.now().getTime();
    const issued = await admin.post(
      `/console/admin/users/${svc.id}/tokens`,
      { name: 'weekly', scopes: 'repo:read', expiration: '7', expires_on: '' },
      { from: svc.form },
    );
    expect(bannerToken(issued.html)).toMatch(/^tsr_/);
    const [row] = await tokensOf(svc.id);
    expect(row).toMatchObject({ name: 'weekly', may_act: null, require_dpop: false });
    const expires = row?.expires_at?.getTime() ?? 0;
    expect(expires).toBeGreaterThanOrEqual(before + 7 * DAY_MS);
    expect(expires).toBeLessThanOrEqual(server.now().getTime() + 7 * DAY_MS);
  });
});
