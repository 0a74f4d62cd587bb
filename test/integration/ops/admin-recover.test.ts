/**
 * Break-glass recovery (`tessera admin recover`): a locked-out administrator gets a fresh admin
 * PAT straight from the database. On PGlite by default, on PostgreSQL under
 * scripts/with-postgres.sh (TESSERA_TEST_DATABASE_URL).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { systemClock } from '../../../src/clock.js';
import { loadConfig } from '../../../src/config.js';
import { ApiProblem } from '../../../src/errors.js';
import { recoverAdmin } from '../../../src/users/recover.js';
import { startTestServer, type TestServer, uniqueName } from '../../helpers/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const config = () =>
  loadConfig({ TESSERA_DATA_DIR: server.dataDir, TESSERA_CONFIG: `${server.dataDir}/tessera.config.json` });
const recover = (username: string, handOver: (token: string) => Promise<void>) =>
  recoverAdmin(
    { db: server.tessera.db, clock: systemClock, config: config(), userAgent: 'test' },
    { username, expiresInDays: 1, handOver, destination: 'kept by the test' },
  );
const me = (token: string) => server.request('GET', '/api/v1/me', { token });
const patsOf = async (userId: string) =>
  (
    await server.tessera.db.query<{ id: string }>('SELECT id FROM pats WHERE user_id = $1', [userId])
  ).rows.map((r) => r.id);

/** An administrator with no way in: their only token revoked, their account disabled. */
async function lockedOutAdmin() {
  const { user, token, pat } = await server.createUserWithToken(uniqueName('boss'), [
    'tessera:tokens',
    'tessera:admin',
  ]);
  expect((await server.request('POST', `/api/v1/tokens/${pat.id}/revoke`, { token, body: {} })).status).toBe(
    200,
  );
  await server.tessera.db.query('UPDATE users SET disabled_at = now() WHERE id = $1', [user.id]);
  expect((await me(token)).status).toBe(401);
  return { user, oldToken: token, oldPatId: pat.id };
}

describe('recoverAdmin', () => {
  it('re-enables the admin and mints a working admin PAT; the old one stays revoked; audited', async () => {
    const { user, oldToken, oldPatId } = await lockedOutAdmin();
    let token = '';
    const recovery = await recover(user.username, async (plaintext) => {
      token = plaintext;
    });
    expect(recovery).toMatchObject({ reEnabled: true });

    const caller = await me(token);
    expect(caller.status).toBe(200);
    expect(caller.body).toMatchObject({ id: user.id, admin: true, disabled: false });
    expect(caller.body.credential.scopes).toEqual(
      expect.arrayContaining(['tessera:admin', 'tessera:tokens']),
    );
    expect((await server.request('GET', '/api/v1/users', { token })).status).toBe(200);
    expect((await me(oldToken)).status).toBe(401);
    const old = await server.request('GET', `/api/v1/admin/tokens?user=${user.id}&status=revoked`, { token });
    expect(old.body.items.map((p: any) => p.id)).toEqual([oldPatId]);

    const { rows } = await server.tessera.db.query<any>(
      'SELECT action, pat_id, reason, user_agent FROM audit_events WHERE subject_user_id = $1 ORDER BY id',
      [user.id],
    );
    const recovered = rows.find((r) => r.action === 'admin.recovered');
    expect(recovered).toMatchObject({ pat_id: recovery.patId, user_agent: 'test' });
    expect(recovered.reason).toMatch(/^by \S+@\S+; token kept by the test$/);
    expect(rows.map((r) => r.action)).toEqual(expect.arrayContaining(['user.enabled', 'pat.created']));
    expect(JSON.stringify(rows)).not.toContain(token);
    // A short-lived token: for getting back in and minting a proper one.
    expect(recovery.expiresAt && recovery.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(86_400_000);
  });

  it('refuses an unknown user (404) and a user who is not an administrator (409), creating nothing', async () => {
    const plain = await server.createUserWithToken(uniqueName('plain'), ['tessera:tokens']);
    const unknown = await recover(uniqueName('nobody'), async () => {}).catch((e) => e);
    expect(unknown).toBeInstanceOf(ApiProblem);
    expect(unknown.status).toBe(404);
    const notAdmin = await recover(plain.user.username, async () => {}).catch((e) => e);
    expect(notAdmin).toBeInstanceOf(ApiProblem);
    expect(notAdmin.status).toBe(409);
    expect(await patsOf(plain.user.id)).toEqual([plain.pat.id]);
  });

  it('a failed hand-over (the file cannot be written) rolls everything back', async () => {
    const { user } = await lockedOutAdmin();
    const before = await patsOf(user.id);
    const failed = await recover(user.username, async () => {
      throw new Error('disk full');
    }).catch((e) => e);
    expect(failed.message).toBe('disk full');
    expect(await patsOf(user.id)).toEqual(before);
    const { rows } = await server.tessera.db.query<any>('SELECT disabled_at FROM users WHERE id = $1', [
      user.id,
    ]);
    expect(rows[0].disabled_at).not.toBeNull();
  });
});
