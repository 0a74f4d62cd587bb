/**
 * The token page without a browser (issue 22 item 3, issue 21 items 1 and 7): lifecycle actions
 * ending on a role=status message, "replaced by" after a rotation, events in words and names,
 * search by name, an exact expiry date within policy, `may_act` and `require_dpop` set by name
 * through the API's own service functions. Abuse first: unknown actors, a cross-site post, and
 * someone else's token.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expiryDateRange } from '../../../src/pat/policy.js';
import { ConsoleClient } from '../../helpers/console.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const AT = 'urn:ietf:params:oauth:token-type:access_token';
const ENTITLED = ['tessera:tokens', 'repo:read', 'repo:write'];

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
}, 60_000);
afterAll(() => server.stop());

async function signedIn(scopes = ENTITLED) {
  const person = await server.createUserWithToken(uniqueName('pat-owner'), ENTITLED, scopes);
  const client = new ConsoleClient(server);
  expect((await client.signInWithToken(person.token)).status).toBe(303);
  return { ...person, client };
}

/** A second PAT of the signed-in person (revoking the one the session was opened with ends the session). */
async function another(token: string, name = 'seed') {
  const made = await server.request('POST', '/api/v1/tokens', {
    token,
    body: { name, scopes: ['repo:read'] },
  });
  expect(made.status).toBe(201);
  return made.body as { id: string; token: string };
}

async function patRow(id: string) {
  const { rows } = await server.database.db.query<{
    may_act: unknown;
    require_dpop: boolean;
    expires_at: Date | null;
    revoked_at: Date | null;
  }>('SELECT may_act, require_dpop, expires_at, revoked_at FROM pats WHERE id = $1', [id]);
  return rows[0];
}

const statusText = (html: string) => /<p role="status"[^>]*>([^<]*)</.exec(html)?.[1] ?? null;

describe('lifecycle on the token page', () => {
  it('revoke, restore, rotate and delete each end on a page that says so (role=status)', async () => {
    const { client, token } = await signedIn();
    const pat = await another(token);
    const page = `/console/tokens/${pat.id}`;
    const revoked = await client.post(`${page}/revoke`, {}, { from: page });
    expect(revoked).toMatchObject({ status: 303, location: `${page}?done=revoked` });
    const afterRevoke = await client.get(revoked.location as string);
    expect(statusText(afterRevoke.html)).toMatch(/^Token revoked/);
    expect(afterRevoke.html).toContain(`action="${page}/restore"`);

    const restored = await client.post(`${page}/restore`, {}, { from: page });
    expect(restored.location).toBe(`${page}?done=restored`);
    expect(statusText((await client.get(`${page}?done=restored`)).html)).toMatch(/^Token restored/);

    const rotated = await client.post(`${page}/rotate`, {}, { from: page });
    expect(statusText(rotated.html)).toMatch(/^Token rotated/);
    const successor = /href="\/console\/tokens\/([0-9a-f-]{36})">Done/.exec(rotated.html)?.[1];
    expect(successor).toBeDefined();

    // The old token says what replaced it, and offers no Restore (a rotation is final).
    const old = await client.get(page);
    expect(old.html).toMatch(new RegExp(`Replaced by <a href="/console/tokens/${successor}">seed</a>`));
    expect(old.html).not.toContain(`action="${page}/restore"`);
    expect(old.html).toContain(`action="${page}/delete"`);
    // Nor does the list.
    const list = await client.get('/console/tokens');
    expect(list.html).not.toContain(`action="${page}/restore"`);
    expect(list.html).toContain('replaced (rotated)');

    const deleted = await client.post(`${page}/delete`, {}, { from: `${page}/delete` });
    expect(deleted.location).toBe('/console/tokens?done=deleted');
    expect(statusText((await client.get('/console/tokens?done=deleted')).html)).toMatch(/^Token deleted/);
    // An unknown `done` picks no message (it never echoes the query).
    expect(statusText((await client.get('/console/tokens?done=<b>x</b>')).html)).toBeNull();
  });

  it("an administrator's revocation is not offered for restore to the owner, with the reason", async () => {
    const { client, token } = await signedIn();
    const pat = await another(token);
    const admin = await server.request('POST', `/api/v1/admin/tokens/${pat.id}/revoke`, {
      token: server.adminToken,
      body: {},
    });
    expect(admin.status).toBe(200);
    const page = await client.get(`/console/tokens/${pat.id}`);
    expect(page.html).not.toContain('/restore"');
    expect(page.html).toContain('Cannot be restored: only an administrator may undo');
  });
});

