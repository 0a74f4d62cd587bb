/**
 * Soak (issue 6, point 5; a script, not CI): mixed traffic at concurrency 32 against the real
 * service on PostgreSQL for 10 minutes, checking every answer against what the soak itself did,
 * and watching the server's memory and its database connections. See bench/README.md, "Soak".
 *   npm run bench:soak                    10 minutes
 *   npm run bench:soak -- --minutes 1     a quick check
 * Prints one JSON summary line last; exits 1 on any 5xx or unanswered request, any unexpected
 * 4xx, RSS growth of 10 % or more after the warm-up, or any growth in database connections.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { ServerProcess } from './lib/processes.js';
import { exchangeForm, freshDatabase, startTesseraProcess } from './lib/tessera.js';

const minutesArg = process.argv.indexOf('--minutes');
const MINUTES = minutesArg > 0 ? Number(process.argv[minutesArg + 1]) : 10;
if (!(MINUTES > 0)) throw new Error('--minutes expects a positive number');
const DURATION_MS = MINUTES * 60_000;
/** RSS and connections are compared from here on: a minute, or 20 % of a shorter run. */
const WARMUP_MS = Math.min(60_000, DURATION_MS * 0.2);
const CONCURRENCY = 32;
const SAMPLE_MS = 5000;
const USERS = 16;
const SEED_TOKENS_PER_USER = 8;
const DATABASE = 'tessera_soak';
/** Weighted mix of operations (per cent). */
const MIX = { exchange: 70, create: 10, list: 15, revoke: 5 } as const;
type Operation = keyof typeof MIX;

const baseUrl = process.env.TESSERA_TEST_DATABASE_URL;
if (!baseUrl) throw new Error('run through scripts/with-postgres.sh (npm run bench:soak does)');

// ---------------------------------------------------------------------------------------------
// HTTP: one keep-alive agent for the 32 workers, answers parsed as JSON when they are.

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
let origin = '';

interface Answer {
  /** The HTTP status, or 0 when no answer came (connection error, timeout). */
  status: number;
  body: any;
}

function call(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request(
      `${origin}${path}`,
      {
        method,
        agent,
        timeout: 30_000,
        headers:
          body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {}
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', () => resolve({ status: 0, body: 'response error' }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error) => resolve({ status: 0, body: error.message }));
    req.end(body);
  });
}

const api = (method: string, path: string, token: string, body?: unknown) =>
  call(
    method,
    path,
    {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body === undefined ? undefined : JSON.stringify(body),
  );

// ---------------------------------------------------------------------------------------------
// What the soak knows: its users, and each PAT it made with what it did to it.

interface User {
  id: string;
  /** A PAT with `tessera:tokens`, for the user's own API calls (never revoked). */
  manager: string;
}

interface Pat {
  id: string;
  token: string;
  user: User;
  /** `revoking` from the moment the revoke is sent until its 200 arrives. */
  state: 'active' | 'revoking' | 'revoked';
}

const users: User[] = [];
const active: Pat[] = [];
const revoked: Pat[] = [];

const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)] as T;

function removeFrom(list: Pat[], pat: Pat) {
  const at = list.indexOf(pat);
  if (at >= 0) {
    list[at] = list[list.length - 1] as Pat;
    list.pop();
  }
}

// ---------------------------------------------------------------------------------------------
// Counts: per operation and status, and what was not expected.

const counts = new Map<string, number>();
let requests = 0;
let serverErrors = 0;
let unexpected4xx = 0;
const surprises: string[] = [];

function tally(operation: string, answer: Answer, expected: (status: number) => boolean) {
  requests++;
  const key = `${operation} ${answer.status || 'no answer'}`;
  counts.set(key, (counts.get(key) ?? 0) + 1);
  if (expected(answer.status)) return;
  if (answer.status >= 500 || answer.status === 0) serverErrors++;
  else unexpected4xx++;
  if (surprises.length < 20) {
    surprises.push(`${key}: ${JSON.stringify(answer.body).slice(0, 200)}`);
  }
}

const is =
  (...statuses: number[]) =>
  (status: number) =>
    statuses.includes(status);

// ---------------------------------------------------------------------------------------------
// The operations.

