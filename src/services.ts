/**
 * Everything a request handler may use, built once at boot and passed in (STYLE rule 2): the
 * database, the clock, the config, the logger, and the per-instance helpers built on them.
 */
import type { AuditEvent } from './audit/event.js';
import { ExchangeAuditWriter } from './audit/exchange-writer.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Database } from './db/queryable.js';
import { DpopChecks } from './dpop/service.js';
import { IssuerKeys } from './federation/issuer-keys.js';
import { IssuerPolicyLookup } from './federation/policy-lookup.js';
import { recordRefusal, refusedExchangeOf } from './federation/refusal-trail.js';
import { RateLimits } from './limits/rate-limits.js';
import type { Logger } from './logger.js';
import { Metrics } from './metrics.js';
import { PatHashLookup } from './pat/hash-lookup.js';
import type { PatContext } from './pat/service.js';
import { UsageTracker } from './pat/usage.js';

export interface Services {
  db: Database;
  clock: Clock;
  config: Config;
  logger: Logger;
  /** Presented PATs by hash (batched; see pat/hash-lookup.ts). */
  patLookup: PatHashLookup;
  usage: UsageTracker;
  limits: RateLimits;
  metrics: Metrics;
  /** Keys of the external issuers trust policies name (federated subject tokens). */
  issuerKeys: IssuerKeys;
  /** Trust policies by issuer (batched; see federation/policy-lookup.ts). */
  policyLookup: IssuerPolicyLookup;
  /** DPoP proof checks (token endpoint and `/api/v1`), with the shared replay ledger and nonces. */
  dpop: DpopChecks;
  /** Where exchange audit rows go (lifecycle changes write theirs inside their own transaction). */
  recordExchange: (event: AuditEvent) => Promise<void>;
  /** Writes exchange audit rows still waiting in a batch (graceful shutdown). */
  flushAudit: () => Promise<void>;
}

export function createServices(base: Pick<Services, 'db' | 'clock' | 'config' | 'logger'>): Services {
  const audit = new ExchangeAuditWriter(base.db, base.logger, base.config.audit.exchangeFlushMs);
  return {
    ...base,
    patLookup: new PatHashLookup(base.db),
    usage: new UsageTracker(base.db, base.config.tokens.lastUsedIntervalSeconds),
    limits: new RateLimits(base.config.limits, base.db, base.clock, base.logger),
    metrics: new Metrics(base.db, base.clock),
    issuerKeys: new IssuerKeys(base.config.federation, base.clock),
    policyLookup: new IssuerPolicyLookup(base.db),
    dpop: DpopChecks.fromDatabase(base.db, base.clock, base.config.issuer, base.config.dpop),
    recordExchange: async (event) => {
      const refused = refusedExchangeOf(event);
      // Its own statement, not the batch: the trail aggregates, and a failed write loses one count.
      if (refused) {
        await recordRefusal(base.db, refused).catch((err) =>
          base.logger.error({ err }, 'could not record a federation refusal'),
        );
      }
      return audit.record(event);
    },
    flushAudit: () => audit.flush(),
  };
}

/** What the PAT lifecycle (pat/service.ts) needs, for every door that changes a PAT. */
export function patContext(services: Pick<Services, 'db' | 'clock' | 'config'>): PatContext {
  const { db, clock, config } = services;
  return { db, clock, policy: config.tokens, scopes: config.scopes };
}
