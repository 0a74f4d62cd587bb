/**
 * Tessera against what a user would run instead (stock oidc-provider, client_credentials) and
 * against the machine's limit (bare node:http doing only the unavoidable work), one after
 * another with the same load, on one throwaway PostgreSQL. Ratios from the same run are the
 * result; absolute numbers drift on a shared 2-core machine. See bench/README.md.
 *   npm run bench         full (30 s per target)
 *   npm run bench:quick   quick (8 s per target, under 2 minutes)
 *   ... bench/run.ts --federated [--seconds N]   only the PAT and federated exchanges, side by side
 */
import { BASELINE_REQUEST, startBaseline } from './lib/baseline.js';
import { prepareFederation } from './lib/federation.js';
import { type LoadResult, measure } from './lib/load.js';
import { type ServerProcess, startServer } from './lib/processes.js';
import {
  createPats,
  exchangeForm,
  FORM,
  freshDatabase as freshDatabaseOn,
  startTesseraProcess,
} from './lib/tessera.js';
import { runScale } from './scale.js';

const quick = process.argv.includes('--quick');
/** The 1M-PAT scale part: in the full run, or alone with --scale. */
const scaleOnly = process.argv.includes('--scale');
/** Only the PAT exchange and the federated exchange, side by side (a short smoke run with --seconds). */
const federatedOnly = process.argv.includes('--federated');
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
    headers: spec.headers,
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
  await federatedAgainst(tessera.server, tessera.admin, t, load);
  if (federatedOnly) return;
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

const started: ServerProcess[] = [];
try {
  if (scaleOnly) await scale();
  else {
    if (!quick && !federatedOnly) await scale();
    await main();
  }
} finally {
  await Promise.all(started.map((server) => server.stop()));
}
