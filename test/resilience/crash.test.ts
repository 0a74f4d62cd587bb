/**
 * Issue 6.4: `kill -9` during a burst of token creations, on PostgreSQL and on the embedded
 * PGlite data dir. After a restart on the same database, every PAT whose 201 was received
 * exists and works, no PAT exists without its `pat.created` audit row, and (PGlite) the data
 * dir, whose lock file the killed process left behind, opens cleanly.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from '@jest/globals';
import { openPgliteDatabase } from '../../src/db/pglite.js';
import type { Queryable } from '../../src/db/queryable.js';
import { type OwnPostgres, startOwnPostgres } from '../helpers/postgres.js';
import {
  call,
  createDatabase,
  createUserWithToken,
  exchange,
  sql,
  startTesseraProcess,
  type TesseraProcess,
} from '../helpers/tessera-process.js';

const LOOPS = 20;
/** kill -9 once this many creations were acknowledged (with ~20 more in flight). */
const KILL_AFTER = 200;

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => {});
}, 60_000);

interface Acknowledged {
  id: string;
  token: string;
  name: string;
}

/** ~20 loops creating PATs until the process dies; returns every 201 received. */
async function burstUntilKilled(tessera: TesseraProcess, ownerToken: string) {
  const acknowledged: Acknowledged[] = [];
  const statuses: Record<string, number> = {};
  const deadline = Date.now() + 60_000;
  let seq = 0;
  const loop = async () => {
    for (let n = 0; n < 1000 && Date.now() < deadline; n++) {
      const name = `burst-${++seq}`;
      const outcome = await call(tessera.url, 'POST', '/api/v1/tokens', {
        token: ownerToken,
        json: { name, scopes: ['repo:read'] },
      });
      const key = outcome.error ?? String(outcome.status);
      statuses[key] = (statuses[key] ?? 0) + 1;
      if (outcome.status === 201) acknowledged.push({ id: outcome.body.id, token: outcome.body.token, name });
      if (outcome.error) return;
    }
  };
  const loops = Promise.all(Array.from({ length: LOOPS }, loop));
  // Kill mid-burst: once creations are flowing steadily.
  const waitUntil = Date.now() + 30_000;
  while (acknowledged.length < KILL_AFTER && Date.now() < waitUntil) await sleep(20);
  const exit = await tessera.kill9();
  await loops;
  return { acknowledged, statuses, exit, attempted: seq };
}

/** Every acknowledged PAT can be read by its owner and exchanged. */
async function checkAcknowledged(tessera: TesseraProcess, ownerToken: string, acknowledged: Acknowledged[]) {
  const missing: string[] = [];
  const broken: string[] = [];
  for (const pat of acknowledged) {
    const shown = await call(tessera.url, 'GET', `/api/v1/tokens/${pat.id}`, { token: ownerToken });
    if (shown.status !== 200 || shown.body.name !== pat.name || shown.body.status !== 'active') {
      missing.push(`${pat.id} (${pat.name}): ${shown.status}`);
      continue;
    }
    const exchanged = await exchange(tessera.url, pat.token);
    if (exchanged.status !== 200) broken.push(`${pat.id}: exchange ${exchanged.status}`);
  }
  return { missing, broken };
}

/** PATs without their creation audit row, and creation rows without their PAT. */
async function auditGaps(q: Queryable) {
  const unaudited = await q.query<{ id: string }>(
    `SELECT p.id FROM pats p WHERE NOT EXISTS (
       SELECT 1 FROM audit_events a WHERE a.pat_id = p.id AND a.action = 'pat.created')`,
  );
  const orphans = await q.query<{ pat_id: string }>(
    `SELECT a.pat_id FROM audit_events a
      WHERE a.action = 'pat.created' AND NOT EXISTS (SELECT 1 FROM pats p WHERE p.id = a.pat_id)`,
  );
  const burst = await q.query<{ n: number }>("SELECT count(*)::int AS n FROM pats WHERE name LIKE 'burst-%'");
  return {
    unaudited: unaudited.rows.map((r) => r.id),
    orphans: orphans.rows.map((r) => r.pat_id),
    stored: burst.rows[0]?.n ?? 0,
  };
}

/** A `Queryable` over short-lived `pg` connections. */
const pgQueryable = (url: string): Queryable => ({
  query: async <Row>(text: string, params: readonly unknown[] = []) => {
    const rows = await sql<Row>(url, text, [...params]);
    return { rows, rowCount: rows.length };
  },
  exec: async (text: string) => {
    await sql(url, text);
  },
});

