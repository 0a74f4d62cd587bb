/**
 * Tessera as a real child process (`node --import tsx src/cli/entry.ts serve`), for tests that
 * signal, kill and restart it: SIGTERM drains, SIGHUP reloads keys, `kill -9` crashes.
 * Everything it prints is collected; every child still running when the test process exits is
 * killed, so a failed test leaves nothing behind.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { pgliteSnapshotPath } from './snapshot.js';

/** The repository root (this file is test/helpers/tessera-process.ts). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const ENTRY = join(REPO_ROOT, 'src/cli/entry.ts');

/** Every request in these tests comes from 127.0.0.1: per-IP limits are lifted. */
export const GENEROUS_LIMITS = {
  tokenRequestsPerMinute: 1_000_000,
  failedAuthPerMinute: 1_000_000,
  leakReportsPerMinute: 1_000_000,
  consoleSignInPerMinute: 1_000_000,
};

export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A free loopback port, so that the issuer names the real address. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const { port } = probe.address() as AddressInfo;
  await new Promise((done) => probe.close(done));
  return port;
}

export interface TesseraProcessOptions {
  /** PostgreSQL; unset = the embedded PGlite under `dataDir`. */
  databaseUrl?: string;
  /**
   * TESSERA_DATA_DIR; a new temp dir (removed by `cleanup()`) when unset, which on PGlite holds a
   * copy of the run's migrated database (snapshot.ts). A test of a first start (initdb and every
   * migration in the child) passes a directory of its own.
   */
  dataDir?: string;
  /** TESSERA_KEYS_DIR; `<dataDir>/keys` when unset. */
  keysDir?: string;
  /** The JSON config file's content, over generous rate limits. */
  config?: Record<string, unknown>;
  /** Reuse a port (a restart keeping its issuer); a free one when unset. */
  port?: number;
  env?: Record<string, string>;
  /** How long to wait for /healthz (default 60 s). */
  readyTimeoutMs?: number;
  /** Options after `serve` (`--workers 2`). */
  args?: string[];
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From the signal to the process's exit. */
  ms: number;
}

export interface TesseraProcess {
  url: string;
  port: number;
  child: ChildProcess;
  pid: number;
  dataDir: string;
  keysDir: string;
  configPath: string;
  /** The bootstrap admin PAT, when this process wrote `bootstrap-admin-token` (or found one). */
  adminToken: string | undefined;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  /** stdout's JSON log lines, parsed (other lines skipped). */
  logs(): Record<string, any>[];
  readonly alive: boolean;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM; resolves with the exit code and how long it took (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<Exit>;
  /** SIGKILL (kill -9); resolves once it is gone. */
  kill9(): Promise<Exit>;
  signal(signal: NodeJS.Signals): void;
  /** Kills it if still running and removes the temp dirs this helper created. */
  cleanup(): Promise<void>;
}

/**
 * Unpacks the run's migrated PGlite dump where the child will open its database, sparing it
 * initdb and the migrations (~8 s of CPU in WASM). The dump keeps owner-only modes.
 */
function seedPglite(dir: string) {
  mkdirSync(dir, { mode: 0o700 });
  // Its members are named from the root (/PG_VERSION); tar makes them relative to -C.
  execFileSync('tar', ['-xzf', pgliteSnapshotPath, '-C', dir], { stdio: 'pipe' });
}

/** Starts `tessera serve` and waits until /healthz answers 200. */
export async function startTesseraProcess(options: TesseraProcessOptions = {}): Promise<TesseraProcess> {
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tessera-proc-'));
  mkdirSync(dataDir, { recursive: true });
  if (ownDataDir && !options.databaseUrl && existsSync(pgliteSnapshotPath)) {
    seedPglite(join(dataDir, 'pglite'));
  }
  const keysDir = options.keysDir ?? join(dataDir, 'keys');
  const port = options.port ?? (await freePort());
  const configDir = mkdtempSync(join(tmpdir(), 'tessera-proc-config-'));
  const configPath = join(configDir, 'tessera.config.json');
  const file = { ...options.config } as Record<string, unknown>;
  file.limits = { ...GENEROUS_LIMITS, ...(file.limits as object | undefined) };
  // Test webhook receivers listen on loopback over plain http.
  file.webhooks = { allowPrivateNetworks: true, ...(file.webhooks as object | undefined) };
  writeFileSync(configPath, JSON.stringify(file));

  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    PORT: String(port),
    HOST: '127.0.0.1',
    TESSERA_ISSUER: `http://127.0.0.1:${port}`,
    TESSERA_DATA_DIR: dataDir,
    TESSERA_KEYS_DIR: keysDir,
    TESSERA_CONFIG: configPath,
    LOG_LEVEL: 'info',
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    ...options.env,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, 'serve', ...(options.args ?? [])], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const out: string[] = [];
  const err: string[] = [];
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => out.push(chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => err.push(chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    // 'close', not 'exit': at 'exit' the last of stdout may still be in the pipe.
    child.once('close', (code, signal) => {
      running.delete(child);
      done({ code, signal });
    }),
  );
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });

  const url = `http://127.0.0.1:${port}`;
  const cleanupDirs = () => {
    rmSync(configDir, { recursive: true, force: true });
    if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (hasExited) {
      cleanupDirs();
      throw new Error(`tessera exited before it was ready:\n${err.join('')}\n${out.join('').slice(-4000)}`);
    }
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    );
    // Ready when it answers and its start line has reached us: the log is written without
    // blocking, so /healthz can answer before the lines logged during start are read here.
    if (ok && out.join('').includes('"tessera ready at ')) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await exited;
      cleanupDirs();
      throw new Error(`tessera did not become healthy:\n${err.join('')}\n${out.join('').slice(-4000)}`);
    }
    await sleep(100);
  }
  const tokenFile = join(dataDir, 'bootstrap-admin-token');
  const adminToken = existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : undefined;

  const waitExit = async (signalled: number, timeoutMs: number): Promise<Exit> => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const { code, signal } = await exited;
    clearTimeout(timer);
    return { code, signal, ms: Math.round(performance.now() - signalled) };
  };

  const proc: TesseraProcess = {
    url,
    port,
    child,
    pid: child.pid as number,
    dataDir,
    keysDir,
    configPath,
    adminToken,
    stdout: () => out.join(''),
    stderr: () => err.join(''),
    logs: () =>
      out
        .join('')
        .split('\n')
        .flatMap((line) => {
          if (!line.startsWith('{')) return [];
          try {
            return [JSON.parse(line)];
          } catch {
            return [];
          }
        }),
    get alive() {
      return !hasExited;
    },
    exited,
    signal(signal) {
      if (!hasExited) child.kill(signal);
    },
    async stop(timeoutMs = 30_000) {
      const signalled = performance.now();
      if (hasExited) return { ...(await exited), ms: 0 };
      child.kill('SIGTERM');
      return waitExit(signalled, timeoutMs);
    },
    async kill9() {
      const signalled = performance.now();
      if (hasExited) return { ...(await exited), ms: 0 };
      child.kill('SIGKILL');
      return waitExit(signalled, 10_000);
    },
    async cleanup() {
      if (!hasExited) {
        child.kill('SIGKILL');
        await exited;
      }
      cleanupDirs();
    },
  };
  return proc;
}

