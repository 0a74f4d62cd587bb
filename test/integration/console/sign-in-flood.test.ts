/**
 * Unauthenticated console routes do not write unboundedly (issue 18 item 2): 500 bad posts to
 * /console/sign-in used to write 500 audit rows, each bogus callback a row, each /console/sso a
 * pending sign-in. A flood of 5,000 requests from one address, on a frozen clock (one window),
 * now grows each table by at most the per-address limit plus one summary row per route.
 */
import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PENDING_PER_ADDRESS } from '../../../src/session/sso-repository.js';
import { startTestIdp, type TestIdp } from '../../helpers/idp.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

const LIMIT = 20;
const FLOOD = 5000;
let server: TestServer;
let idp: TestIdp;

beforeAll(async () => {
  // Discovery is all /console/sso needs of the IdP; the redirect URI is never followed here.
  idp = await startTestIdp(['http://127.0.0.1:1/console/callback']);
  server = await startTestServer({
    clockAt: new Date('2026-06-01T12:00:00Z'),
    configFile: {
      limits: { failedAuthPerMinute: 5, consoleSignInPerMinute: LIMIT },
      login: {
        oidc: {
          issuer: idp.issuer,
          clientId: 'tessera-console',
          clientSecret: 'test-client-secret-0123456789',
        },
      },
    },
  });
});
afterAll(async () => {
  await server.stop();
  await idp.stop();
});

async function rows(table: string): Promise<number> {
  const { rows } = await server.database.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return rows[0]?.n ?? -1;
}

/** Status codes of `count` requests over a few kept-alive connections. */
async function flood(count: number, make: (i: number) => { method: string; path: string; body?: string }) {
  const { hostname, port } = new URL(server.url);
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const statuses = new Map<number, number>();
  const one = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const { method, path, body } = make(i);
      const headers: Record<string, string> = { origin: server.url };
      if (body) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        headers['content-length'] = String(Buffer.byteLength(body));
      }
      const req = request({ hostname, port, path, method, agent, headers }, (res) => {
        statuses.set(res.statusCode ?? 0, (statuses.get(res.statusCode ?? 0) ?? 0) + 1);
        res.resume().on('end', resolve).on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < count) await one(next++);
    }),
  );
  agent.destroy();
  return Object.fromEntries(statuses);
}

describe('a flood of the unauthenticated console routes', () => {
  it(`${FLOOD} requests grow the audit trail, pending sign-ins and counters by a bounded number of rows`, async () => {
    const before = {
      audit: await rows('audit_events'),
      pending: await rows('console_sign_ins'),
      counters: await rows('address_limits'),
    };
    const started = performance.now();
    const statuses = await flood(FLOOD, (i) => {
      if (i % 3 === 0) return { method: 'POST', path: '/console/sign-in', body: `token=tsr_bogus${i}` };
      if (i % 3 === 1) return { method: 'GET', path: '/console/sso' };
      return { method: 'GET', path: `/console/callback?state=bogus${i}&code=x` };
    });
    const ms = Math.round(performance.now() - started);
    console.info(`flood of ${FLOOD} console sign-in requests: ${ms} ms`, statuses);
    expect(statuses[429]).toBeGreaterThanOrEqual(FLOOD - 3 * LIMIT);
    // Per route: at most LIMIT requests got through (each may write a row), plus one summary.
    expect((await rows('audit_events')) - before.audit).toBeLessThanOrEqual(2 * (LIMIT + 1) + 1);
    // And however many got through, one address holds at most PENDING_PER_ADDRESS pending sign-ins.
    expect((await rows('console_sign_ins')) - before.pending).toBeLessThanOrEqual(PENDING_PER_ADDRESS);
    expect((await rows('address_limits')) - before.counters).toBeLessThanOrEqual(3);
    const summaries = await server.database.db.query<{ reason: string }>(
      "SELECT reason FROM audit_events WHERE reason LIKE 'rate limited at %'",
    );
    expect(summaries.rows.map((r) => r.reason.split(':')[0]).sort()).toEqual([
      'rate limited at callback',
      'rate limited at sign-in',
      'rate limited at sso',
    ]);
  }, 300_000);
});