describe("an administrator's token page", () => {
  it('revoke ends on the token page with its status message and the owner by username', async () => {
    const { token, user } = await signedIn();
    const pat = await another(token, 'watched');
    const admin = new ConsoleClient(server);
    await admin.signInWithToken(server.adminToken);
    const page = `/console/admin/tokens/${pat.id}`;
    const revoked = await admin.post(`${page}/revoke`, {}, { from: `${page}/revoke` });
    expect(revoked.location).toBe(`${page}?done=revoked`);
    const html = (await admin.get(revoked.location as string)).html;
    expect(statusText(html)).toMatch(/^Token revoked/);
    expect(html).toContain(`<dd>${user.username}</dd>`);
    expect(html).not.toContain('/settings"');
  });
});

describe('a may_act entry whose user was deleted', () => {
  it('reads "(deleted user)" on the page and its id in the form, so saving says what is wrong', async () => {
    const { client, token } = await signedIn();
    const { user: bot } = await server.createUserWithToken(uniqueName('gone'), ['repo:read']);
    const made = await server.request('POST', '/api/v1/tokens', {
      token,
      body: { name: 'orphan', scopes: ['repo:read'], may_act: [{ user_id: bot.id }] },
    });
    expect(made.status).toBe(201);
    expect(
      (await server.request('DELETE', `/api/v1/users/${bot.id}`, { token: server.adminToken })).status,
    ).toBe(204);
    const page = `/console/tokens/${made.body.id}`;
    const html = (await client.get(page)).html;
    expect(html).toContain('<li>(deleted user) (all of its scopes)</li>');
    expect(html).toMatch(new RegExp(`<textarea id="may_act"[^>]*>${bot.id}</textarea>`));
    // Saved unchanged, nothing is written; any change re-checks every entry (delegation/may-act-check.ts).
    expect((await client.post(`${page}/settings`, { may_act: bot.id }, { from: page })).status).toBe(303);
    const saved = await client.post(`${page}/settings`, { may_act: `${bot.id} = repo:read` }, { from: page });
    expect(saved.status).toBe(400);
    expect(saved.html).toContain(`no such user: ${bot.id}`);
  });
});

describe('events in words', () => {
  it('pat.created reads "created", exchanges "granted"; one Events heading; user agents readable', async () => {
    const { client, pat, token } = await signedIn();
    const chrome =
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
    expect((await server.tokenRequest(exchangeForm(token), { 'user-agent': 'curl/8.5.0' })).status).toBe(200);
    expect((await server.tokenRequest(exchangeForm(token), { 'user-agent': chrome })).status).toBe(200);
    const html = (await client.get(`/console/tokens/${pat.id}`)).html;
    // Made by the administrator for this user: the row names who, by username.
    expect(html).toMatch(/<td>pat\.created<\/td><td>created<\/td><td>admin<\/td>/);
    expect(html).toMatch(/<td>token\.exchanged<\/td><td>granted<\/td>/);
    expect(html.match(/>Events</g)).toHaveLength(1);
    expect(html).toContain('<span class="ua" title="curl/8.5.0">curl 8.5</span>');
    expect(html).toContain(`<span class="ua" title="${chrome}">Chrome on Linux</span>`);
  });
});

function exchangeForm(token: string) {
  return {
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    subject_token: token,
    subject_token_type: AT,
  };
}

describe('the token list', () => {
  it('searches by name, any case, with LIKE wildcards taken literally', async () => {
    const { client, token } = await signedIn();
    for (const name of ['alpha-deploy', 'beta', '100%_done']) {
      const made = await server.request('POST', '/api/v1/tokens', {
        token,
        body: { name, scopes: ['repo:read'] },
      });
      expect(made.status).toBe(201);
    }
    const names = async (q: string) =>
      [
        ...(await client.get(`/console/tokens?name=${encodeURIComponent(q)}`)).html.matchAll(
          /">([^<]+)<\/a><\/th>/g,
        ),
      ]
        .map((m) => m[1])
        .sort();
    expect(await names('ALPHA')).toEqual(['alpha-deploy']);
    expect(await names('%_')).toEqual(['100%_done']);
    expect(await names('_')).toEqual(['100%_done']);
    expect(await names('zzz')).toEqual([]);
  });
});