/** The outcome of one HTTP request: a response, or the network error that replaced it. */
export interface Outcome {
  status: number | null;
  /** Set when no response arrived (connection refused, reset...). */
  error: string | null;
  body: any;
  contentType: string | null;
  ms: number;
  /** performance.now() when the request started. */
  at: number;
}

function errorCode(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}

/** A request that never throws: network errors become `{ status: null, error }`. */
export async function call(
  base: string,
  method: string,
  path: string,
  options: { token?: string | undefined; json?: unknown; form?: Record<string, string> } = {},
): Promise<Outcome> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  }
  const at = performance.now();
  try {
    const response = await fetch(`${base}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {}
    return {
      status: response.status,
      error: null,
      body: parsed,
      contentType: response.headers.get('content-type'),
      ms: performance.now() - at,
      at,
    };
  } catch (error) {
    return {
      status: null,
      error: errorCode(error),
      body: undefined,
      contentType: null,
      ms: performance.now() - at,
      at,
    };
  }
}

/** `POST /token`: a token exchange of `pat` for the default audience. */
export const exchange = (base: string, pat: string, extra: Record<string, string> = {}) =>
  call(base, 'POST', '/token', {
    form: { grant_type: TOKEN_EXCHANGE, subject_token: pat, subject_token_type: ACCESS_TOKEN_TYPE, ...extra },
  });

/** Creates a user (as admin) and one PAT for them. */
export async function createUserWithToken(
  base: string,
  adminToken: string,
  username: string,
  scopes: string[],
): Promise<{ userId: string; token: string; patId: string }> {
  const user = await call(base, 'POST', '/api/v1/users', {
    token: adminToken,
    json: { username, entitlements: scopes },
  });
  if (user.status !== 201) throw new Error(`user create failed: ${user.status} ${JSON.stringify(user.body)}`);
  const pat = await call(base, 'POST', `/api/v1/users/${user.body.id}/tokens`, {
    token: adminToken,
    json: { name: 'seed', scopes },
  });
  if (pat.status !== 201) throw new Error(`token create failed: ${pat.status} ${JSON.stringify(pat.body)}`);
  return { userId: user.body.id, token: pat.body.token, patId: pat.body.id };
}

/** One SQL statement on a short-lived connection of its own. */
export async function sql<Row = any>(url: string, text: string, params: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as Row[];
  } finally {
    await client.end();
  }
}

/** A new database on the server at `serverUrl`; returns its URL. */
export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  await sql(serverUrl, `CREATE DATABASE ${name}`);
  const target = new URL(serverUrl);
  target.pathname = `/${name}`;
  return target.toString();
}

/** Connections to database `name` (from any client but the caller's own query). */
export async function connectionsTo(serverUrl: string, name: string): Promise<number> {
  const rows = await sql<{ n: number }>(
    serverUrl,
    'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
    [name],
  );
  return rows[0]?.n ?? 0;
}

/** Runs `tessera <args>` as a child process; resolves with its exit code and output. */
export function runCliProcess(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.once('error', fail);
    // 'close', not 'exit': at 'exit' the last of the output may still be in the pipe.
    child.once('close', (code) => {
      running.delete(child);
      done({ code, stdout, stderr });
    });
  });
}
