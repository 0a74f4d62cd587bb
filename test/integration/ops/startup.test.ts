/**
 * Start-up as an operator meets it: a taken port fails before the database is touched, and one
 * readable line says where the service is (its issuer, not the socket address), where the
 * console is and where the first admin token was written.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { testDatabaseUrl } from '../../helpers/database.js';
import {
  createDatabase,
  freePort,
  runCliProcess,
  sql,
  startTesseraProcess,
} from '../../helpers/tessera-process.js';

describe('a port already in use', () => {
  let squatter: Server;
  let port: number;
  let dataDir: string;
  beforeAll(async () => {
    squatter = createServer();
    await new Promise<void>((done) => squatter.listen(0, '127.0.0.1', done));
    port = (squatter.address() as AddressInfo).port;
    dataDir = mkdtempSync(join(tmpdir(), 'tessera-port-'));
  });
  afterAll(async () => {
    await new Promise((done) => squatter.close(done));
    rmSync(dataDir, { recursive: true, force: true });
  });

  const serveOn = (extra: Record<string, string> = {}) =>
    runCliProcess(['serve'], {
      PORT: String(port),
      HOST: '127.0.0.1',
      TESSERA_DATA_DIR: dataDir,
      TESSERA_KEYS_DIR: join(dataDir, 'keys'),
      ...extra,
    });

  // On the database this run tests: PostgreSQL under scripts/with-postgres.sh, else PGlite.
  it('exits 1 with a clear message and leaves the database untouched', async () => {
    const databaseUrl = testDatabaseUrl
      ? await createDatabase(testDatabaseUrl, `port_${randomBytes(4).toString('hex')}`)
      : undefined;
    const run = await serveOn(databaseUrl ? { DATABASE_URL: databaseUrl } : {});
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`cannot listen on 127.0.0.1:${port} (EADDRINUSE)`);
    // No PGlite directory, no bootstrap token, no keys: nothing was created.
    expect(readdirSync(dataDir)).toEqual([]);
    if (databaseUrl) {
      const tables = await sql(databaseUrl, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
      expect(tables).toEqual([]);
    }
  }, 60_000);
});

describe('the start line', () => {
  it('names the issuer (localhost, as configured), the console and the bootstrap token file', async () => {
    const port = await freePort();
    const issuer = `http://localhost:${port}`;
    const tessera = await startTesseraProcess({ port, env: { TESSERA_ISSUER: issuer } });
    try {
      const ready = tessera.logs().filter((line) => line.msg?.startsWith('tessera ready'));
      expect(ready).toHaveLength(1);
      const tokenFile = join(tessera.dataDir, 'bootstrap-admin-token');
      expect(existsSync(tokenFile)).toBe(true);
      expect(ready[0]).toMatchObject({
        msg: `tessera ready at ${issuer} (console ${issuer}/console; first admin token in ${tokenFile})`,
        issuer,
        console: `${issuer}/console`,
        bootstrapTokenFile: tokenFile,
        address: `127.0.0.1:${port}`,
      });
      // Nothing in the log offers the socket address as a URL to point clients at.
      expect(tessera.stdout()).not.toContain(`http://127.0.0.1:${port}`);
    } finally {
      await tessera.cleanup();
    }
  }, 90_000);
});

describe('a database that cannot be reached', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'tessera-nodb-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('exits 1 naming DATABASE_URL and the host, never the password, with no stack trace', async () => {
    // A port nothing listens on: freePort() closed it again.
    const dbPort = await freePort();
    const password = `pw-${randomBytes(6).toString('hex')}`;
    const run = await runCliProcess(['serve'], {
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      TESSERA_DATA_DIR: dataDir,
      TESSERA_KEYS_DIR: join(dataDir, 'keys'),
      DATABASE_URL: `postgres://tessera:${password}@127.0.0.1:${dbPort}/tessera`,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `cannot connect to the database at postgres://tessera@127.0.0.1:${dbPort}/tessera (DATABASE_URL): connect ECONNREFUSED`,
    );
    expect(run.stderr + run.stdout).not.toContain(password);
    expect(run.stderr).not.toMatch(/^\s+at .+:\d+/m);
  }, 60_000);
});
