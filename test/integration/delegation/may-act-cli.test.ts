/** `tessera token create --may-act` and `tessera token update`, over a real server. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runTessera } from '../../helpers/cli.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

let server: TestServer;
let env: Record<string, string>;
beforeAll(async () => {
  server = await startTestServer();
  const user = await server.createUserWithToken(uniqueName('climay'), ['tessera:tokens', 'repo:read']);
  env = { TESSERA_URL: server.url, TESSERA_TOKEN: user.token };
}, 60_000);
afterAll(() => server.stop());

describe('tessera token --may-act', () => {
  it('creates with users and trust policies, shows them, replaces and clears them', async () => {
    const { user: bot } = await server.createUserWithToken(uniqueName('bot'), ['repo:read']);
    const policy = await server.request('POST', '/api/v1/admin/trust-policies', {
      token: server.adminToken,
      body: {
        name: uniqueName('ci'),
        issuer: 'https://ci.example.com',
        subject: 'repo:acme/*',
        user_id: bot.id,
        scopes: ['repo:read'],
      },
    });
    expect(policy.status).toBe(201);
    const create = await runTessera(
      [
        'token',
        'create',
        'agent',
        '-s',
        'repo:read',
        '--may-act',
        bot.id,
        '--may-act',
        `trust:${policy.body.id}=repo:read`,
        '--json',
      ],
      env,
    );
    expect(create.code).toBe(0);
    const pat = create.json();
    expect(pat.may_act).toEqual([
      { user_id: bot.id },
      { trust_policy_id: policy.body.id, scopes: ['repo:read'] },
    ]);

    const shown = await runTessera(['token', 'show', pat.id], env);
    // The fields wrap to the terminal's width.
    const text = shown.stdout.replace(/\s+/g, ' ');
    expect(text).toContain(`may act: user ${bot.id}, trust:${policy.body.id} (repo:read)`);

    const replaced = await runTessera(
      ['token', 'update', pat.id, '--may-act', `${bot.id}=repo:read`, '--json'],
      env,
    );
    expect(replaced.json().may_act).toEqual([{ user_id: bot.id, scopes: ['repo:read'] }]);
    const cleared = await runTessera(['token', 'update', pat.id, '--no-may-act', '--json'], env);
    expect(cleared.json().may_act).toBeNull();
  });

  it('is a usage error without a choice, and the server refuses an unknown user', async () => {
    const create = await runTessera(['token', 'create', 'x', '-s', 'repo:read', '--json'], env);
    const id = create.json().id;
    expect((await runTessera(['token', 'update', id], env)).code).toBe(2);
    const unknown = await runTessera(
      ['token', 'update', id, '--may-act', '00000000-0000-4000-8000-000000000009'],
      env,
    );
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('no such user');
  });
});
