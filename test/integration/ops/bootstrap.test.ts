import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../../src/config.js';
import type { Database } from '../../../src/db/queryable.js';
import { createLogger } from '../../../src/logger.js';
import { startTessera, type Tessera } from '../../../src/main.js';
import { DEFAULT_SCOPE_CATALOGUE } from '../../../src/scopes.js';
import { createTestDatabase } from '../../helpers/database.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

const TOKEN_FILE = 'bootstrap-admin-token';

let server: TestServer;
const scratchDirs: string[] = [];
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bootstrap-'));
  scratchDirs.push(dir);
  return dir;
}

/** Another Tessera on `db`, with its own data dir and captured log; `db` stays open. */
async function startInstance(db: Database, dataDir: string): Promise<{ tessera: Tessera; logs: string[] }> {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    TESSERA_DATA_DIR: dataDir,
    TESSERA_KEYS_DIR: join(dataDir, 'keys'),
    TESSERA_ISSUER: 'http://127.0.0.1:1',
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const tessera = await startTessera({ config, logger: createLogger('debug', sink), db });
  return { tessera, logs };
}

/** Stops an instance but not its database: `tessera.stop()` would also close the shared one. */
async function closeHttp(tessera: Tessera) {
  tessera.oidc.close();
  const closed = new Promise<void>((resolve) => tessera.server.close(() => resolve()));
  tessera.server.closeAllConnections();
  await closed;
}

async function count(db: Database, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await db.query<{ n: number }>(sql, params);
  return rows[0]?.n ?? -1;
}

