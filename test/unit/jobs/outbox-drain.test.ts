/**
 * The shared outbox drain loop, with an outbox in memory: a failure is retried on the backoff
 * schedule from the injected clock, given up after `maxAttempts`, and logged; a delivery is
 * recorded with no retry; one-at-a-time outboxes never send two rows at once.
 */
import { describe, expect, it } from '@jest/globals';
import { type Outbox, outboxDrain, type SendResult } from '../../../src/jobs/outbox-drain.js';

interface Row {
  id: string;
  attempts: number;
}

const now = new Date('2026-12-05T12:00:00Z');
const settings = {
  pollIntervalMs: 3_600_000,
  maxAttempts: 3,
  backoffBaseSeconds: 10,
  backoffCapSeconds: 600,
};

function memoryOutbox(rows: Row[], fail: (row: Row) => string | null, oneAtATime = false) {
  const settled: { id: string; error: string | null; retryAt: Date | null }[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const outbox: Outbox<Row, SendResult> = {
    name: 'test outbox',
    claim: async () => rows.splice(0),
    send: async (row) => {
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return { error: fail(row) };
    },
    settle: async (row, result, when) => {
      expect(when.at).toEqual(now);
      settled.push({ id: row.id, error: result.error, retryAt: when.retryAt });
    },
    describe: (row) => ({ rowId: row.id }),
    oneAtATime,
  };
  return { outbox, settled, mostInFlight: () => mostInFlight };
}

function recordingLog() {
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  return {
    lines,
    warn: (fields: Record<string, unknown>, message: string) =>
      void lines.push({ level: 'warn', fields, message }),
    error: (fields: Record<string, unknown>, message: string) =>
      void lines.push({ level: 'error', fields, message }),
  };
}

describe('outboxDrain', () => {
  it('records a delivery without retry, and a failure with its backoff, until attempts run out', async () => {
    const rows = [
      { id: 'ok', attempts: 1 },
      { id: 'first-failure', attempts: 1 },
      { id: 'second-failure', attempts: 2 },
      { id: 'last-failure', attempts: 3 },
    ];
    const memory = memoryOutbox(rows, (row) => (row.id === 'ok' ? null : 'HTTP 503'));
    const log = recordingLog();
    const drain = outboxDrain(memory.outbox, { clock: () => now, logger: log, settings });
    expect(await drain.run()).toBe(4);
    expect(memory.settled).toEqual([
      { id: 'ok', error: null, retryAt: null },
      { id: 'first-failure', error: 'HTTP 503', retryAt: new Date(now.getTime() + 10_000) },
      { id: 'second-failure', error: 'HTTP 503', retryAt: new Date(now.getTime() + 20_000) },
      { id: 'last-failure', error: 'HTTP 503', retryAt: null },
    ]);
    expect(log.lines.map((l) => [l.message, l.fields.rowId, l.fields.gaveUp])).toEqual([
      ['test outbox failed', 'first-failure', false],
      ['test outbox failed', 'second-failure', false],
      ['test outbox failed', 'last-failure', true],
    ]);
    expect(await drain.run()).toBe(0);
    await drain.stop();
  });

  it('sends every claimed row at once, or one at a time when the outbox asks', async () => {
    const rows = () => [1, 2, 3].map((n) => ({ id: `r${n}`, attempts: 1 }));
    const parallel = memoryOutbox(rows(), () => null);
    const serial = memoryOutbox(rows(), () => null, true);
    for (const memory of [parallel, serial]) {
      const drain = outboxDrain(memory.outbox, { clock: () => now, logger: recordingLog(), settings });
      expect(await drain.run()).toBe(3);
      await drain.stop();
    }
    expect(parallel.mostInFlight()).toBe(3);
    expect(serial.mostInFlight()).toBe(1);
  });

  it('logs a poll whose claim fails, under the outbox name', async () => {
    const log = recordingLog();
    const broken = memoryOutbox([], () => null);
    broken.outbox.claim = async () => {
      throw new Error('database unavailable');
    };
    const drain = outboxDrain(broken.outbox, { clock: () => now, logger: log, settings });
    drain.start();
    await drain.stop();
    expect(log.lines).toEqual([
      {
        level: 'error',
        fields: expect.objectContaining({ job: 'test outbox poll' }),
        message: 'test outbox poll failed',
      },
    ]);
  });
});
