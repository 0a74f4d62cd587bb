/**
 * Tessera against what a user would run instead (stock oidc-provider, client_credentials) and
 * against the machine's limit (bare node:http doing only the unavoidable work), one after
 * another with the same load, on one throwaway PostgreSQL. Ratios from the same run are the
 * result; absolute numbers drift on a shared 2-core machine. See bench/README.md.
 *   npm run bench         full (30 s per target)
 *   npm run bench:quick   quick (8 s per target, under 2 minutes)
 *   ... bench/run.ts --federated [--seconds N]   only the PAT and federated exchanges, side by side
 *   ... bench/run.ts --pat [--seconds N]         only the PAT exchange and the baseline (A/B runs)
 *   ... bench/run.ts --workers [--seconds N]     only `tessera serve --workers 1` against `--workers 2`
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASELINE_REQUEST, startBaseline } from './lib/baseline.js';
import { prepareDelegation } from './lib/delegation.js';
import { dpopProofs } from './lib/dpop.js';
import { prepareFederation } from './lib/federation.js';
import { type LoadResult, measure } from './lib/load.js';
import { type ServerProcess, startServer, treeCpuSeconds } from './lib/processes.js';
import {
  createPats,
  exchangeForm,
  FORM,
  freshDatabase as freshDatabaseOn,
  startTesseraProcess,
  startTesseraServe,
} from './lib/tessera.js';
import { runScale } from './scale.js';

const quick = process.argv.includes('--quick');
/** The 1M-PAT scale part: in the full run, or alone with --scale. */
const scaleOnly = process.argv.includes('--scale');
/** Only the PAT exchange and the federated exchange, side by side (a short smoke run with --seconds). */
const federatedOnly = process.argv.includes('--federated');
/** Only the PAT exchange and the baseline (A/B runs of one change). */
const patOnly = process.argv.includes('--pat');
/** Only `serve --workers 1` against `--workers 2`. */
const workersOnly = process.argv.includes('--workers');
const secondsArg = process.argv.indexOf('--seconds');
const SECONDS = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : quick ? 8 : 30;
const WARMUP = secondsArg > 0 ? 1 : quick ? 2 : 5;
const CONNECTIONS = 32;
/** Each server runs as one node process (tsx as a loader, not its wrapper process) so /proc shows its CPU. */
const NODE = process.execPath;
const script = (file: string) => ['--import', 'tsx', file];
const baseUrl = process.env.TESSERA_TEST_DATABASE_URL;
if (!baseUrl) throw new Error('run through scripts/with-postgres.sh (npm run bench does)');

interface Row extends LoadResult {
  target: string;
  cpuPer1000: number;
  peakRssMiB: number;
}
const rows: Row[] = [];

const freshDatabase = (name: string) => freshDatabaseOn(baseUrl as string, name);

async function loadAgainst(server: ServerProcess, target: string, spec: Parameters<typeof measure>[0]) {
  if (!started.includes(server)) started.push(server);
  const probe = await fetch(spec.url, {
    method: spec.method ?? 'GET',
    body: spec.body ?? spec.bodies?.[0],
    headers: { ...spec.headers, ...spec.perRequestHeaders?.() },
  });
  if (!probe.ok) throw new Error(`${target}: ${probe.status} ${await probe.text()}`);
  const cpuBefore = server.cpuSeconds();
  const result = await measure(spec);
  const cpu = server.cpuSeconds() - cpuBefore;
  const row = {
    target,
    ...result,
    cpuPer1000: (cpu / result.requests) * 1000,
    peakRssMiB: server.peakRssMiB(),
  };
  rows.push(row);
  console.error(
    `${target}: ${row.rps.toFixed(0)} req/s, p99 ${row.p99} ms, ${row.cpuPer1000.toFixed(3)} CPU s / 1000 req, ${row.non2xx} non-2xx`,
  );
  return row;
}

