import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AuditEvent } from '../../src/audit/events.js';
import { ExchangeAuditWriter } from '../../src/audit/exchange-writer.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.dispose());

const event = (jti: string): AuditEvent => ({
  at: new Date(),
  action: 'token.exchanged',
  outcome: 'success',
  meta: { ip: '127.0.0.1', userAgent: 'audit-writer-test' },
  clientId: 'tessera-cli',
  jti,
});

async function rowsWith(jtis: string[]): Promise<number> {
  const { rows } = await database.db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM audit_events WHERE jti = ANY($1)',
    [jtis],
  );
  return rows[0]?.n ?? 0;
}

describe('exchange audit writer', () => {
  it('writes each row before answering when batching is off', async () => {
    const writer = new ExchangeAuditWriter(database.db, createLogger('silent'), 0);
    const jti = randomUUID();
    await writer.record(event(jti));
    expect(await rowsWith([jti])).toBe(1);
  });

  it('queues rows within the window and writes them all on flush (graceful stop)', async () => {
    const writer = new ExchangeAuditWriter(database.db, createLogger('silent'), 60_000);
    const jtis = Array.from({ length: 25 }, () => randomUUID());
    for (const jti of jtis) await writer.record(event(jti));
    expect(await rowsWith(jtis)).toBe(0);
    await writer.flush();
    expect(await rowsWith(jtis)).toBe(25);
  });

  it('writes a full batch without waiting for the window', async () => {
    const writer = new ExchangeAuditWriter(database.db, createLogger('silent'), 60_000, 10);
    const jtis = Array.from({ length: 10 }, () => randomUUID());
    for (const jti of jtis) await writer.record(event(jti));
    expect(writer.queued).toBe(0); // the tenth row started the batch
    const late = randomUUID();
    await writer.record(event(late));
    expect(writer.queued).toBe(1);
    await writer.flush();
    expect(await rowsWith(jtis)).toBe(10);
    expect(await rowsWith([late])).toBe(1);
  });
});
