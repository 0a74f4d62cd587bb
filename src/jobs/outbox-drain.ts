/**
 * The sending side of a transactional outbox (webhook deliveries, email notices), on every
 * instance: each poll claims due rows (leased with `FOR UPDATE SKIP LOCKED`, so instances take
 * different rows and a crashed sender's lease runs out), sends each, and records the attempt:
 * delivered, retried with backoff, or given up after `maxAttempts`. What differs per outbox (the
 * claim, the send, how an attempt is recorded) is passed in; the loop is written once.
 */
import type { Clock } from '../clock.js';
import { nextAttemptAt, type RetrySchedule } from './backoff.js';
import { type JobLog, type PeriodicJob, periodic } from './periodic.js';

/** A claimed row: `attempts` counts this attempt (1 for the first). */
export interface OutboxRow {
  attempts: number;
}

/** What one send came to: `error` is null when the row was delivered. */
export interface SendResult {
  error: string | null;
}

export interface Outbox<Row extends OutboxRow, Result extends SendResult> {
  /** Names the outbox in log lines: `<name> failed`, `<name> poll failed`. */
  name: string;
  claim(now: Date): Promise<Row[]>;
  /** One attempt; a failure is a result with an `error`, never a rejection. */
  send(row: Row): Promise<Result>;
  /** Records the attempt; after a failure, `retryAt` is when to try again (null: give up). */
  settle(row: Row, result: Result, when: { at: Date; retryAt: Date | null }): Promise<void>;
  /** The log fields that name a row (never a secret). */
  describe(row: Row): Record<string, unknown>;
  /** One send at a time (SMTP) instead of every claimed row at once (HTTP receivers). */
  oneAtATime?: boolean;
}

export interface DrainSettings extends RetrySchedule {
  pollIntervalMs: number;
}

export interface DrainDeps {
  clock: Clock;
  logger: JobLog & { warn(fields: Record<string, unknown>, message: string): void };
  settings: DrainSettings;
}

async function attempt<Row extends OutboxRow, Result extends SendResult>(
  outbox: Outbox<Row, Result>,
  deps: DrainDeps,
  row: Row,
) {
  const result = await outbox.send(row);
  const at = deps.clock();
  const retryAt = result.error === null ? null : nextAttemptAt(row.attempts, at, deps.settings);
  await outbox.settle(row, result, { at, retryAt });
  if (result.error !== null) {
    const fields = {
      ...outbox.describe(row),
      attempt: row.attempts,
      gaveUp: retryAt === null,
      error: result.error,
    };
    deps.logger.warn(fields, `${outbox.name} failed`);
  }
}

/** One poll: claims, sends and records; resolves to the number of rows tried. */
async function drainOnce<Row extends OutboxRow, Result extends SendResult>(
  outbox: Outbox<Row, Result>,
  deps: DrainDeps,
): Promise<number> {
  const claimed = await outbox.claim(deps.clock());
  if (outbox.oneAtATime) for (const row of claimed) await attempt(outbox, deps, row);
  else await Promise.all(claimed.map((row) => attempt(outbox, deps, row)));
  return claimed.length;
}

/** The outbox's poll, every `pollIntervalMs` once started; `run()` polls now (after any poll in flight). */
export function outboxDrain<Row extends OutboxRow, Result extends SendResult>(
  outbox: Outbox<Row, Result>,
  deps: DrainDeps,
): PeriodicJob<number> & { start(): void } {
  return periodic({
    name: `${outbox.name} poll`,
    intervalMs: deps.settings.pollIntervalMs,
    run: () => drainOnce(outbox, deps),
    logger: deps.logger,
  });
}
