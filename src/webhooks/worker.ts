/**
 * The delivering side of the webhook outbox, on every instance: every `pollIntervalMs` it claims
 * due deliveries (queue.ts), sends them at once (delivery.ts) and records each result, through
 * the shared drain loop (jobs/outbox-drain.ts). Instances share nothing but the database, so any
 * number may run; a claimed row is theirs alone until its lease ends.
 */
import type { Clock } from '../clock.js';
import type { WebhookSettings } from '../config.js';
import type { Database } from '../db/queryable.js';
import { type Outbox, outboxDrain } from '../jobs/outbox-drain.js';
import type { Logger } from '../logger.js';
import { type AttemptResult, attemptDelivery } from './delivery.js';
import { type ClaimedDelivery, claimDeliveries, settleDelivery } from './queue.js';

export interface WebhookWorkerDeps {
  db: Database;
  clock: Clock;
  settings: WebhookSettings;
  logger: Logger;
  fetch?: typeof fetch;
}

/** Seconds a claim holds a row: the receiver's timeout plus room to record the result. */
export const leaseSeconds = (settings: WebhookSettings) => Math.ceil(settings.timeoutMs / 1000) + 30;

function webhookOutbox(deps: WebhookWorkerDeps): Outbox<ClaimedDelivery, AttemptResult> {
  const { db, settings, logger } = deps;
  return {
    name: 'webhook delivery',
    claim: (now) => claimDeliveries(db, now, leaseSeconds(settings), settings.batchSize),
    // Signed at real time, not a test's moved clock: receivers compare it with their own.
    send: (row) =>
      attemptDelivery(
        { eventId: row.event_id, url: row.url, secret: row.secret, body: row.body },
        new Date(),
        settings.timeoutMs,
        deps.fetch,
        settings.allowPrivateNetworks,
      ),
    settle: async (row, result, when) => {
      const settlement = { ...when, failureThreshold: settings.failureThreshold };
      if (await settleDelivery(db, row, result, settlement)) {
        const context = { endpointId: row.endpoint_id, eventId: row.event_id, error: result.error };
        logger.warn(context, 'webhook endpoint disabled after consecutive failures');
      }
    },
    describe: (row) => ({ endpointId: row.endpoint_id, eventId: row.event_id }),
  };
}

export class WebhookWorker {
  readonly #drain;

  constructor(deps: WebhookWorkerDeps) {
    this.#drain = outboxDrain(webhookOutbox(deps), deps);
  }

  /** One poll now: claims, delivers and records; resolves to the number of attempts made. */
  deliverDue(): Promise<number> {
    return this.#drain.run();
  }

  /** Polls now and then every `pollIntervalMs` until `stop()`. */
  start(): void {
    this.#drain.start();
  }

  /** No new poll starts; the one in flight (if any) finishes first. */
  stop(): Promise<void> {
    return this.#drain.stop();
  }
}
