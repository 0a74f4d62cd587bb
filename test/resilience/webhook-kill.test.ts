/**
 * Issue 15: `kill -9` between the commit of a change and the delivery of its webhook. The event
 * row committed with the change, so the next process on the same PostgreSQL delivers it, signed,
 * once: nothing is lost with the process.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from '@jest/globals';
import { type OwnPostgres, startOwnPostgres } from '../helpers/postgres.js';
import {
  call,
  createDatabase,
  sql,
  startTesseraProcess,
  type TesseraProcess,
} from '../helpers/tessera-process.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

let postgres: OwnPostgres | undefined;
let receiver: WebhookReceiver | undefined;
const processes: TesseraProcess[] = [];
afterAll(async () => {
  for (const tessera of processes) await tessera.cleanup().catch(() => {});
  await receiver?.close();
  postgres?.destroy();
}, 60_000);

describe('kill -9 after the commit, before the delivery', () => {
  it('delivers the event from the next process on the same database', async () => {
    postgres = startOwnPostgres();
    const databaseUrl = await createDatabase(postgres.url, 'tessera');
    receiver = await startWebhookReceiver();

    // Polls once at start (nothing to send yet), then not for an hour.
    const first = await startTesseraProcess({
      databaseUrl,
      config: { webhooks: { pollIntervalMs: 3_600_000 } },
    });
    processes.push(first);
    const admin = first.adminToken as string;
    const endpoint = await call(first.url, 'POST', '/api/v1/admin/webhooks', {
      token: admin,
      json: { url: receiver.url, events: ['token.created'] },
    });
    expect(endpoint.status).toBe(201);
    const user = await call(first.url, 'POST', '/api/v1/users', {
      token: admin,
      json: { username: 'killed' },
    });
    const pat = await call(first.url, 'POST', `/api/v1/users/${user.body.id}/tokens`, {
      token: admin,
      json: { name: 'committed', scopes: ['tessera:tokens'] },
    });
    expect(pat.status).toBe(201);
    first.signal('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(receiver.received).toHaveLength(0);
    const pending = await sql(
      databaseUrl,
      'SELECT count(*)::int AS n FROM webhook_outbox WHERE delivered_at IS NULL',
    );
    expect(pending[0].n).toBe(1);

    const second = await startTesseraProcess({ databaseUrl, config: { webhooks: { pollIntervalMs: 100 } } });
    processes.push(second);
    for (let waited = 0; receiver.received.length === 0 && waited < 10_000; waited += 100) await sleep(100);
    await sleep(300);
    expect(receiver.received).toHaveLength(1);
    expect(receiver.verify(receiver.received[0] as never, endpoint.body.secret)).toMatchObject({
      type: 'token.created',
      data: { token_id: pat.body.id, user_id: user.body.id },
    });
  }, 120_000);
});
