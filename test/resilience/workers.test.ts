/**
 * Issue 19.4: `tessera serve --workers 2` on PostgreSQL, as a real process. Both workers serve
 * (the access log says which one answered), the start line is printed once, `/metrics` sums
 * the workers whichever of them is scraped, a worker killed with SIGKILL is replaced while the
 * other keeps serving, and SIGTERM drains every worker and exits 0. Misuse: more than one worker
 * on the embedded database, and counts that are not counts, are refused before anything forks.
 */
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type OwnPostgres, startOwnPostgres } from '../helpers/postgres.js';
import {
  createDatabase,
  exchange,
  runCliProcess,
  startTesseraProcess,
  type TesseraProcess,
} from '../helpers/tessera-process.js';

let postgres: OwnPostgres;
let proc: TesseraProcess;

beforeAll(async () => {
  postgres = startOwnPostgres();
  const databaseUrl = await createDatabase(postgres.url, 'tessera');
  proc = await startTesseraProcess({
    databaseUrl,
    args: ['--workers', '2'],
    config: { database: { poolSize: 4 }, audit: { exchangeFlushMs: 0 } },
  });
}, 120_000);

afterAll(async () => {
  await proc?.cleanup();
  postgres?.destroy();
}, 60_000);

/** A GET on a connection of its own, so that the cluster hands each one to the next worker. */
function getFresh(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const workerPids = () =>
  proc
    .logs()
    .filter((line) => line.msg === 'worker started')
    .map((line) => line.workerPid as number);

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The summed `tessera_http_requests_total` for GET /jwks 200, from one scrape. */
async function jwksCount(): Promise<number> {
  const { status, body } = await getFresh(`${proc.url}/metrics`);
  expect(status).toBe(200);
  const line = body
    .split('\n')
    .find((l) => l.startsWith('tessera_http_requests_total{') && l.includes('route="/jwks"'));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('tessera serve --workers 2', () => {
  it('prints one start line naming two workers, and exchanges PATs', async () => {
    const ready = proc.logs().filter((line) => String(line.msg).startsWith('tessera ready at '));
    expect(ready).toHaveLength(1);
    expect(ready[0]?.workers).toBe(2);
    expect(proc.stdout().match(/tessera ready at /g)).toHaveLength(1);
    const pids = workerPids();
    expect(new Set(pids).size).toBe(2);
    expect(pids).not.toContain(proc.pid);
    const granted = await exchange(proc.url, proc.adminToken as string);
    expect(granted.status).toBe(200);
    expect(granted.body.access_token).toEqual(expect.any(String));
  });

  it('serves from both workers, and /metrics sums them whichever worker is scraped', async () => {
    for (let i = 0; i < 20; i++) expect((await getFresh(`${proc.url}/jwks`)).status).toBe(200);
    // The access log names the worker that answered each request.
    const answeredBy = await until('20 access-log lines', () => {
      const lines = proc.logs().filter((line) => line.msg === 'request' && line.path === '/jwks');
      return lines.length === 20 ? lines.map((line) => line.worker as number) : undefined;
    });
    expect(new Set(answeredBy).size).toBe(2);
    // Scrapes on fresh connections reach both workers; each sees the sum.
    const counts = [await jwksCount(), await jwksCount(), await jwksCount()];
    expect(counts).toEqual([20, 20, 20]);
  });

  it('replaces a worker killed with SIGKILL, and keeps serving', async () => {
    const [victim, survivor] = workerPids() as [number, number];
    process.kill(victim, 'SIGKILL');
    const replacement = await until('a replacement worker', () => workerPids()[2]);
    expect([victim, survivor]).not.toContain(replacement);
    // While the replacement starts, connections go to the survivor: a worker listens only once
    // it serves, so nobody is answered 503 "starting".
    const statuses: number[] = [];
    await until('the replacement to be ready', async () => {
      statuses.push((await getFresh(`${proc.url}/healthz`)).status);
      return proc.logs().some((line) => line.msg === 'worker ready' && line.workerPid === replacement)
        ? true
        : undefined;
    });
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    await until('the replacement to be ready', () =>
      proc.logs().some((line) => line.msg === 'worker ready' && line.workerPid === replacement)
        ? true
        : undefined,
    );
    expect(
      proc.logs().some((line) => line.msg === 'worker exited; replacing it' && line.workerPid === victim),
    ).toBe(true);
    for (let i = 0; i < 6; i++) {
      expect((await exchange(proc.url, proc.adminToken as string)).status).toBe(200);
      expect((await getFresh(`${proc.url}/healthz`)).status).toBe(200);
    }
    // Still one start line: a replacement says "worker ready", not "tessera ready".
    expect(proc.stdout().match(/tessera ready at /g)).toHaveLength(1);
  });

  it('drains every worker on SIGTERM and exits 0', async () => {
    const live = workerPids().slice(1);
    const exit = await proc.stop();
    expect(exit.code).toBe(0);
    for (const pid of live) expect(() => process.kill(pid, 0)).toThrow();
    expect(proc.logs().filter((line) => line.msg === 'tessera stopped')).toHaveLength(2);
  });
});

describe('tessera serve --workers, refused', () => {
  it('refuses two workers on the embedded database, before any fork', async () => {
    const result = await runCliProcess(['serve', '--workers', '2'], {
      TESSERA_DATA_DIR: '/nonexistent/never-created',
      PORT: '0',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('2 workers need DATABASE_URL');
    expect(result.stdout).not.toContain('worker started');
  });

  it.each(['0', '-1', 'many', '2.5', '100000'])('refuses --workers %s as a usage error', async (value) => {
    const result = await runCliProcess(['serve', '--workers', value], { PORT: '0' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--workers');
  });
});