async function exchange() {
  // Mostly PATs the soak left active; one in ten from those it revoked, which must be refused.
  const pat = revoked.length > 0 && Math.random() < 0.1 ? pick(revoked) : pick(active);
  const before = pat.state;
  const answer = await call(
    'POST',
    '/token',
    { 'content-type': 'application/x-www-form-urlencoded' },
    exchangeForm(pat.token),
  );
  const after = pat.state;
  // A revoke racing with the exchange makes either answer right; otherwise exactly one is.
  const expected =
    before === 'active' && after === 'active'
      ? is(200)
      : before === 'revoked'
        ? (status: number) => status === 400 && answer.body?.error === 'invalid_request'
        : is(200, 400);
  tally('exchange', answer, expected);
}

let created = 0;
async function create() {
  const user = pick(users);
  const answer = await api('POST', '/api/v1/tokens', user.manager, {
    name: `soak-${++created}`,
    scopes: ['repo:read'],
  });
  tally('create', answer, is(201));
  if (answer.status === 201) {
    active.push({ id: answer.body.id, token: answer.body.token, user, state: 'active' });
  }
}

async function list() {
  // A user's PATs, a page of 50 at a time, following next_cursor for up to three pages.
  const user = pick(users);
  let cursor: string | null = null;
  for (let page = 0; page < 3; page++) {
    const answer = await api(
      'GET',
      `/api/v1/tokens?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      user.manager,
    );
    tally('list', answer, (status) => status === 200 && Array.isArray(answer.body?.items));
    cursor = answer.status === 200 ? (answer.body.next_cursor ?? null) : null;
    if (!cursor) break;
  }
}

async function revoke() {
  // Keep a working pool: revoke only while more than a handful stay active.
  if (active.length <= USERS * 2) return exchange();
  const pat = pick(active);
  removeFrom(active, pat);
  pat.state = 'revoking';
  const answer = await api('POST', `/api/v1/tokens/${pat.id}/revoke`, pat.user.manager, {});
  tally('revoke', answer, is(200));
  if (answer.status === 200) {
    pat.state = 'revoked';
    revoked.push(pat);
  } else {
    // Unknown outcome: leave it out of both pools so that no later answer is misjudged.
    pat.state = 'revoking';
  }
}

const operations: Record<Operation, () => Promise<void>> = { exchange, create, list, revoke };
const wheel: Operation[] = (Object.entries(MIX) as [Operation, number][]).flatMap(([op, weight]) =>
  Array(weight).fill(op),
);

// ---------------------------------------------------------------------------------------------
// Setup: a fresh database, the server as its own process, users and PATs.

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function startTessera(databaseUrl: string): Promise<{ server: ServerProcess; admin: string }> {
  const { server, admin } = await startTesseraProcess('tessera-soak', await freePort(), databaseUrl);
  if (!admin) throw new Error('the soak needs a fresh database');
  return { server, admin };
}

async function setUp(admin: string) {
  const run = `${Date.now().toString(36)}`;
  for (let i = 0; i < USERS; i++) {
    const user = await api('POST', '/api/v1/users', admin, {
      username: `soak-${run}-${i}`,
      entitlements: ['repo:read', 'repo:write', 'tessera:tokens'],
    });
    if (user.status !== 201) throw new Error(`setup: user ${user.status} ${JSON.stringify(user.body)}`);
    const manager = await api('POST', `/api/v1/users/${user.body.id}/tokens`, admin, {
      name: 'soak manager',
      scopes: ['tessera:tokens'],
    });
    if (manager.status !== 201) throw new Error(`setup: manager ${manager.status}`);
    const owner: User = { id: user.body.id, manager: manager.body.token };
    users.push(owner);
    for (let j = 0; j < SEED_TOKENS_PER_USER; j++) {
      const pat = await api('POST', `/api/v1/users/${owner.id}/tokens`, admin, {
        name: `seed-${j}`,
        scopes: ['repo:read'],
      });
      if (pat.status !== 201) throw new Error(`setup: token ${pat.status}`);
      active.push({ id: pat.body.id, token: pat.body.token, user: owner, state: 'active' });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Samples: the server's RSS from /proc, its database connections from pg_stat_activity.

interface Sample {
  atMs: number;
  rssMiB: number;
  connections: number;
}

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : 0;
}

async function connectionsTo(monitor: pg.Client): Promise<number> {
  const { rows } = await monitor.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
    [DATABASE],
  );
  return rows[0]?.n ?? 0;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const databaseUrl = await freshDatabase(baseUrl as string, DATABASE);
  const { server, admin } = await startTessera(databaseUrl);
  const monitor = new pg.Client({ connectionString: baseUrl });
  try {
    origin = server.url;
    await monitor.connect();
    await setUp(admin);
    const pid = server.child.pid as number;
    console.error(
      `soak: ${MINUTES} min at c=${CONCURRENCY} against ${origin} (pid ${pid}), ${users.length} users, ${active.length} PATs; warm-up ${WARMUP_MS / 1000} s`,
    );

    const samples: Sample[] = [];
    const started = Date.now();
    const deadline = started + DURATION_MS;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        samples.push({
          atMs: Date.now() - started,
          rssMiB: rssMiB(pid),
          connections: await connectionsTo(monitor),
        });
        const last = samples.at(-1) as Sample;
        if (samples.length % 6 === 1) {
          const seconds = (Date.now() - started) / 1000;
          console.error(
            `  ${seconds.toFixed(0)} s: ${requests} requests (${(requests / Math.max(1, seconds)).toFixed(0)}/s), RSS ${last.rssMiB.toFixed(1)} MiB, ${last.connections} db connections, ${serverErrors} 5xx, ${unexpected4xx} unexpected 4xx`,
          );
        }
        await sleep(SAMPLE_MS);
      }
    })();

    const worker = async () => {
      while (Date.now() < deadline) await operations[pick(wheel)]();
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const elapsed = (Date.now() - started) / 1000;
    sampling = false;
    await sampler;
    if (server.child.exitCode !== null) {
      serverErrors++;
      surprises.push(`the server exited with ${server.child.exitCode}`);
    }

    // RSS: the peak of the first quarter after the warm-up against the peak of the last quarter.
    // Single samples swing by a third with the garbage collector's cycle (a sample taken right
    // after a major GC is a trough); the peaks track the heap's high-water mark, which a leak raises.
    const afterWarmup = samples.filter((s) => s.atMs >= WARMUP_MS);
    const quarter = Math.max(1, Math.floor(afterWarmup.length / 4));
    const baseline = Math.max(...afterWarmup.slice(0, quarter).map((s) => s.rssMiB));
    const final = Math.max(...afterWarmup.slice(-quarter).map((s) => s.rssMiB));
    const rssGrowthPct = baseline > 0 ? ((final - baseline) / baseline) * 100 : 0;
    // Connections: the most seen after the warm-up against the most seen during it.
    const warmupMax = Math.max(0, ...samples.filter((s) => s.atMs < WARMUP_MS).map((s) => s.connections));
    const laterMax = Math.max(0, ...afterWarmup.map((s) => s.connections));
    const connectionsMax = Math.max(warmupMax, laterMax);
    const connectionsGrowth = Math.max(0, laterMax - warmupMax);

    console.error('\noperation status | count');
    for (const [key, n] of [...counts.entries()].sort()) console.error(`${key} | ${n}`);
    console.error(
      `PATs: ${active.length} active, ${revoked.length} revoked by the soak; RSS ${samples[0]?.rssMiB.toFixed(1)} MiB at start, ${baseline.toFixed(1)} peak in the first quarter after warm-up, ${final.toFixed(1)} peak in the last quarter (${samples.length} samples)`,
    );
    for (const surprise of surprises) console.error(`unexpected: ${surprise}`);

    const summary = {
      minutes: MINUTES,
      requests,
      rps: Math.round(requests / elapsed),
      server_errors: serverErrors,
      unexpected_4xx: unexpected4xx,
      rss_growth_pct: Number(rssGrowthPct.toFixed(1)),
      db_connections_max: connectionsMax,
      db_connections_growth: connectionsGrowth,
    };
    console.log(JSON.stringify(summary));
    const failed =
      serverErrors > 0 ||
      unexpected4xx > 0 ||
      rssGrowthPct >= 10 ||
      connectionsGrowth > 0 ||
      afterWarmup.length < 3;
    return failed ? 1 : 0;
  } finally {
    agent.destroy();
    await server.stop();
    await monitor.end().catch(() => {});
  }
}

process.exitCode = await main();