/** Starts Tessera and, on a fresh database, makes PATs to exchange (none otherwise). */
async function startTessera(name: string, port: number, databaseUrl: string | undefined, variant = 'full') {
  const { server, admin } = await startTesseraProcess(name, port, databaseUrl, variant);
  if (!admin) return { server, pats: [] as string[], admin: '' };
  return { server, pats: await createPats(server.url, admin), admin };
}

async function scale() {
  const load = { connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: WARMUP };
  const databaseUrl = await freshDatabase('tessera_scale');
  const tessera = await startTessera('tessera-scale', 4006, databaseUrl);
  started.push(tessera.server);
  const exchange = {
    url: `${tessera.server.url}/token`,
    bodies: tessera.pats.map(exchangeForm),
    headers: FORM,
  };
  const r = await runScale(tessera.server, databaseUrl, tessera.admin, exchange, load);
  await tessera.server.stop();
  console.log(
    `\nscale (${SECONDS} s per point): exchange ${r.rpsAt1k.toFixed(0)} req/s at ~1k PATs, ${r.rpsAt1M.toFixed(0)} req/s at ~1M (${(r.rpsAt1M / r.rpsAt1k).toFixed(2)}x)`,
  );
  console.log(
    `GET /api/v1/tokens over 10,000 PATs, ${r.pages} pages of 100, 3 passes: p50 ${r.pageP50.toFixed(1)} ms, p99 ${r.pageP99.toFixed(1)} ms, first page ${r.firstPageMs.toFixed(1)} ms, last page ${r.lastPageMs.toFixed(1)} ms`,
  );
}

/** The federated exchange on the same server as the PAT exchange `pat`, and its cost next to it. */
async function federatedAgainst(server: ServerProcess, admin: string, pat: Row, load: object) {
  const { bodies, issuer } = await prepareFederation(server.url, admin);
  try {
    const f = await loadAgainst(server, 'tessera federated exchange (PostgreSQL)', {
      ...(load as { connections: number; seconds: number; warmupSeconds: number }),
      url: `${server.url}/token`,
      method: 'POST',
      bodies,
      headers: FORM,
    });
    console.log(
      `federated exchange vs PAT exchange, same run: ${(f.rps / pat.rps).toFixed(2)}x the req/s, ${(f.cpuPer1000 / pat.cpuPer1000).toFixed(2)}x the CPU per request, p99 ${f.p99} vs ${pat.p99} ms`,
    );
    return f;
  } finally {
    await issuer.stop();
  }
}

/** `--pat`: the baseline right after the PAT exchange, and the one ratio. */
async function patAgainstBaseline(t: Row, load: object) {
  const baseline = await startBaseline(4001);
  const b = await loadAgainst(baseline, 'baseline (oidc-provider client_credentials)', {
    ...(load as { connections: number; seconds: number; warmupSeconds: number }),
    ...BASELINE_REQUEST,
    url: `${baseline.url}/token`,
  });
  await baseline.stop();
  console.log(
    JSON.stringify({
      tessera_rps: Math.round(t.rps),
      baseline_rps: Math.round(b.rps),
      ratio_baseline: Number((t.rps / b.rps).toFixed(2)),
      cpu_ratio: Number((t.cpuPer1000 / b.cpuPer1000).toFixed(2)),
      p99_ms: t.p99,
      baseline_p99_ms: b.p99,
    }),
  );
}

/** `part` next to the plain PAT exchange of the same run. */
function against(pat: Row, part: Row, what: string) {
  console.log(
    `${what} vs PAT exchange, same run: ${(part.rps / pat.rps).toFixed(2)}x the req/s, ${(part.cpuPer1000 / pat.cpuPer1000).toFixed(2)}x the CPU per request, p99 ${part.p99} vs ${pat.p99} ms`,
  );
}

