/**
 * A hung database (SIGSTOP on PostgreSQL: connections open, queries never answered) is not a
 * stopped one: nothing refuses the connection, so only Tessera's own bounds end the wait.
 * /token and /api/v1 answer 503 within database.statementTimeoutMs + 500 ms (the client-side
 * query timeout) plus slack, the process lives on, and requests succeed once it resumes.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freezePostgres, thawPostgres } from '../helpers/hung-postgres.js';
import { type OwnPostgres, startOwnPostgres } from '../helpers/postgres.js';
import {
  call,
  createDatabase,
  createUserWithToken,
  exchange,
  startTesseraProcess,
  type TesseraProcess,
} from '../helpers/tessera-process.js';

const STATEMENT_TIMEOUT_MS = 1000;
const CONNECT_TIMEOUT_MS = 800;
/**
 * The configured bound (query timeout = statement timeout + 500 ms) with slack for a busy 2-core
 * machine (CI saw 2.6 s with 1 s of slack). Without the bounds, these requests never end.
 */
const ANSWER_BOUND_MS = STATEMENT_TIMEOUT_MS + 500 + 4000;

let postgres: OwnPostgres;
let tessera: TesseraProcess;
let frozen: number[] = [];
let user: { userId: string; token: string; patId: string };

beforeAll(async () => {
  postgres = startOwnPostgres();
  const databaseUrl = await createDatabase(postgres.url, 'tessera');
  tessera = await startTesseraProcess({
    databaseUrl,
    config: {
      database: {
        poolSize: 3,
        connectTimeoutMs: CONNECT_TIMEOUT_MS,
        statementTimeoutMs: STATEMENT_TIMEOUT_MS,
      },
      audit: { exchangeFlushMs: 0 },
    },
  });
  user = await createUserWithToken(tessera.url, tessera.adminToken as string, 'hung-user', [
    'tessera:tokens',
  ]);
}, 90_000);

afterAll(async () => {
  thawPostgres(frozen);
  await tessera?.cleanup();
  postgres?.destroy();
}, 90_000);

describe('a hung PostgreSQL', () => {
  it('is answered with 503s within the configured bound, and recovered from', async () => {
    expect((await exchange(tessera.url, user.token)).status).toBe(200);
    frozen = freezePostgres(postgres.port);
    try {
      const [token, me, ready] = await Promise.all([
        exchange(tessera.url, user.token),
        call(tessera.url, 'GET', '/api/v1/me', { token: user.token }),
        call(tessera.url, 'GET', '/readyz'),
      ]);
      expect({ status: token.status, error: token.body?.error }).toEqual({
        status: 503,
        error: 'temporarily_unavailable',
      });
      expect(token.ms).toBeLessThan(ANSWER_BOUND_MS);
      expect(me.status).toBe(503);
      expect(me.contentType).toMatch(/^application\/problem\+json/);
      expect(me.ms).toBeLessThan(ANSWER_BOUND_MS);
      expect(ready.status).toBe(503);
      expect(ready.ms).toBeLessThan(ANSWER_BOUND_MS);
      // A new connection (the pool's are all stuck) is bounded by the connect timeout.
      const fresh = await call(tessera.url, 'GET', '/api/v1/me', { token: user.token });
      expect(fresh.status).toBe(503);
      expect(fresh.ms).toBeLessThan(ANSWER_BOUND_MS);
      expect((await call(tessera.url, 'GET', '/healthz')).status).toBe(200);
    } finally {
      thawPostgres(frozen);
      frozen = [];
    }
    let recovered = 0;
    for (let i = 0; i < 50 && recovered !== 200; i++) {
      recovered = (await exchange(tessera.url, user.token)).status ?? 0;
      if (recovered !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(recovered).toBe(200);
    expect((await call(tessera.url, 'GET', '/api/v1/me', { token: user.token })).status).toBe(200);
    expect(tessera.alive).toBe(true);
  }, 60_000);
});
