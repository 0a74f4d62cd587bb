import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Database } from '../db/queryable.js';
import type { Logger } from '../logger.js';
import type { PatContext } from '../pat/service.js';

/** What every API route is built from. */
export interface ApiDeps {
  db: Database;
  clock: Clock;
  config: Config;
  logger: Logger;
}

export function patContext(deps: ApiDeps): PatContext {
  return { db: deps.db, clock: deps.clock, policy: deps.config.tokens, scopes: deps.config.scopes };
}