/** Issue 21: the exchange with an actor_token (delegation) and with a DPoP proof, on the same server. */
async function delegationAndDpop(
  server: ServerProcess,
  admin: string,
  pat: Row,
  load: object,
  bodies: string[],
) {
  const spec = {
    ...(load as { connections: number; seconds: number; warmupSeconds: number }),
    method: 'POST' as const,
  };
  const actor = await loadAgainst(server, 'tessera exchange with actor_token', {
    ...spec,
    url: `${server.url}/token`,
    bodies: await prepareDelegation(server.url, admin),
    headers: FORM,
  });
  against(pat, actor, 'exchange with actor_token');
  const proofs = dpopProofs(`${server.url}/token`);
  const dpop = await loadAgainst(server, 'tessera exchange with DPoP proof', {
    ...spec,
    url: `${server.url}/token`,
    bodies,
    headers: FORM,
    perRequestHeaders: () => ({ dpop: proofs() }),
  });
  against(pat, dpop, 'exchange with DPoP proof');
}

/** CPU seconds of the whole PostgreSQL server (postmaster and backends), from with-postgres.sh's PG_DATA. */
function postgresCpu(): number {
  const dataDir = process.env.PG_DATA;
  if (!dataDir) return Number.NaN;
  const pid = Number(readFileSync(join(dataDir, 'db', 'postmaster.pid'), 'utf8').split('\n')[0]);
  return treeCpuSeconds(pid);
}

const benchCpu = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/**
 * `tessera serve --workers 1` against `--workers 2` (the real CLI, cluster primary included),
 * alternating; CPU per request of the server processes, and of the whole box's share (server +
 * PostgreSQL + the load generator in this process) which is what bounds throughput on N cores.
 */
async function workers(databaseUrl: string, bodies: string[], load: object, rounds: number) {
  const spec = {
    ...(load as { connections: number; seconds: number; warmupSeconds: number }),
    method: 'POST' as const,
  };
  const byCount = new Map<number, { rps: number[]; server: number[]; all: number[] }>();
  for (let round = 0; round < rounds; round++) {
    for (const count of [1, 2]) {
      const server = await startTesseraServe(`workers-${count}`, 4007 + count, databaseUrl, count);
      const pg0 = postgresCpu();
      const me0 = benchCpu();
      const row = await loadAgainst(server, `tessera serve --workers ${count}`, {
        ...spec,
        url: `${server.url}/token`,
        bodies,
        headers: FORM,
      });
      // The warm-up's requests are in the CPU deltas too: count them at the measured rate.
      const requests = row.requests * (1 + spec.warmupSeconds / spec.seconds);
      const all = ((postgresCpu() - pg0 + (benchCpu() - me0)) / requests) * 1000 + row.cpuPer1000;
      await server.stop();
      const entry = byCount.get(count) ?? { rps: [], server: [], all: [] };
      entry.rps.push(row.rps);
      entry.server.push(row.cpuPer1000);
      entry.all.push(all);
      byCount.set(count, entry);
    }
  }
  const one = byCount.get(1);
  const two = byCount.get(2);
  if (!one || !two) return;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  for (const [count, e] of byCount) {
    console.log(
      `--workers ${count}: ${e.rps.map((r) => r.toFixed(0)).join(', ')} req/s; CPU s / 1000 req: server ${mean(e.server).toFixed(3)}, server + PostgreSQL + load generator ${mean(e.all).toFixed(3)}`,
    );
  }
  const perRequest = mean(two.all) / 1000;
  console.log(
    `--workers 2 vs --workers 1, same run: ${(mean(two.rps) / mean(one.rps)).toFixed(2)}x the req/s; at ${(perRequest * 1000).toFixed(3)} CPU s per 1000 exchanges for everything, 8 cores bound ~${(8 / perRequest).toFixed(0)} req/s (server alone: ~${(8 / (mean(two.server) / 1000)).toFixed(0)} req/s with PostgreSQL and clients elsewhere)`,
  );
}