async function me(url: string, token: string) {
  const response = await fetch(`${url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as any };
}

describe('bootstrap on an empty database', () => {
  it('writes one PAT to $dataDir/bootstrap-admin-token with mode 0600', () => {
    const file = join(server.dataDir, TOKEN_FILE);
    expect(statSync(file).isFile()).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const content = readFileSync(file, 'utf8');
    expect(content.split('\n').filter((line) => line.trim() !== '')).toHaveLength(1);
    expect(content.trim()).toMatch(/^tsr_[0-9A-Za-z]{36}$/);
    expect(content.trim()).toBe(server.adminToken);
  });

  it('creates exactly one user, admin, with one active PAT named bootstrap', async () => {
    const { db } = server.database;
    const { rows: users } = await db.query<{ id: string; username: string }>(
      'SELECT id, username FROM users',
    );
    expect(users).toEqual([{ id: server.adminId, username: 'admin' }]);
    const { rows: pats } = await db.query<{ name: string; revoked_at: Date | null }>(
      'SELECT name, revoked_at FROM pats WHERE user_id = $1',
      [server.adminId],
    );
    expect(pats).toEqual([{ name: 'bootstrap', revoked_at: null }]);
    const { rows: events } = await db.query<{ action: string }>(
      'SELECT action FROM audit_events ORDER BY id',
    );
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(['user.created', 'pat.created']));
  });

  it('the file token authenticates as admin with tessera:admin, tessera:tokens and every catalogue scope', async () => {
    const scopes = await server.request('GET', '/api/v1/scopes', { token: server.adminToken });
    expect(scopes.status).toBe(200);
    const everyScope: string[] = scopes.body.items.map((item: { name: string }) => item.name).sort();
    expect(everyScope).toEqual(
      expect.arrayContaining(['tessera:admin', 'tessera:tokens', ...Object.keys(DEFAULT_SCOPE_CATALOGUE)]),
    );

    const caller = await server.request('GET', '/api/v1/me', { token: server.adminToken });
    expect(caller.status).toBe(200);
    expect(caller.body).toMatchObject({
      id: server.adminId,
      username: 'admin',
      admin: true,
      disabled: false,
    });
    expect([...caller.body.entitlements].sort()).toEqual(everyScope);
    expect([...caller.body.credential.scopes].sort()).toEqual(everyScope);

    // The credential really carries admin power, not just the label.
    expect((await server.request('GET', '/api/v1/users', { token: server.adminToken })).status).toBe(200);
  });

  it('logs the token file path and never the token', () => {
    const path = join(server.dataDir, TOKEN_FILE);
    // Once when it is written, once more in the start line.
    const announcing = server.logs.filter((line) => line.includes(path)).map((line) => JSON.parse(line));
    expect(announcing).toHaveLength(2);
    expect(announcing[0]).toMatchObject({ tokenFile: path });
    expect(announcing[1]).toMatchObject({
      bootstrapTokenFile: path,
      msg: expect.stringMatching(/^tessera ready at /),
    });
    for (const line of server.logs) expect(line).not.toContain(server.adminToken);
    const secretPart = server.adminToken.slice('tsr_'.length);
    for (const line of server.logs) expect(line).not.toContain(secretPart);
  });
});

describe('bootstrap on an already bootstrapped database', () => {
  it('a second Tessera on the same database creates no admin, no PAT and no token file', async () => {
    const { db } = server.database;
    const usersBefore = await count(db, 'SELECT count(*)::int AS n FROM users');
    const patsBefore = await count(db, 'SELECT count(*)::int AS n FROM pats');
    const fileBefore = readFileSync(join(server.dataDir, TOKEN_FILE), 'utf8');
    const dataDir = scratchDir();

    const second = await startInstance(db, dataDir);
    try {
      expect(existsSync(join(dataDir, TOKEN_FILE))).toBe(false);
      expect(await count(db, "SELECT count(*)::int AS n FROM users WHERE username = 'admin'")).toBe(1);
      expect(await count(db, 'SELECT count(*)::int AS n FROM users')).toBe(usersBefore);
      expect(await count(db, 'SELECT count(*)::int AS n FROM pats')).toBe(patsBefore);
      expect(readFileSync(join(server.dataDir, TOKEN_FILE), 'utf8')).toBe(fileBefore);
      expect(second.logs.some((line) => line.includes(TOKEN_FILE))).toBe(false);

      // Both instances serve the one admin from the shared database.
      const viaSecond = await me(second.tessera.url, server.adminToken);
      expect(viaSecond.status).toBe(200);
      expect(viaSecond.body).toMatchObject({ id: server.adminId, username: 'admin' });
    } finally {
      await closeHttp(second.tessera);
    }
    expect((await server.request('GET', '/api/v1/me', { token: server.adminToken })).status).toBe(200);
  });
});

describe('bootstrap when the data directory already holds a token file (PGlite, then PostgreSQL)', () => {
  it('never overwrites it: the new token goes to a new file, and the log says so', async () => {
    const dataDir = scratchDir();
    const earlier = join(dataDir, TOKEN_FILE);
    writeFileSync(earlier, 'tsr_the_pglite_databases_admin_token\n', { mode: 0o600 });
    const database = await createTestDatabase({ migrate: false });
    const started = await startInstance(database.db, dataDir);
    try {
      expect(readFileSync(earlier, 'utf8')).toBe('tsr_the_pglite_databases_admin_token\n');
      const renamed = join(dataDir, `${TOKEN_FILE}-2`);
      expect(statSync(renamed).mode & 0o777).toBe(0o600);
      const token = readFileSync(renamed, 'utf8').trim();
      expect((await me(started.tessera.url, token)).body.username).toBe('admin');
      const notice = started.logs.find((line) => line.includes('already exists'));
      expect(notice).toContain(renamed);
      expect(started.logs.find((line) => line.includes('tessera ready'))).toContain(renamed);
      for (const line of started.logs) expect(line).not.toContain(token);
    } finally {
      await closeHttp(started.tessera);
      await database.dispose();
    }
  });
});

describe('bootstrap when two instances start together on an empty database', () => {
  it('creates exactly one admin and one token file between them', async () => {
    const database = await createTestDatabase({ migrate: false });
    const dirs = [scratchDir(), scratchDir()];
    const started = await Promise.allSettled(dirs.map((dir) => startInstance(database.db, dir)));
    try {
      expect(started.map((r) => (r.status === 'fulfilled' ? 'started' : String(r.reason)))).toEqual([
        'started',
        'started',
      ]);
      const files = dirs.map((dir) => join(dir, TOKEN_FILE)).filter((file) => existsSync(file));
      expect(files).toHaveLength(1);
      expect(await count(database.db, 'SELECT count(*)::int AS n FROM users')).toBe(1);
      expect(await count(database.db, 'SELECT count(*)::int AS n FROM pats')).toBe(1);

      const token = readFileSync(files[0] as string, 'utf8').trim();
      for (const result of started) {
        if (result.status !== 'fulfilled') continue;
        const caller = await me(result.value.tessera.url, token);
        expect(caller.status).toBe(200);
        expect(caller.body.username).toBe('admin');
        for (const line of result.value.logs) expect(line).not.toContain(token);
      }
    } finally {
      for (const result of started) if (result.status === 'fulfilled') await closeHttp(result.value.tessera);
      await database.dispose();
    }
  });
});
