/**
 * The outbox's promises across processes (issue 15): an event committed by an instance that
 * stops before delivering is delivered by the next one on the same database (nothing lost), and
 * two workers on one database never send one event twice at the same time. On PostgreSQL
 * (scripts/with-postgres.sh) the two workers hold separate connections, so their claims
 * really race on `FOR UPDATE SKIP LOCKED`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from '@jest/globals';
import { enqueueWebhookEvent } from '../../../src/audit/webhook-outbox.js';
import { loadConfig } from '../../../src/config.js';
import { openPgliteDatabase } from '../../../src/db/pglite.js';
import { createLogger } from '../../../src/logger.js';
import { startTessera } from '../../../src/main.js';
import { claimDeliveries } from '../../../src/webhooks/queue.js';
import { createEndpoint } from '../../../src/webhooks/service.js';
import { leaseSeconds, WebhookWorker } from '../../../src/webhooks/worker.js';
import { createTestDatabase } from '../../helpers/database.js';
import { freePort } from '../../helpers/tessera-process.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function receiver(): Promise<WebhookReceiver> {
  const started = await startWebhookReceiver();
  cleanups.push(() => started.close());
  return started;
}

async function configFor(dir: string, webhooks: Record<string, unknown>) {
  const port = await freePort();
  const file = join(dir, `tessera-${port}.config.json`);
  // The receivers listen on loopback over plain http.
  writeFileSync(file, JSON.stringify({ webhooks: { allowPrivateNetworks: true, ...webhooks } }));
  return loadConfig({
    PORT: String(port),
    TESSERA_DATA_DIR: dir,
    TESSERA_KEYS_DIR: join(dir, 'keys'),
    TESSERA_ISSUER: `http://127.0.0.1:${port}`,
    TESSERA_CONFIG: file,
  });
}

async function call(url: string, token: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

describe('an instance stopped between the commit and the delivery', () => {
  it('loses nothing: the next instance on the same database delivers the event', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-outbox-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const hooks = await receiver();
    const logger = createLogger('silent');

    // Instance A polls only at start, before the event exists.
    const first = await startTessera({
      config: await configFor(dir, { pollIntervalMs: 3_600_000 }),
      logger,
      db: await openPgliteDatabase(join(dir, 'pglite')),
    });
    const admin = readFileSync(join(dir, 'bootstrap-admin-token'), 'utf8').trim();
    const endpoint = await call(first.url, admin, 'POST', '/api/v1/admin/webhooks', {
      url: hooks.url,
      events: ['token.created'],
    });
    expect(endpoint.status).toBe(201);
    const user = await call(first.url, admin, 'POST', '/api/v1/users', { username: 'crash-test' });
    const pat = await call(first.url, admin, 'POST', `/api/v1/users/${user.body.id}/tokens`, {
      name: 'committed',
      scopes: ['tessera:tokens'],
    });
    expect(pat.status).toBe(201);
    await first.stop(100);
    expect(hooks.received).toHaveLength(0);

    // Instance B, on the same data, delivers it by itself.
    const second = await startTessera({
      config: await configFor(dir, { pollIntervalMs: 50 }),
      logger,
      db: await openPgliteDatabase(join(dir, 'pglite')),
    });
    cleanups.push(() => second.stop(100));
    // Polls every 50 ms; the deadline only ends a wait that failed, sized for a loaded box.
    const deadline = Date.now() + 30_000;
    while (hooks.received.length === 0 && Date.now() < deadline) await sleep(50);
    expect(hooks.received).toHaveLength(1);
    const [delivered] = hooks.received;
    expect(hooks.verify(delivered as never, endpoint.body.secret)).toMatchObject({
      type: 'token.created',
      data: { token_id: pat.body.id, user_id: user.body.id },
    });
  }, 90_000);
});

describe('two workers on one database', () => {
  it('never send one event twice, nor at the same time, and a dead claim is retried after its lease', async () => {
    const database = await createTestDatabase();
    cleanups.push(() => database.dispose());
    const { db } = database;
    const hooks = await receiver();
    let inFlight = new Map<string, number>();
    let overlaps = 0;
    hooks.respond = (_, request) => {
      const id = String(request.headers['webhook-id']);
      const now = (inFlight.get(id) ?? 0) + 1;
      if (now > 1) overlaps++;
      inFlight.set(id, now);
      setTimeout(() => inFlight.set(id, (inFlight.get(id) ?? 1) - 1), 100);
      return { status: 200, delayMs: 100 };
    };
    let offsetMs = 0;
    const clock = () => new Date(Date.now() + offsetMs);
    // The receiver listens on loopback over plain http.
    const settings = { ...loadConfig({}).webhooks, allowPrivateNetworks: true };
    await createEndpoint(
      { db, clock },
      { url: hooks.url, events: ['token.revoked'] },
      { userId: null, meta: { ip: null, userAgent: null }, credentialScopes: null },
    );
    const events = 30;
    for (let i = 0; i < events; i++) {
      await enqueueWebhookEvent(db, {
        type: 'token.revoked',
        timestamp: clock().toISOString(),
        data: { token_id: `t-${i}` },
      });
    }
    // A third worker claims one row and dies without settling it.
    const [orphan] = await claimDeliveries(db, clock(), leaseSeconds(settings), 1);
    expect(orphan).toBeDefined();

    const logger = createLogger('silent');
    const workers = [1, 2].map(
      () => new WebhookWorker({ db, clock, settings: { ...settings, batchSize: 4 }, logger }),
    );
    const drain = async (worker: WebhookWorker) => {
      while ((await worker.deliverDue()) > 0) {}
    };
    await Promise.all(workers.map(drain));
    expect(overlaps).toBe(0);
    const ids = hooks.received.map((r) => String(r.headers['webhook-id']));
    expect(ids).toHaveLength(events - 1);
    expect(new Set(ids).size).toBe(events - 1);
    expect(ids).not.toContain(orphan?.event_id);

    // Once the dead worker's lease has run out, the orphan goes out, once.
    offsetMs += (leaseSeconds(settings) + 1) * 1000;
    inFlight = new Map();
    await Promise.all(workers.map(drain));
    const after = hooks.received.map((r) => String(r.headers['webhook-id']));
    expect(after).toHaveLength(events);
    expect(after.filter((id) => id === orphan?.event_id)).toHaveLength(1);
  }, 90_000);
});
