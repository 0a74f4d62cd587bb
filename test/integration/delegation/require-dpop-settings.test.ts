/**
 * `require_dpop` after creation: `PATCH /api/v1/tokens/{id}`, `tessera token create|update
 * --require-dpop / --no-require-dpop`, `tessera trust create|update --require-dpop /
 * --no-require-dpop`. Abuse first: lifting the binding needs a credential that holds the PAT's
 * scopes, of the PAT's owner; a bad body changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runTessera } from '../../helpers/cli.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

const SCOPES = ['tessera:tokens', 'repo:read', 'repo:write'];
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
}, 60_000);
afterAll(() => server?.stop());

const owner = () => server.createUserWithToken(uniqueName('owner'), SCOPES, SCOPES);
const patch = (id: string, token: string, body: unknown) =>
  server.request('PATCH', `/api/v1/tokens/${id}`, { token, body });

async function newPat(token: string, scopes = ['repo:read']) {
  const created = await server.request('POST', '/api/v1/tokens', {
    token,
    body: { name: uniqueName('pat'), scopes },
  });
  if (created.status !== 201) throw new Error(created.text);
  return created.body as { id: string; token: string; require_dpop: boolean };
}

describe('PATCH /api/v1/tokens/{id} require_dpop', () => {
  it('turns the binding on and off, each change audited; exchanges follow at once', async () => {
    const me = await owner();
    const pat = await newPat(me.token);
    expect((await server.exchange(pat.token)).status).toBe(200);

    const on = await patch(pat.id, me.token, { require_dpop: true });
    expect({ status: on.status, require_dpop: on.body.require_dpop, may_act: on.body.may_act }).toEqual({
      status: 200,
      require_dpop: true,
      may_act: null,
    });
    const refused = await server.exchange(pat.token);
    expect({ status: refused.status, error: refused.body.error }).toEqual({
      status: 400,
      error: 'invalid_dpop_proof',
    });

    const off = await patch(pat.id, me.token, { require_dpop: false });
    expect(off.body.require_dpop).toBe(false);
    expect((await server.exchange(pat.token)).status).toBe(200);

    const events = await server.request('GET', `/api/v1/tokens/${pat.id}/events`, { token: me.token });
    const updates = events.body.items.filter((e: { action: string }) => e.action === 'pat.updated');
    expect(updates.map((e: { reason: string }) => e.reason)).toEqual([
      'require_dpop: false',
      'require_dpop: true',
    ]);
  });

  it('changes may_act and require_dpop together in one row, and leaves what is not named', async () => {
    const me = await owner();
    const { user: bot } = await server.createUserWithToken(uniqueName('bot'), ['repo:read']);
    const pat = await newPat(me.token);
    const both = await patch(pat.id, me.token, { may_act: [{ user_id: bot.id }], require_dpop: true });
    expect(both.body).toMatchObject({ may_act: [{ user_id: bot.id }], require_dpop: true });
    const onlyMayAct = await patch(pat.id, me.token, { may_act: null });
    expect(onlyMayAct.body).toMatchObject({ may_act: null, require_dpop: true });
    const { rows } = await server.database.db.query<{ reason: string }>(
      "SELECT reason FROM audit_events WHERE action = 'pat.updated' AND pat_id = $1 ORDER BY id",
      [pat.id],
    );
    expect(rows.map((r) => r.reason)).toEqual([
      `may_act: user ${bot.id}; require_dpop: true`,
      'may_act: nobody',
    ]);
  });

  it('refuses an empty body, a non-boolean, unknown fields; changes nothing', async () => {
    const me = await owner();
    const pat = await newPat(me.token);
    for (const body of [
      {},
      { require_dpop: 'yes' },
      { require_dpop: null },
      { require_dpop: true, dpop: true },
    ]) {
      const response = await patch(pat.id, me.token, body);
      expect({ body, status: response.status, code: response.body.code }).toEqual({
        body,
        status: 400,
        code: 'invalid_request',
      });
    }
    const shown = await server.request('GET', `/api/v1/tokens/${pat.id}`, { token: me.token });
    expect(shown.body.require_dpop).toBe(false);
  });

  it("lifting it needs the owner's credential holding the PAT's scopes: another user 404, a narrower PAT 403", async () => {
    const me = await owner();
    const other = await owner();
    const pat = await newPat(me.token, ['repo:read', 'repo:write']);
    expect((await patch(pat.id, me.token, { require_dpop: true })).status).toBe(200);

    expect((await patch(pat.id, other.token, { require_dpop: false })).status).toBe(404);
    const narrow = await newPat(me.token, ['tessera:tokens', 'repo:read']);
    const lifted = await patch(pat.id, narrow.token, { require_dpop: false });
    expect({ status: lifted.status, code: lifted.body.code }).toEqual({
      status: 403,
      code: 'scope_exceeds_credential',
    });
    const shown = await server.request('GET', `/api/v1/tokens/${pat.id}`, { token: me.token });
    expect(shown.body.require_dpop).toBe(true);
  });
});

describe('the CLI', () => {
  it('tessera token create --require-dpop; token update --no-require-dpop / --require-dpop', async () => {
    const me = await owner();
    const env = { TESSERA_URL: server.url, TESSERA_TOKEN: me.token };
    const created = await runTessera(
      ['token', 'create', 'bound', '-s', 'repo:read', '--require-dpop', '--json'],
      env,
    );
    expect(created.code).toBe(0);
    const pat = created.json();
    expect(pat.require_dpop).toBe(true);
    const shown = await runTessera(['token', 'show', pat.id], env);
    expect(shown.stdout).toMatch(/dpop:\s+required/);

    const off = await runTessera(['token', 'update', pat.id, '--no-require-dpop', '--json'], env);
    expect(off.json().require_dpop).toBe(false);
    const on = await runTessera(['token', 'update', pat.id, '--require-dpop', '--json'], env);
    expect(on.json()).toMatchObject({ require_dpop: true, may_act: null });

    const nothing = await runTessera(['token', 'update', pat.id], env);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('--require-dpop');
  });

  it('tessera trust create --require-dpop; trust update --no-require-dpop', async () => {
    const env = { TESSERA_URL: server.url, TESSERA_TOKEN: server.adminToken };
    const { user: bot } = await server.createUserWithToken(uniqueName('bot'), ['repo:read']);
    const name = uniqueName('ci');
    const created = await runTessera(
      [
        'trust',
        'create',
        name,
        '--issuer',
        'https://ci.example.com',
        '--subject',
        'repo:acme/*',
        '--user',
        bot.id,
        '-s',
        'repo:read',
        '--require-dpop',
        '--json',
      ],
      env,
    );
    expect(created.code).toBe(0);
    const policy = created.json();
    expect(policy.require_dpop).toBe(true);
    expect((await runTessera(['trust', 'show', policy.id], env)).stdout).toMatch(/dpop:\s+required/);
    const off = await runTessera(['trust', 'update', policy.id, '--no-require-dpop', '--json'], env);
    expect(off.json().require_dpop).toBe(false);
    const on = await runTessera(['trust', 'update', policy.id, '--require-dpop', '--json'], env);
    expect(on.json().require_dpop).toBe(true);
  });
});
