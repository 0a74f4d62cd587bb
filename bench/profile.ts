/**
 * Where an exchange's CPU goes, against the baseline's: runs Tessera (PostgreSQL) and the
 * baseline one after another under `node --cpu-prof` with the bench's load, then prints the
 * main thread's time per request by owner (npm package, Tessera module, garbage collector,
 * socket writes, idle). The profiler slows both down, so read the differences, not the totals.
 *   npm run bench:profile              10 s of load each
 *   npm run bench:profile -- --seconds 20
 *   npm run bench:profile -- --federated   the federated exchange against the PAT exchange instead
 *   npm run bench:profile -- --dpop        the PAT exchange with a DPoP proof against the plain one
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASELINE_REQUEST, startBaseline } from './lib/baseline.js';
import { mainThreadProfile, monotonicMicros, timeByOwner } from './lib/cpu-profile.js';
import { dpopProofs } from './lib/dpop.js';
import { prepareFederation } from './lib/federation.js';
import { type LoadSpec, measure } from './lib/load.js';
import type { ServerProcess } from './lib/processes.js';
import { createPats, exchangeForm, FORM, freshDatabase, startTesseraProcess } from './lib/tessera.js';

const at = process.argv.indexOf('--seconds');
const SECONDS = at > 0 ? Number(process.argv[at + 1]) : 10;
const baseUrl = process.env.TESSERA_TEST_DATABASE_URL;
if (!baseUrl) throw new Error('run through scripts/with-postgres.sh (npm run bench:profile does)');
const dir = mkdtempSync(join(tmpdir(), 'tessera-profile-'));

/** Loads `server` (after a 2 s warm-up) and returns µs per request by owner, from its profile. */
async function profileUnderLoad(server: ServerProcess, profileDir: string, spec: Omit<LoadSpec, 'seconds'>) {
  await measure({ ...spec, seconds: 2, warmupSeconds: 0 });
  const from = monotonicMicros();
  const result = await measure({ ...spec, seconds: SECONDS, warmupSeconds: 0 });
  const to = monotonicMicros();
  await server.stop(); // SIGTERM: the process exits and writes its profile
  const owners = timeByOwner(mainThreadProfile(profileDir), from, to);
  for (const [owner, micros] of owners) owners.set(owner, micros / result.requests);
  console.error(`${server.name}: ${result.rps.toFixed(0)} req/s under the profiler`);
  return owners;
}

const load = { connections: 32, warmupSeconds: 0, method: 'POST' as const, headers: FORM };
const databaseUrl = await freshDatabase(baseUrl, 'tessera_profile');
const tesseraDir = join(dir, 'tessera');
const { server, admin } = await startTesseraProcess('tessera', 4010, databaseUrl, 'full', [
  '--cpu-prof',
  `--cpu-prof-dir=${tesseraDir}`,
]);
const pats = await createPats(server.url, admin as string);
const tessera = await profileUnderLoad(server, tesseraDir, {
  ...load,
  url: `${server.url}/token`,
  bodies: pats.map(exchangeForm),
});

/** The same PAT exchange, each request with a fresh DPoP proof (--dpop). */
async function dpopExchange(): Promise<Map<string, number>> {
  const dpopDir = join(dir, 'dpop');
  const started = await startTesseraProcess('tessera-dpop', 4013, databaseUrl, 'full', [
    '--cpu-prof',
    `--cpu-prof-dir=${dpopDir}`,
  ]);
  const proofs = dpopProofs(`${started.server.url}/token`);
  return profileUnderLoad(started.server, dpopDir, {
    ...load,
    url: `${started.server.url}/token`,
    bodies: pats.map(exchangeForm),
    perRequestHeaders: () => ({ dpop: proofs() }),
  });
}

/**
 * The comparison: stock oidc-provider, (--federated) Tessera exchanging external ID tokens, or
 * (--dpop) the PAT exchange with DPoP proofs.
 */
async function comparison(): Promise<Map<string, number>> {
  if (process.argv.includes('--dpop')) return dpopExchange();
  if (process.argv.includes('--federated')) {
    const federatedDir = join(dir, 'federated');
    const started = await startTesseraProcess('tessera-federated', 4012, databaseUrl, 'full', [
      '--cpu-prof',
      `--cpu-prof-dir=${federatedDir}`,
    ]);
    const { bodies, issuer } = await prepareFederation(started.server.url, admin as string);
    try {
      return await profileUnderLoad(started.server, federatedDir, {
        ...load,
        url: `${started.server.url}/token`,
        bodies,
      });
    } finally {
      await issuer.stop();
    }
  }
  const baselineDir = join(dir, 'baseline');
  const baselineServer = await startBaseline(4011, ['--cpu-prof', `--cpu-prof-dir=${baselineDir}`]);
  return profileUnderLoad(baselineServer, baselineDir, {
    ...load,
    ...BASELINE_REQUEST,
    url: `${baselineServer.url}/token`,
  });
}
const baseline = await comparison();

const owners = [...new Set([...tessera.keys(), ...baseline.keys()])];
const busy = (m: Map<string, number>) =>
  [...m].filter(([owner]) => owner !== '(idle)').reduce((sum, [, us]) => sum + us, 0);
owners.sort((a, b) => (tessera.get(b) ?? 0) - (tessera.get(a) ?? 0));
const other = process.argv.includes('--federated')
  ? 'federated µs/exchange'
  : process.argv.includes('--dpop')
    ? 'with DPoP µs/exchange'
    : 'baseline µs/request';
console.log(`owner | tessera µs/exchange | ${other}`);
for (const owner of owners.slice(0, 30)) {
  console.log(
    `${owner} | ${(tessera.get(owner) ?? 0).toFixed(1)} | ${(baseline.get(owner) ?? 0).toFixed(1)}`,
  );
}
console.log(`busy (all but idle) | ${busy(tessera).toFixed(1)} | ${busy(baseline).toFixed(1)}`);
console.log(`profiles: ${dir}`);
