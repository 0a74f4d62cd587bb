/**
 * The delivering side of the outbox, on every instance: every `pollIntervalMs` it claims due
 * deliveries (queue.ts), sends them at once (delivery.ts) and records each result. Instances
 * share nothing but the database, so any number may run; a claimed row is theirs alone until
 * its lease ends.
 */
import type { Clock } from '../clock.js';
import type { WebhookSettings } from '../config.js';
import type { Database } from '../db/queryable.js';
import type { Logger } from '../logger.js';
import { retryDelaySeconds } from './backoff.js';
import { attemptDelivery } from './delivery.js';
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

export class WebhookWorker {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;
  #stopped = false;

  constructor(private readonly deps: WebhookWorkerDeps) {}

  /** One poll: claims, delivers and records; resolves to the number of attempts made. */
  deliverDue(): Promise<number> {
    this.#running ??= this.#poll().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #poll(): Promise<number> {
    const { db, clock, settings } = this.deps;
    const claimed = await claimDeliveries(db, clock(), leaseSeconds(settings), settings.batchSize);
    await Promise.all(claimed.map((delivery) => this.#deliver(delivery)));
    return claimed.length;
  }

  async #deliver(claimed: ClaimedDelivery): Promise<void> {
    const { db, clock, settings, logger } = this.deps;
    const result = await attemptDelivery(
      { eventId: claimed.event_id, url: claimed.url, secret: claimed.secret, body: claimed.body },
      new Date(),
      settings.timeoutMs,
      this.deps.fetch,
      settings.allowPrivateNetworks,
    );
    const at = clock();
    const exhausted = claimed.attempts >= settings.maxAttempts;
    const delay = retryDelaySeconds(
      claimed.attempts,
      settings.backoffBaseSeconds,
      settings.backoffCapSeconds,
    );
    const retryAt = exhausted ? null : new Date(at.getTime() + delay * 1000);
    const disabled = await settleDelivery(db, claimed, result, {
      at,
      retryAt,
      failureThreshold: settings.failureThreshold,
    });
    if (result.outcome === 'failed') {
      const context = { endpointId: claimed.endpoint_id, eventId: claimed.event_id, error: result.error };
      logger.warn({ ...context, attempt: claimed.attempts, gaveUp: exhausted }, 'webhook delivery failed');
      if (disabled) logger.warn(context, 'webhook endpoint disabled after consecutive failures');
    }
  }

  /** Polls now and then every `pollIntervalMs` until `stop()`. */
  start(): void {
    const tick = () => {
      this.deliverDue()
        .catch((err) => this.deps.logger.error({ err }, 'webhook delivery poll failed'))
        .finally(() => {
          if (!this.#stopped) this.#timer = setTimeout(tick, this.deps.settings.pollIntervalMs).unref();
        });
    };
    tick();
  }

  /** No new poll starts; the one in flight (if any) finishes first. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running?.catch(() => {});
  }
}
