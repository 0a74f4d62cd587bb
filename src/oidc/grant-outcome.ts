/**
 * How the exchange grant's outcome gets from inside oidc-provider's pipeline back to the token
 * endpoint that ran it. oidc-provider calls a registered grant with the request context only and
 * renders what it leaves, so the endpoint runs the pipeline inside a scope (the same
 * AsyncLocalStorage mechanism oidc-provider uses for its own request context) and the grant
 * reports into it: typed, one per request, and nothing on `ctx.state`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ExchangeOutcome } from '../exchange/outcome.js';

interface Slot {
  outcome: ExchangeOutcome | undefined;
}

const scope = new AsyncLocalStorage<Slot>();

/** Runs `pipeline`; returns the outcome the grant reported, or undefined when no grant ran. */
export async function captureGrantOutcome(
  pipeline: () => Promise<unknown>,
): Promise<ExchangeOutcome | undefined> {
  const slot: Slot = { outcome: undefined };
  await scope.run(slot, pipeline);
  return slot.outcome;
}

/** Called by the grant adapter (provider.ts) with what the grant returned. */
export function reportGrantOutcome(outcome: ExchangeOutcome): void {
  const slot = scope.getStore();
  if (slot) slot.outcome = outcome;
}
