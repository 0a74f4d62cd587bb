/** What every benchmark needs to run Tessera: a fresh database, the service as its own process, its form. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type ServerProcess, startServer } from './processes.js';

export const AUDIENCE = 'https://api.example.com';
export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** An RFC 8693 exchange of `pat` for the bench resource with scope repo:read. */
export const exchangeForm = (pat: string) =>
  new URLSearchParams({
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    subject_token: pat,
    subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    audience: AUDIENCE,
    scope: 'repo:read',
  }).toString();

/** Drops and creates `name` on the server of `baseUrl`; returns its URL. */
export async function freshDatabase(baseUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Starts `bench/tessera-server.ts` as one node process (tsx as a loader, so /proc shows its own
 * CPU): PostgreSQL when `databaseUrl` is set, else PGlite; per-IP limits lifted. `admin` is the
 * bootstrap token when this start created the admin, else null.
 */
export async function startTesseraProcess(
  name: string,
  port: number,
  databaseUrl: string | undefined,
  variant = 'full',
  nodeArgs: string[] = [],
): Promise<{ server: ServerProcess; admin: string | null }> {
  const { dir, env } = benchEnvironment(port, databaseUrl, variant);
  const args = [...nodeArgs, '--import', 'tsx', 'bench/tessera-server.ts'];
  const server = await startServer(name, process.execPath, args, env, `http://127.0.0.1:${port}/readyz`);
  const tokenFile = join(dir, 'data', 'bootstrap-admin-token');
  return { server, admin: existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : null };
}

/**
 * `tessera serve --workers N` itself (the CLI, as users run it), on an existing database: the
 * cluster primary and its workers, whose CPU the returned process sums.
 */
export function startTesseraServe(name: string, port: number, databaseUrl: string, workers: number) {
  const { env } = benchEnvironment(port, databaseUrl, 'full');
  const args = ['--import', 'tsx', 'src/cli/entry.ts', 'serve', '--workers', String(workers)];
  return startServer(name, process.execPath, args, env, `http://127.0.0.1:${port}/readyz`);
}

/** The bench's config file and environment: the bench resource, per-IP limits lifted. */
function benchEnvironment(port: number, databaseUrl: string | undefined, variant: string) {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
  const configFile = join(dir, 'tessera.config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      resources: [{ audience: AUDIENCE, scopes: ['repo:read', 'repo:write'], tokenTtlSeconds: 900 }],
      limits: { tokenRequestsPerMinute: 1e9, failedAuthPerMinute: 1e9, leakReportsPerMinute: 1e9 },
    }),
  );
  const env: Record<string, string> = {
    PORT: String(port),
    TESSERA_ISSUER: `http://127.0.0.1:${port}`,
    TESSERA_DATA_DIR: join(dir, 'data'),
    TESSERA_KEYS_DIR: join(dir, 'keys'),
    TESSERA_CONFIG: configFile,
    LOG_LEVEL: 'warn',
    BENCH_VARIANT: variant,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  };
  return { dir, env };
}

/**
 * How many different PATs the exchange load cycles through. Exchanges that arrive together
 * share one lookup statement; with one PAT for every request that statement would find the same
 * row each time, which is not what a fleet of CI jobs looks like.
 */
export const BENCH_PATS = 256;

async function createPat(url: string, admin: string, i: number): Promise<string> {
  const created = await fetch(`${url}/api/v1/tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `bench-${i}`, scopes: ['repo:read'] }),
  });
  if (created.status !== 201) throw new Error(`PAT creation: ${created.status} ${await created.text()}`);
  return ((await created.json()) as { token: string }).token;
}

/** `count` PATs for the admin, through the API, 16 at a time. */
export async function createPats(url: string, admin: string, count = BENCH_PATS): Promise<string[]> {
  const pats: string[] = [];
  for (let i = 0; i < count; i += 16) {
    const made = Array.from({ length: Math.min(16, count - i) }, (_, j) => createPat(url, admin, i + j));
    pats.push(...(await Promise.all(made)));
  }
  return pats;
}
