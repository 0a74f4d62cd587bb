/** Delivered outbox rows and delivery log rows go after `webhooks.retentionDays` (issue 18 item 14). */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { pruneWebhookHistory } from '../../../src/webhooks/retention.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';

let database: TestDatabase;
const now = new Date('2026-06-01T00:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  const endpoint = randomUUID();
  await db.query(
    `INSERT INTO webhook_endpoints (id, url, events, secret, created_at) VALUES ($1, 'https://hooks.example/x', '{token.created}', 's', $2)`,
    [endpoint, daysAgo(90)],
  );
  const outbox = (at: Date, delivered: Date | null, failed: Date | null) =>
    db.query(
      `INSERT INTO webhook_outbox (event_id, endpoint_id, event_type, payload, created_at, next_attempt_at, delivered_at, failed_at)
       VALUES ($1, $2, 'token.created', '{}', $3, $3, $4, $5)`,
      [randomUUID(), endpoint, at, delivered, failed],
    );
  for (let i = 0; i < 5; i++) await outbox(daysAgo(40), daysAgo(40), null); // old, delivered
  await outbox(daysAgo(40), null, daysAgo(35)); // old, given up
  await outbox(daysAgo(40), null, null); // old but still due
  await outbox(daysAgo(5), daysAgo(5), null); // recent
  const delivery = (at: Date) =>
    db.query(
      `INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, attempt, attempted_at, outcome, duration_ms)
       VALUES ($1, $2, 'token.created', 1, $3, 'delivered', 5)`,
      [endpoint, randomUUID(), at],
    );
  for (let i = 0; i < 4; i++) await delivery(daysAgo(31));
  await delivery(daysAgo(29));
});
afterAll(() => database.dispose());

const count = async (table: string) =>
  (await database.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]?.n;

describe('pruneWebhookHistory', () => {
  it('deletes settled rows past the retention in batches, never a due or recent one', async () => {
    expect(await pruneWebhookHistory(database.db, now, 30, 4)).toEqual({ outbox: 4, deliveries: 4 });
    expect(await pruneWebhookHistory(database.db, now, 30, 4)).toEqual({ outbox: 2, deliveries: 0 });
    expect(await pruneWebhookHistory(database.db, now, 30, 4)).toEqual({ outbox: 0, deliveries: 0 });
    expect(await count('webhook_outbox')).toBe(2);
    expect(await count('webhook_deliveries')).toBe(1);
  });
});
