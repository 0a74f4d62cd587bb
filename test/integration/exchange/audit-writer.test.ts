import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AuditEvent } from '../../../src/audit/event.js';
import { ExchangeAuditWriter } from '../../../src/audit/exchange-writer.js';
import { createLogger } from '../../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';

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

  it('stores every column of a batch exactly, whatever characters caller-supplied text holds', async () => {
    const writer = new ExchangeAuditWriter(database.db, createLogger('silent'), 60_000);
    const awkward = ['a"b\\c{d},e', 'NULL', '', ' lead and trail ', 'ünï\u{1F511}', '{}', "it's"];
    const at = new Date('2026-03-04T05:06:07.089Z');
    const patId = randomUUID();
    const jtis = awkward.map(() => randomUUID());
    for (const [i, text] of awkward.entries()) {
      await writer.record({
        ...event(jtis[i] as string),
        at,
        outcome: 'failure',
        patId: i % 2 ? patId : null,
        meta: { ip: i % 2 ? null : '::1', userAgent: text },
        clientId: text,
        scope: text,
        reason: `nul\u0000${text}`,
      });
    }
    await writer.flush();
    const { rows } = await database.db.query<Record<string, unknown>>(
      `SELECT occurred_at, outcome, pat_id, ip, user_agent, client_id, scope, reason, jti
       FROM audit_events WHERE jti = ANY($1)`,
      [jtis],
    );
    expect(rows).toHaveLength(awkward.length);
    for (const [i, text] of awkward.entries()) {
      const row = rows.find((r) => r.jti === jtis[i]);
      expect(row).toEqual({
        occurred_at: at,
        outcome: 'failure',
        pat_id: i % 2 ? patId : null,
        ip: i % 2 ? null : '::1',
        // Empty text is stored as absent, like every optional audit field.
        user_agent: text || null,
        client_id: text || null,
        scope: text || null,
        reason: `nul\uFFFD${text}`,
        jti: jtis[i],
      });
    }
  });
});