describe('kill -9 during a burst of token creations', () => {
  it('loses no acknowledged PAT on PostgreSQL', async () => {
    const postgres: OwnPostgres = startOwnPostgres();
    cleanups.push(() => postgres.destroy());
    const databaseUrl = await createDatabase(postgres.url, 'tessera');
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-crash-pg-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));

    const first = await startTesseraProcess({ databaseUrl, dataDir });
    cleanups.push(() => first.cleanup());
    const owner = await createUserWithToken(first.url, first.adminToken as string, 'burster', [
      'tessera:tokens',
      'repo:read',
    ]);
    const burst = await burstUntilKilled(first, owner.token);
    expect(burst.exit.signal).toBe('SIGKILL');

    const second = await startTesseraProcess({ databaseUrl, dataDir });
    cleanups.push(() => second.cleanup());
    const { missing, broken } = await checkAcknowledged(second, owner.token, burst.acknowledged);
    const gaps = await auditGaps(pgQueryable(databaseUrl));
    console.log(
      `crash (PostgreSQL): ${burst.attempted} creations attempted, ${burst.acknowledged.length} x 201 before kill -9 ` +
        `(${JSON.stringify(burst.statuses)}); after restart: ${gaps.stored} stored, ${missing.length} acknowledged missing, ` +
        `${broken.length} not exchangeable, ${gaps.unaudited.length} without audit row, ${gaps.orphans.length} orphan audit rows`,
    );
    expect(burst.acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(missing).toEqual([]);
    expect(broken).toEqual([]);
    expect(gaps.unaudited).toEqual([]);
    expect(gaps.orphans).toEqual([]);
    // At most the creations in flight at the kill committed without their 201 reaching us.
    expect(gaps.stored).toBeGreaterThanOrEqual(burst.acknowledged.length);
    expect(gaps.stored).toBeLessThanOrEqual(burst.acknowledged.length + LOOPS);
    expect((await second.stop()).code).toBe(0);
  }, 120_000);

  it('loses no acknowledged PAT on the embedded PGlite data dir, which then opens cleanly', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-crash-pglite-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const lockFile = join(dataDir, 'pglite.lock');

    const first = await startTesseraProcess({ dataDir });
    cleanups.push(() => first.cleanup());
    expect(readFileSync(lockFile, 'utf8').trim()).toBe(String(first.pid));
    const owner = await createUserWithToken(first.url, first.adminToken as string, 'burster', [
      'tessera:tokens',
      'repo:read',
    ]);
    const burst = await burstUntilKilled(first, owner.token);
    expect(burst.exit.signal).toBe('SIGKILL');
    // The killed process could not remove its lock: the next start must take it over.
    expect(readFileSync(lockFile, 'utf8').trim()).toBe(String(first.pid));

    const second = await startTesseraProcess({ dataDir });
    cleanups.push(() => second.cleanup());
    expect(readFileSync(lockFile, 'utf8').trim()).toBe(String(second.pid));
    const { missing, broken } = await checkAcknowledged(second, owner.token, burst.acknowledged);
    const stopped = await second.stop();
    expect(stopped.code).toBe(0);
    expect(existsSync(lockFile)).toBe(false);

    // The data dir opens cleanly in another process (this one) and is consistent.
    const opened = performance.now();
    const db = await openPgliteDatabase(join(dataDir, 'pglite'));
    const openMs = Math.round(performance.now() - opened);
    let gaps: Awaited<ReturnType<typeof auditGaps>>;
    try {
      gaps = await auditGaps(db);
      const check = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM pats');
      expect(check.rows[0]?.n).toBeGreaterThan(0);
    } finally {
      await db.close();
    }
    console.log(
      `crash (PGlite): ${burst.attempted} creations attempted, ${burst.acknowledged.length} x 201 before kill -9 ` +
        `(${JSON.stringify(burst.statuses)}); after restart: ${gaps.stored} stored, ${missing.length} acknowledged missing, ` +
        `${broken.length} not exchangeable, ${gaps.unaudited.length} without audit row, ${gaps.orphans.length} orphan audit rows; ` +
        `data dir reopened in ${openMs} ms`,
    );
    expect(burst.acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(missing).toEqual([]);
    expect(broken).toEqual([]);
    expect(gaps.unaudited).toEqual([]);
    expect(gaps.orphans).toEqual([]);
    expect(gaps.stored).toBeGreaterThanOrEqual(burst.acknowledged.length);
    expect(gaps.stored).toBeLessThanOrEqual(burst.acknowledged.length + LOOPS);
  }, 180_000);
});
