/**
 * Issue 6.2: two Tessera processes on one PostgreSQL database and one keys directory, started
 * at the same moment. Migrations and the bootstrap happen once; a revocation through A is seen
 * by B on its very next exchange; `tessera keys rotate` + SIGHUP is picked up by both while
 * exchanges flow, and every JWT from either verifies against either's JWKS throughout.
 *
 * The two instances get separate TESSERA_DATA_DIRs (on PostgreSQL the data dir only holds the
 * bootstrap token file): that way "written once" is observable, since exactly one of the two
 * dirs may end up with a `bootstrap-admin-token` (with a shared dir a second write of the same
 * file would go unnoticed). They share one issuer, as instances behind one load balancer do.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  decodeProtectedHeader,
  type JSONWebKeySet,
  jwtVerify,
} from 'jose';
import { MIGRATIONS_DIR } from '../../src/db/migrate.js';
import { type OwnPostgres, startOwnPostgres } from '../helpers/postgres.js';
import {
  call,
  createDatabase,
  createUserWithToken,
  exchange,
  runCliProcess,
  sql,
  startTesseraProcess,
  type TesseraProcess,
} from '../helpers/tessera-process.js';

const ISSUER = 'https://tessera.example';
const CONFIG = { database: { poolSize: 5 }, audit: { exchangeFlushMs: 0 } };

let postgres: OwnPostgres;
let databaseUrl: string;
let root: string;
let keysDir: string;
let a: TesseraProcess;
let b: TesseraProcess;
let adminToken: string;

beforeAll(async () => {
  postgres = startOwnPostgres();
  databaseUrl = await createDatabase(postgres.url, 'tessera');
  root = mkdtempSync(join(tmpdir(), 'tessera-instances-'));
  keysDir = join(root, 'keys');
  const start = (name: string) =>
    startTesseraProcess({
      databaseUrl,
      dataDir: join(root, name),
      keysDir,
      config: CONFIG,
      env: { TESSERA_ISSUER: ISSUER },
    });
  // Both at the same moment (allSettled rather than all, so that one failing to start does not
  // leave the other running unnoticed).
  const [startedA, startedB] = await Promise.allSettled([start('a'), start('b')]);
  if (startedA.status === 'fulfilled') a = startedA.value;
  if (startedB.status === 'fulfilled') b = startedB.value;
  if (startedA.status === 'rejected') throw startedA.reason;
  if (startedB.status === 'rejected') throw startedB.reason;
  adminToken = (a.adminToken ?? b.adminToken) as string;
}, 120_000);

afterAll(async () => {
  await Promise.all([a?.cleanup(), b?.cleanup()]);
  postgres?.destroy();
  if (root) rmSync(root, { recursive: true, force: true });
}, 90_000);

describe('two instances on one database', () => {
  it('apply each migration once, and bootstrap exactly one admin and one token file', async () => {
    const files = readdirSync(MIGRATIONS_DIR).filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f));
    const rows = await sql<{ version: number; name: string }>(
      databaseUrl,
      'SELECT version, name FROM schema_migrations ORDER BY version',
    );
    expect(rows.map((r) => r.name)).toEqual([...files].sort());
    // Each migration was applied by exactly one of the two processes (their logs say which).
    const appliedBy = [a, b].flatMap((p) =>
      p.logs().flatMap((line) => (line.msg === 'migrations applied' ? (line.applied as string[]) : [])),
    );
    expect([...appliedBy].sort()).toEqual([...files].sort());

    expect(await sql(databaseUrl, "SELECT id FROM users WHERE lower(username) = 'admin'")).toHaveLength(1);
    expect(await sql(databaseUrl, 'SELECT id FROM users')).toHaveLength(1);
    expect(await sql(databaseUrl, 'SELECT id FROM pats')).toHaveLength(1);
    const tokenFiles = [a, b].filter((p) => existsSync(join(p.dataDir, 'bootstrap-admin-token')));
    expect(tokenFiles).toHaveLength(1);
    expect([a.adminToken, b.adminToken].filter(Boolean)).toHaveLength(1);
    // One key set generated for the shared directory: a current and a next key.
    expect(readdirSync(keysDir).filter((f) => /^key-.*\.json$/.test(f))).toHaveLength(2);
    const [jwksA, jwksB] = await Promise.all([call(a.url, 'GET', '/jwks'), call(b.url, 'GET', '/jwks')]);
    expect(jwksA.body.keys.map((k: any) => k.kid).sort()).toEqual(
      jwksB.body.keys.map((k: any) => k.kid).sort(),
    );
    // The admin token works on both.
    for (const p of [a, b]) {
      expect((await call(p.url, 'GET', '/api/v1/me', { token: adminToken })).status).toBe(200);
    }
  }, 60_000);

  it('refuse a PAT revoked through A on its very next exchange at B', async () => {
    for (let i = 0; i < 5; i++) {
      const bob = await createUserWithToken(a.url, adminToken, `bob-${i}`, ['tessera:tokens', 'repo:read']);
      // B has seen the PAT work (any cache it had would now hold it).
      expect((await exchange(b.url, bob.token)).status).toBe(200);
      expect((await call(b.url, 'GET', '/api/v1/me', { token: bob.token })).status).toBe(200);

      const revoked = await call(a.url, 'POST', `/api/v1/tokens/${bob.patId}/revoke`, {
        token: bob.token,
        json: {},
      });
      expect(revoked.status).toBe(200);
      expect(revoked.body.status).toBe('revoked');

      const next = await exchange(b.url, bob.token);
      expect(next.status).toBe(400);
      expect(next.body.error).toBe('invalid_request');
      expect((await call(b.url, 'GET', '/api/v1/me', { token: bob.token })).status).toBe(401);
      expect((await exchange(a.url, bob.token)).status).toBe(400);
    }
  }, 60_000);

  it('pick up `tessera keys rotate` on SIGHUP; JWTs from either verify against either JWKS throughout', async () => {
    const pats = await Promise.all(
      [0, 1, 2, 3].map((i) => createUserWithToken(a.url, adminToken, `carol-${i}`, ['repo:read'])),
    );
    const jwksBefore = async (p: TesseraProcess) => (await call(p.url, 'GET', '/jwks')).body as JSONWebKeySet;
    const [beforeA, beforeB] = await Promise.all([jwksBefore(a), jwksBefore(b)]);
    const kidsBefore = beforeA.keys.map((k) => k.kid).sort();
    expect(beforeB.keys.map((k) => k.kid).sort()).toEqual(kidsBefore);

    // Remote JWKS sets as a downstream service holds them: fetched once, before the rotation,
    // and (with a long cooldown) never refetched. The fetches are counted.
    const fetches = { a: 0, b: 0 };
    const cachedSet = (p: TesseraProcess, name: 'a' | 'b') =>
      createRemoteJWKSet(new URL(`${p.url}/jwks`), {
        cooldownDuration: 600_000,
        cacheMaxAge: 600_000,
        [customFetch]: (...args: Parameters<typeof fetch>) => {
          fetches[name]++;
          return fetch(...args);
        },
      });
    const cachedA = cachedSet(a, 'a');
    const cachedB = cachedSet(b, 'b');
    const verifyOptions = { issuer: ISSUER, typ: 'at+jwt', algorithms: ['ES256'] };

    interface Issued {
      from: 'a' | 'b';
      status: number | null;
      jwt?: string;
      kid?: string;
      at: number;
    }
    const issued: Issued[] = [];
    let flowing = true;
    const loop = async (i: number) => {
      const pat = pats[i]?.token as string;
      for (let n = 0; flowing && n < 3000; n++) {
        const from = (n + i) % 2 ? 'a' : 'b';
        const outcome = await exchange(from === 'a' ? a.url : b.url, pat);
        const jwt = outcome.status === 200 ? (outcome.body.access_token as string) : undefined;
        issued.push({
          from,
          status: outcome.status,
          at: outcome.at,
          ...(jwt ? { jwt, kid: decodeProtectedHeader(jwt).kid as string } : {}),
        });
        await sleep(5);
      }
    };
    const loops = Promise.all([0, 1, 2, 3].map(loop));
    try {
      await sleep(300);
      const first = issued.find((x) => x.jwt) as Issued;
      const oldKid = first.kid as string;
      // Prime the cached sets with a pre-rotation JWT from each instance.
      for (const x of [
        issued.find((y) => y.from === 'a' && y.jwt),
        issued.find((y) => y.from === 'b' && y.jwt),
      ]) {
        await jwtVerify(x?.jwt as string, cachedA, verifyOptions);
        await jwtVerify(x?.jwt as string, cachedB, verifyOptions);
      }
      expect(fetches).toEqual({ a: 1, b: 1 });

      const rotated = await runCliProcess(['keys', 'rotate', '--json'], {
        TESSERA_KEYS_DIR: keysDir,
        TESSERA_CONFIG: a.configPath,
        TESSERA_DATA_DIR: join(root, 'cli'),
      });
      // (oidc-provider warns about Node 20 on stderr; nothing else may be there.)
      expect([rotated.code, rotated.stderr.replace(/^oidc-provider WARNING:.*\n/m, '')]).toEqual([0, '']);
      const keys = JSON.parse(rotated.stdout) as { kid: string; state: string }[];
      const newKid = keys.find((k) => k.state === 'current')?.kid as string;
      expect(keys.find((k) => k.kid === oldKid)?.state).toBe('retired');
      // The key that now signs was published (as next) before the rotation.
      expect(kidsBefore).toContain(newKid);

      const hupAt = performance.now();
      a.signal('SIGHUP');
      b.signal('SIGHUP');
      // Both pick it up: their JWTs are soon signed with the new key.
      const deadline = Date.now() + 10_000;
      const signsWithNew = (from: 'a' | 'b') =>
        issued.some((x) => x.from === from && x.at > hupAt && x.kid === newKid);
      while (!(signsWithNew('a') && signsWithNew('b')) && Date.now() < deadline) await sleep(50);
      expect([signsWithNew('a'), signsWithNew('b')]).toEqual([true, true]);
      const pickupMs = (from: 'a' | 'b') =>
        Math.round(
          Math.min(...issued.filter((x) => x.from === from && x.kid === newKid).map((x) => x.at)) - hupAt,
        );
      await sleep(500);
      flowing = false;
      await loops;

      // No exchange failed, before, during or after the rotation.
      expect(issued.filter((x) => x.status !== 200)).toEqual([]);
      const kids = new Set(issued.map((x) => `${x.from}:${x.kid}`));
      expect([...kids].sort()).toEqual([`a:${newKid}`, `a:${oldKid}`, `b:${newKid}`, `b:${oldKid}`].sort());

      // Both instances now publish the same set: the new next, the new current, the retired key.
      const [afterA, afterB] = await Promise.all([jwksBefore(a), jwksBefore(b)]);
      const kidsAfter = afterA.keys.map((k) => k.kid).sort();
      expect(afterB.keys.map((k) => k.kid).sort()).toEqual(kidsAfter);
      expect(kidsAfter).toEqual(keys.map((k) => k.kid).sort());
      expect(kidsAfter).toContain(oldKid);

      // Every JWT verifies against both instances' JWKS as cached before the rotation (the
      // new key was already published), and as fetched after it (the old one still is).
      const verifiers = {
        cachedA,
        cachedB,
        afterA: createLocalJWKSet(afterA),
        afterB: createLocalJWKSet(afterB),
        remoteA: createRemoteJWKSet(new URL(`${a.url}/jwks`)),
        remoteB: createRemoteJWKSet(new URL(`${b.url}/jwks`)),
      };
      const failures: string[] = [];
      for (const x of issued) {
        for (const [name, set] of Object.entries(verifiers)) {
          try {
            const { payload } = await jwtVerify(x.jwt as string, set, verifyOptions);
            if (payload.iss !== ISSUER) failures.push(`${x.from}/${x.kid} via ${name}: iss ${payload.iss}`);
          } catch (error) {
            failures.push(`${x.from}/${x.kid} via ${name}: ${(error as Error).message}`);
          }
        }
      }
      expect(failures.slice(0, 10)).toEqual([]);
      expect(fetches).toEqual({ a: 1, b: 1 });
      const after = issued.filter((x) => x.at > hupAt).length;
      console.log(
        `instances: ${issued.length} exchanges (${after} after SIGHUP), all 200; ${issued.length * 6} verifications, 0 failures; ` +
          `first JWT from the new key ${pickupMs('a')} ms (A) / ${pickupMs('b')} ms (B) after SIGHUP`,
      );
    } finally {
      flowing = false;
      await loops;
    }
  }, 120_000);
});
