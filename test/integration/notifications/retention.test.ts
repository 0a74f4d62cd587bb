/**
 * Settled email notices go after `notifications.retentionDays`: a sent or given-up row holds an
 * owner's address and what happened to their token. A due notice, however old, is never deleted,
 * and the sweep that runs on start prunes both outboxes.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pino from 'pino';
import { loadConfig } from '../../../src/config.js';
import { pruneEmailOutbox } from '../../../src/notifications/retention.js';
import { startRetentionSweep } from '../../../src/webhooks/retention.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';

let database: TestDatabase;
const now = new Date('2026-06-01T00:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);

async function notice(created: Date, delivered: Date | null, failed: Date | null) {
  await database.db.query(
    `INSERT INTO email_outbox (event_id, kind, recipient, payload, created_at, next_attempt_at, delivered_at, failed_at)
     VALUES ($1, 'token.created', 'owner@example.com', '{}', $2, $2, $3, $4)`,
    [randomUUID(), created, delivered, failed],
  );
}

async function remaining() {
  const { rows } = await database.db.query<{ delivered_at: Date | null; failed_at: Date | null }>(
    'SELECT delivered_at, failed_at FROM email_outbox ORDER BY id',
  );
  return rows;
}

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.dispose());

describe('pruneEmailOutbox', () => {
  it('deletes settled notices past the retention in batches, never a due or recent one', async () => {
    for (let i = 0; i < 3; i++) await notice(daysAgo(40), daysAgo(40), null); // sent long ago
    await notice(daysAgo(40), null, daysAgo(31)); // given up long ago
    await notice(daysAgo(400), null, null); // still due, however old
    await notice(daysAgo(5), daysAgo(5), null); // sent recently
    expect(await pruneEmailOutbox(database.db, now, 30, 3)).toBe(3);
    expect(await pruneEmailOutbox(database.db, now, 30, 3)).toBe(1);
    expect(await pruneEmailOutbox(database.db, now, 30, 3)).toBe(0);
    expect(await remaining()).toEqual([
      { delivered_at: null, failed_at: null },
      { delivered_at: daysAgo(5), failed_at: null },
    ]);
  });

  it('runs in the retention sweep on start, by notifications.retentionDays (default 30)', async () => {
    const config = loadConfig({ TESSERA_DATA_DIR: '/nonexistent' });
    expect(config.notifications.retentionDays).toBe(30);
    await notice(daysAgo(8), daysAgo(8), null);
    const sweep = startRetentionSweep({
      db: database.db,
      clock: () => now,
      settings: config.webhooks,
      emailRetentionDays: 7,
      logger: pino({ level: 'silent' }),
    });
    // The run on start pruned the 8-day-old notice; a run after it finds nothing more.
    expect(await sweep.run()).toMatchObject({ emails: 0, outbox: 0, deliveries: 0 });
    await sweep.stop();
    expect(await remaining()).toHaveLength(2);
  });
});
