/**
 * Soak (issue 6, point 5; a script, not CI): mixed traffic at concurrency 32 against the real
 * service on PostgreSQL for 10 minutes, checking every answer against what the soak itself did,
 * and watching the server's memory and its database connections. See bench/README.md, "Soak".
 *   npm run bench:soak                    10 minutes
 *   npm run bench:soak -- --minutes 1     a quick check
 * Prints one JSON summary line last; exits 1 on any 5xx or unanswered request, any unexpected
 * 4xx, RSS growth of 10 % or more after the warm-up, or any growth in database connections.
 */
import pg from 'pg';
import { freePort } from './lib/processes.js';
import { freshDatabase, startTesseraProcess } from './lib/tessera.js';
import { createClient } from './soak/client.js';
import { type Growth, growth, type Sample, startSampling } from './soak/samples.js';
import { Tally } from './soak/tally.js';
import { Traffic } from './soak/traffic.js';

const minutesArg = process.argv.indexOf('--minutes');
const MINUTES = minutesArg > 0 ? Number(process.argv[minutesArg + 1]) : 10;
if (!(MINUTES > 0)) throw new Error('--minutes expects a positive number');
const DURATION_MS = MINUTES * 60_000;
/** RSS and connections are compared from here on: a minute, or 20 % of a shorter run. */
const WARMUP_MS = Math.min(60_000, DURATION_MS * 0.2);
const CONCURRENCY = 32;
const SAMPLE_MS = 5000;
const DATABASE = 'tessera_soak';

const baseUrl = process.env.TESSERA_TEST_DATABASE_URL;
if (!baseUrl) throw new Error('run through scripts/with-postgres.sh (npm run bench:soak does)');

/** Every sixth sample, a progress line on stderr. */
function progress(tally: Tally, started: number) {
  return (sample: Sample, count: number) => {
    if (count % 6 !== 1) return;
    const seconds = (Date.now() - started) / 1000;
    console.error(
      `  ${seconds.toFixed(0)} s: ${tally.requests} requests (${(tally.requests / Math.max(1, seconds)).toFixed(0)}/s), RSS ${sample.rssMiB.toFixed(1)} MiB, ${sample.connections} db connections, ${tally.serverErrors} 5xx, ${tally.unexpected4xx} unexpected 4xx`,
    );
  };
}

function report(tally: Tally, traffic: Traffic, samples: Sample[], g: Growth, elapsedSeconds: number) {
  console.error('\noperation status | count');
  for (const [key, n] of [...tally.counts.entries()].sort()) console.error(`${key} | ${n}`);
  console.error(
    `PATs: ${traffic.active.length} active, ${traffic.revoked.length} revoked by the soak; RSS ${samples[0]?.rssMiB.toFixed(1)} MiB at start, ${g.rssFirstMiB.toFixed(1)} peak in the first quarter after warm-up, ${g.rssLastMiB.toFixed(1)} peak in the last quarter (${samples.length} samples)`,
  );
  for (const surprise of tally.surprises) console.error(`unexpected: ${surprise}`);
  console.log(
    JSON.stringify({
      minutes: MINUTES,
      requests: tally.requests,
      rps: Math.round(tally.requests / elapsedSeconds),
      server_errors: tally.serverErrors,
      unexpected_4xx: tally.unexpected4xx,
      rss_growth_pct: Number(g.rssGrowthPct.toFixed(1)),
      db_connections_max: g.connectionsMax,
      db_connections_growth: g.connectionsGrowth,
    }),
  );
}

async function main(): Promise<number> {
  const databaseUrl = await freshDatabase(baseUrl as string, DATABASE);
  const { server, admin } = await startTesseraProcess('tessera-soak', await freePort(), databaseUrl);
  if (!admin) throw new Error('the soak needs a fresh database');
  const client = createClient(server.url, CONCURRENCY);
  const monitor = new pg.Client({ connectionString: baseUrl });
  try {
    await monitor.connect();
    const tally = new Tally();
    const traffic = new Traffic(client, tally);
    await traffic.setUp(admin);
    const pid = server.child.pid as number;
    console.error(
      `soak: ${MINUTES} min at c=${CONCURRENCY} against ${server.url} (pid ${pid}), ${traffic.users.length} users, ${traffic.active.length} PATs; warm-up ${WARMUP_MS / 1000} s`,
    );

    const started = Date.now();
    const sampling = startSampling(pid, monitor, DATABASE, SAMPLE_MS, progress(tally, started));
    const worker = async () => {
      while (Date.now() < started + DURATION_MS) await traffic.step();
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const elapsedSeconds = (Date.now() - started) / 1000;
    const samples = await sampling.stop();
    if (server.child.exitCode !== null) tally.fail(`the server exited with ${server.child.exitCode}`);

    const g = growth(samples, WARMUP_MS);
    report(tally, traffic, samples, g, elapsedSeconds);
    const failed =
      tally.serverErrors > 0 ||
      tally.unexpected4xx > 0 ||
      g.rssGrowthPct >= 10 ||
      g.connectionsGrowth > 0 ||
      g.samplesAfterWarmup < 3;
    return failed ? 1 : 0;
  } finally {
    client.close();
    await server.stop();
    await monitor.end().catch(() => {});
  }
}

process.exitCode = await main();