async function main() {
  const load = { connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: WARMUP };
  const databaseUrl = await freshDatabase('tessera_bench');

  const tessera = await startTessera('tessera', 4000, databaseUrl);
  const bodies = tessera.pats.map(exchangeForm);
  const t = await loadAgainst(tessera.server, 'tessera (PostgreSQL)', {
    ...load,
    url: `${tessera.server.url}/token`,
    method: 'POST',
    bodies,
    headers: FORM,
  });
  if (patOnly) return patAgainstBaseline(t, load);
  await federatedAgainst(tessera.server, tessera.admin, t, load);
  if (federatedOnly) return;
  await delegationAndDpop(tessera.server, tessera.admin, t, load, bodies);
  const jwks = await loadAgainst(tessera.server, 'tessera JWKS', {
    ...load,
    url: `${tessera.server.url}/jwks`,
  });
  await tessera.server.stop();

  const bare = await startTessera('tessera-no-audit', 4004, databaseUrl, 'no-audit');
  const n = await loadAgainst(bare.server, 'tessera without audit+usage', {
    ...load,
    url: `${bare.server.url}/token`,
    method: 'POST',
    bodies,
    headers: FORM,
  });
  await bare.server.stop();

  const baseline = await startBaseline(4001);
  const b = await loadAgainst(baseline, 'baseline (oidc-provider client_credentials)', {
    ...load,
    ...BASELINE_REQUEST,
    url: `${baseline.url}/token`,
  });
  await baseline.stop();

  const limit = await startServer(
    'limit',
    NODE,
    script('bench/limit-server.ts'),
    { PORT: '4002', DATABASE_URL: databaseUrl },
    'http://127.0.0.1:4002/healthz',
  );
  const l = await loadAgainst(limit, 'limit (node:http + pg + jose)', {
    ...load,
    url: `${limit.url}/token`,
    method: 'POST',
    bodies,
    headers: FORM,
  });
  await limit.stop();

  const hello = await startServer(
    'hello',
    NODE,
    script('bench/hello-server.ts'),
    { PORT: '4003' },
    'http://127.0.0.1:4003/',
  );
  const h = await loadAgainst(hello, 'koa hello-world', { ...load, url: `${hello.url}/` });
  await hello.stop();

  await workers(databaseUrl, bodies, load, quick ? 1 : 2);

  const embedded = await startTessera('tessera-pglite', 4005, undefined);
  await loadAgainst(embedded.server, 'tessera (PGlite)', {
    ...load,
    url: `${embedded.server.url}/token`,
    method: 'POST',
    bodies: embedded.pats.map(exchangeForm),
    headers: FORM,
  });
  await embedded.server.stop();

  console.log(
    `\nload: autocannon, ${CONNECTIONS} connections, ${WARMUP} s warm-up + ${SECONDS} s per target`,
  );
  console.log('target | req/s | p50 ms | p99 ms | CPU s / 1000 req | peak RSS MiB | non-2xx');
  for (const r of rows) {
    console.log(
      `${r.target} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.cpuPer1000.toFixed(3)} | ${r.peakRssMiB.toFixed(0)} | ${r.non2xx + r.errors}`,
    );
  }
  console.log(
    `audit + usage tracking cost: tessera at ${(t.rps / n.rps).toFixed(2)}x of itself without them`,
  );
  console.log(`JWKS vs Koa hello-world: ${(jwks.rps / h.rps).toFixed(2)}x`);
  console.log(
    JSON.stringify({
      tessera_rps: Math.round(t.rps),
      baseline_rps: Math.round(b.rps),
      limit_rps: Math.round(l.rps),
      ratio_baseline: Number((t.rps / b.rps).toFixed(2)),
      ratio_limit: Number((t.rps / l.rps).toFixed(2)),
      p99_ms: t.p99,
    }),
  );
}

/** `--workers`: PATs made through one start of the service, then the comparison alone. */
async function workersAlone() {
  const load = { connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: WARMUP };
  const databaseUrl = await freshDatabase('tessera_workers');
  const tessera = await startTessera('tessera-setup', 4000, databaseUrl);
  await tessera.server.stop();
  await workers(databaseUrl, tessera.pats.map(exchangeForm), load, 2);
}

const started: ServerProcess[] = [];
try {
  if (scaleOnly) await scale();
  else if (workersOnly) await workersAlone();
  else {
    if (!quick && !federatedOnly) await scale();
    await main();
  }
} finally {
  await Promise.all(started.map((server) => server.stop()));
}
