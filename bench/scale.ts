/**
 * Scale: exchange throughput with 1,000 and with 1,000,000 stored PATs (target: within 10%),
 * and `GET /api/v1/tokens` paging through a user's 10,000 PATs (target: p99 <= 20 ms per page,
 * the last page as fast as the first).
 */
import { measure } from './lib/load.js';
import type { ServerProcess } from './lib/processes.js';
import { seed } from './seed.js';

export interface ScaleResult {
  rpsAt1k: number;
  rpsAt1M: number;
  pageP50: number;
  pageP99: number;
  firstPageMs: number;
  lastPageMs: number;
  pages: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

async function api(server: ServerProcess, token: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json() as Promise<Record<string, unknown>>;
}

/** Pages through every token of the caller three times; per-page latencies in ms. */
async function pageThrough(server: ServerProcess, token: string) {
  const all: number[] = [];
  const first: number[] = [];
  const last: number[] = [];
  let pages = 0;
  for (let pass = 0; pass < 3; pass++) {
    let cursor: string | null = null;
    const times: number[] = [];
    do {
      const started = performance.now();
      const page = await api(
        server,
        token,
        'GET',
        `/api/v1/tokens?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
      );
      times.push(performance.now() - started);
      cursor = page.next_cursor as string | null;
    } while (cursor);
    all.push(...times);
    first.push(times[0] ?? 0);
    last.push(times.at(-1) ?? 0);
    pages = times.length;
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const sorted = [...all].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    first: mean(first),
    last: mean(last),
    pages,
  };
}

export async function runScale(
  server: ServerProcess,
  databaseUrl: string,
  admin: string,
  exchange: { url: string; bodies: string[]; headers: Record<string, string> },
  load: { connections: number; seconds: number; warmupSeconds: number },
): Promise<ScaleResult> {
  await seed(databaseUrl, 10, 75, 'k'); // with the bench's own 256 PATs: about 1,000
  const small = await measure({ ...load, ...exchange, method: 'POST' });
  console.error(`exchange at ~1k PATs: ${small.rps.toFixed(0)} req/s`);

  const [heavy] = await seed(databaseUrl, 1, 10_000, 'heavy');
  await seed(databaseUrl, 9_989, 100, 'm'); // about 1,000,000 in all
  const big = await measure({ ...load, ...exchange, method: 'POST' });
  console.error(`exchange at ~1M PATs: ${big.rps.toFixed(0)} req/s`);

  const pat = await api(server, admin, 'POST', `/api/v1/users/${heavy}/tokens`, {
    name: 'pager',
    scopes: ['tessera:tokens'],
  });
  const paging = await pageThrough(server, pat.token as string);
  return {
    rpsAt1k: small.rps,
    rpsAt1M: big.rps,
    pageP50: paging.p50,
    pageP99: paging.p99,
    firstPageMs: paging.first,
    lastPageMs: paging.last,
    pages: paging.pages,
  };
}