describe('an exact expiry date', () => {
  it('offers a date input bounded by the policy and expires at the end of the chosen day', async () => {
    const { client } = await signedIn();
    const { earliest, latest } = expiryDateRange({ maxLifetimeDays: 365 }, server.now());
    const form = await client.get('/console/tokens/new');
    expect(form.html).toContain(`type="date" min="${earliest}" max="${latest}"`);
    const made = await client.post(
      '/console/tokens',
      { name: 'dated', scopes: 'repo:read', expiration: 'date', expires_on: latest },
      { from: '/console/tokens/new' },
    );
    expect(made.issuedAt).toBeDefined();
    const id = /href="\/console\/tokens\/([0-9a-f-]{36})"/.exec(
      (await client.get('/console/tokens?name=dated')).html,
    )?.[1];
    expect((await patRow(id as string))?.expires_at?.toISOString()).toBe(
      new Date(Date.parse(`${latest}T00:00:00Z`) + 86_400_000).toISOString(),
    );
  });

  it('refuses a day past the maximum, or none, beside the form, and creates nothing', async () => {
    const { client, user } = await signedIn();
    const { latest } = expiryDateRange({ maxLifetimeDays: 365 }, server.now());
    const past = new Date(Date.parse(`${latest}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    for (const expires_on of [past, '']) {
      const refused = await client.post(
        '/console/tokens',
        { name: 'too-long', scopes: 'repo:read', expiration: 'date', expires_on },
        { from: '/console/tokens/new' },
      );
      expect(refused.status).toBe(400);
      expect(refused.html).toContain('id="expires_on-error"');
    }
    const { rows } = await server.database.db.query(
      `SELECT 1 FROM pats WHERE user_id = $1 AND name = 'too-long'`,
      [user.id],
    );
    expect(rows).toHaveLength(0);
  });
});

describe('may_act and require_dpop from the console (issue 21)', () => {
  it('the form sets may_act by username and trust policy name, and require_dpop; the page shows them', async () => {
    const { client, user } = await signedIn();
    const { user: bot } = await server.createUserWithToken(uniqueName('bot'), ['repo:read']);
    const policyName = uniqueName('ci');
    const policy = await server.request('POST', '/api/v1/admin/trust-policies', {
      token: server.adminToken,
      body: {
        name: policyName,
        issuer: 'https://ci.example.com',
        subject: 'repo:acme/*',
        user_id: bot.id,
        scopes: ['repo:read'],
      },
    });
    expect(policy.status).toBe(201);
    const made = await client.post(
      '/console/tokens',
      {
        name: 'agent',
        scopes: ['repo:read', 'repo:write'],
        may_act: `${bot.username} = repo:read\ntrust:${policyName}`,
        require_dpop: 'on',
      },
      { from: '/console/tokens/new' },
    );
    expect(made.issuedAt).toBeDefined();
    const { rows } = await server.database.db.query<{ id: string }>(
      `SELECT id FROM pats WHERE user_id = $1 AND name = 'agent'`,
      [user.id],
    );
    const id = rows[0]?.id as string;
    expect(await patRow(id)).toMatchObject({
      may_act: [{ user_id: bot.id, scopes: ['repo:read'] }, { trust_policy_id: policy.body.id }],
      require_dpop: true,
    });
    const page = (await client.get(`/console/tokens/${id}`)).html;
    expect(page).toContain(`<li>${bot.username} (repo:read)</li>`);
    expect(page).toContain(`<li>trust policy ${policyName} (all of its scopes)</li>`);
    expect(page).not.toContain(bot.id);
  });

  it('the settings form changes may_act and require_dpop through the service, audited as pat.updated', async () => {
    const { client, pat, token } = await signedIn();
    const { user: bot } = await server.createUserWithToken(uniqueName('bot'), ['repo:read']);
    const page = `/console/tokens/${pat.id}`;
    const saved = await client.post(
      `${page}/settings`,
      { may_act: `${bot.username} = repo:read`, require_dpop: 'on' },
      { from: page },
    );
    expect(saved.location).toBe(`${page}?done=saved`);
    expect(await patRow(pat.id)).toMatchObject({
      may_act: [{ user_id: bot.id, scopes: ['repo:read'] }],
      require_dpop: true,
    });
    // A token that requires DPoP is refused at /token without a proof.
    expect((await server.exchange(token)).body.error).toBe('invalid_dpop_proof');
    const { rows } = await server.database.db.query<{ reason: string }>(
      `SELECT reason FROM audit_events WHERE pat_id = $1 AND action = 'pat.updated' ORDER BY id`,
      [pat.id],
    );
    // One change, one row, as PATCH /api/v1/tokens/{id} writes it.
    expect(rows.map((r) => r.reason)).toEqual([`may_act: user ${bot.id} (repo:read); require_dpop: true`]);
    // Only what changed is written: the same may_act with DPoP off is one change, not two.
    await client.post(`${page}/settings`, { may_act: `${bot.username} = repo:read\n` }, { from: page });
    const after = await server.database.db.query<{ reason: string }>(
      `SELECT reason FROM audit_events WHERE pat_id = $1 AND action = 'pat.updated' ORDER BY id`,
      [pat.id],
    );
    expect(after.rows.map((r) => r.reason)).toEqual([
      `may_act: user ${bot.id} (repo:read); require_dpop: true`,
      'require_dpop: false',
    ]);
    // On the page, the id in the audit reason reads as the username.
    const html = (await client.get(page)).html;
    expect(html).toContain(`may_act: user ${bot.username} (repo:read)`);
    expect(statusText((await client.get(`${page}?done=saved`)).html)).toBe('Settings saved.');

    const cleared = await client.post(`${page}/settings`, { may_act: '' }, { from: page });
    expect(cleared.status).toBe(303);
    expect(await patRow(pat.id)).toMatchObject({ may_act: null, require_dpop: false });
  });

  it('abuse: unknown users and policies, a nonexistent policy id, or scopes beyond the token are refused, nothing written', async () => {
    const { client, pat } = await signedIn(['tessera:tokens', 'repo:read']);
    const page = `/console/tokens/${pat.id}`;
    const { user: bot } = await server.createUserWithToken(uniqueName('bot'), ['repo:read']);
    for (const may_act of [
      'no-such-user-anywhere',
      'trust:no-such-policy',
      'trust:7d1c1b9e-5f1a-4a57-9a3e-0b6c0f7f0c11',
      '7d1c1b9e-5f1a-4a57-9a3e-0b6c0f7f0c12',
      `${bot.username} = repo:admin`,
      `${bot.username}\n${bot.username}`,
      'two words',
    ]) {
      const refused = await client.post(`${page}/settings`, { may_act, require_dpop: 'on' }, { from: page });
      expect({ may_act, status: refused.status }).toEqual({ may_act, status: 400 });
      expect(refused.html).toContain('There is a problem');
    }
    expect(await patRow(pat.id)).toMatchObject({ may_act: null, require_dpop: false });
  });

  it('abuse: a cross-site post, a post without the CSRF token, and another user editing my token', async () => {
    const { client, pat } = await signedIn();
    const { user: bot } = await server.createUserWithToken(uniqueName('bot'), ['repo:read']);
    const page = `/console/tokens/${pat.id}`;
    const evil = await client.post(
      `${page}/settings`,
      { may_act: bot.username },
      { from: page, origin: 'https://evil.example' },
    );
    expect(evil.status).toBe(403);
    expect((await client.post(`${page}/settings`, { may_act: bot.username })).status).toBe(403);

    const other = await signedIn();
    const stranger = await other.client.post(
      `${page}/settings`,
      { may_act: other.user.username, require_dpop: 'on' },
      { from: '/console/tokens' },
    );
    expect(stranger.status).toBe(404);
    for (const action of ['revoke', 'rotate', 'delete']) {
      expect((await other.client.post(`${page}/${action}`, {}, { from: '/console/tokens' })).status).toBe(
        404,
      );
    }
    expect((await other.client.get(page)).status).toBe(404);
    expect(await patRow(pat.id)).toMatchObject({ may_act: null, require_dpop: false, revoked_at: null });
  });
});

describe('delegated exchanges on both trails (issue 21 item 7)', () => {
  it('the subject PAT shows "acted for you by B" with the chain; the actor PAT shows "acted for A"', async () => {
    const alice = await signedIn();
    const bob = await signedIn();
    const subject = await server.request('POST', '/api/v1/tokens', {
      token: alice.token,
      body: { name: 'for-bob', scopes: ['repo:read'], may_act: [{ user_id: bob.user.id }] },
    });
    expect(subject.status).toBe(201);
    const acted = await server.exchange(subject.body.token, { actor_token: bob.token, actor_token_type: AT });
    expect(acted.status).toBe(200);
    const onSubject = (await alice.client.get(`/console/tokens/${subject.body.id}`)).html;
    expect(onSubject).toContain(`acted for you by ${bob.user.username}`);
    const onActor = (await bob.client.get(`/console/tokens/${bob.pat.id}`)).html;
    expect(onActor).toContain(`acted for ${alice.user.username}`);
    expect(onActor).not.toContain(alice.user.id);
  });
});

describe('signed in with a narrow token (issue 22 item 5)', () => {
  it('the sign-in page says so, and creating a wider token says which token and what to do', async () => {
    const signIn = await new ConsoleClient(server).get('/console/sign-in');
    expect(signIn.html).toContain('then holds that token&#39;s scopes only');
    const { client } = await signedIn(['tessera:tokens', 'repo:read']);
    const refused = await client.post(
      '/console/tokens',
      { name: 'wider', scopes: ['repo:read', 'repo:write'] },
      { from: '/console/tokens/new' },
    );
    expect(refused.status).toBe(403);
    expect(refused.html).toContain(
      'you signed in with a token holding tessera:tokens repo:read; sign in with SSO or with a token that holds repo:write',
    );
  });
});
