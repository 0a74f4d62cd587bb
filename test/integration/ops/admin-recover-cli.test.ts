/**
 * `tessera admin recover` as an operator runs it: the bootstrap admin revoked their last token,
 * the service is stopped (PGlite allows one process per data dir), the command mints a new one
 * into a 0600 file, and the restarted service accepts it. On PostgreSQL too under
 * scripts/with-postgres.sh.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { testDatabaseUrl } from '../../helpers/database.js';
import {
  call,
  createDatabase,
  runCliProcess,
  sql,
  startTesseraProcess,
  type TesseraProcess,
} from '../../helpers/tessera-process.js';

let dataDir: string;
let databaseUrl: string | undefined;
let tessera: TesseraProcess;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tessera-recover-'));
  if (testDatabaseUrl)
    databaseUrl = await createDatabase(testDatabaseUrl, `recover_${randomBytes(4).toString('hex')}`);
  tessera = await startTesseraProcess({ dataDir, ...(databaseUrl ? { databaseUrl } : {}) });
}, 90_000);
afterAll(async () => {
  await tessera.cleanup();
  if (testDatabaseUrl && databaseUrl) {
    await sql(
      testDatabaseUrl,
      `DROP DATABASE IF EXISTS ${new URL(databaseUrl).pathname.slice(1)} WITH (FORCE)`,
    );
  }
  rmSync(dataDir, { recursive: true, force: true });
});

/** The environment the service itself runs with: an operator on its host has the same. */
const serviceEnv = () => ({
  TESSERA_DATA_DIR: dataDir,
  TESSERA_KEYS_DIR: tessera.keysDir,
  TESSERA_CONFIG: tessera.configPath,
  ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
});

it('locks the admin out, recovers with the command, and the restarted service accepts the new token', async () => {
  const oldToken = tessera.adminToken as string;
  const me = await call(tessera.url, 'GET', '/api/v1/me', { token: oldToken });
  const oldPatId = me.body.credential.pat_id;
  expect(
    (await call(tessera.url, 'POST', `/api/v1/tokens/${oldPatId}/revoke`, { token: oldToken, json: {} }))
      .status,
  ).toBe(200);
  expect((await call(tessera.url, 'GET', '/api/v1/me', { token: oldToken })).status).toBe(401);
  const { port } = tessera;
  expect((await tessera.stop()).code).toBe(0);

  const run = await runCliProcess(['admin', 'recover'], serviceEnv());
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const file = join(dataDir, 'recovery-admin-token');
  expect(statSync(file).mode & 0o777).toBe(0o600);
  const token = readFileSync(file, 'utf8').trim();
  expect(token).toMatch(/^tsr_/);
  expect(run.stdout).toContain(`in ${file}`);
  expect(run.stdout).not.toContain(token);

  const printed = await runCliProcess(['admin', 'recover', '--print'], serviceEnv());
  expect(printed.code).toBe(0);
  const second = printed.stdout.trim();
  expect(second).toMatch(/^tsr_[0-9A-Za-z]+$/);

  await tessera.cleanup(); // the stopped first process: its config directory goes with it
  tessera = await startTesseraProcess({
    dataDir,
    port,
    keysDir: tessera.keysDir,
    ...(databaseUrl ? { databaseUrl } : {}),
  });
  for (const fresh of [token, second]) {
    const caller = await call(tessera.url, 'GET', '/api/v1/me', { token: fresh });
    expect(caller.status).toBe(200);
    expect(caller.body).toMatchObject({ username: 'admin', admin: true });
  }
  expect((await call(tessera.url, 'GET', '/api/v1/me', { token: oldToken })).status).toBe(401);
  const newPatId = (await call(tessera.url, 'GET', '/api/v1/me', { token })).body.credential.pat_id;
  const events = await call(tessera.url, 'GET', `/api/v1/tokens/${newPatId}/events`, { token });
  // The expiry sweep at start may already have noted that this 1-day token expires within a day.
  const trail = events.body.items.filter((e: any) => e.action !== 'pat.expiring');
  expect(trail.map((e: any) => e.action)).toEqual(['admin.recovered', 'pat.created']);
  expect(trail[0].reason).toContain(`written to ${file}`);
  expect(JSON.stringify(events.body)).not.toContain(token);
}, 120_000);

it('an unknown --user exits 4 and writes no file', async () => {
  await tessera.stop();
  const out = join(dataDir, 'nobody-token');
  const run = await runCliProcess(['admin', 'recover', '--user', 'nobody', '--out', out], serviceEnv());
  expect(run.code).toBe(4);
  expect(run.stderr).toContain('no such user');
  expect(() => statSync(out)).toThrow();
}, 60_000);

it('on a database Tessera never ran on, exits 4 and says there is nothing to recover', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'tessera-recover-empty-'));
  try {
    const emptyDb: Record<string, string> = testDatabaseUrl
      ? {
          DATABASE_URL: await createDatabase(
            testDatabaseUrl,
            `recover_empty_${randomBytes(4).toString('hex')}`,
          ),
        }
      : {};
    const run = await runCliProcess(['admin', 'recover'], { TESSERA_DATA_DIR: empty, ...emptyDb });
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('no Tessera schema');
    expect(existsSync(join(empty, 'recovery-admin-token'))).toBe(false);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
}, 60_000);
