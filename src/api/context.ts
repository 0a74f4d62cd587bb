import type { PatContext } from '../pat/service.js';
import type { Services } from '../services.js';

/** What every API route is built from. */
export type ApiDeps = Services;

export function patContext(deps: ApiDeps): PatContext {
  return { db: deps.db, clock: deps.clock, policy: deps.config.tokens, scopes: deps.config.scopes };
}
