/**
 * What a delegated token may carry: never more scope, never more time, than any credential it
 * stands on (RFC 8693 §1.1: the actor acts within the subject's rights, not its own).
 */
import { intersectScopes, scopesOutside } from '../scopes.js';
import type { MayAct, MayActEntry } from './may-act.js';
import { principalKey } from './may-act.js';

/** `held` narrowed by a consent entry's `scopes` when it lists any. */
export function scopesWithinEntry(held: readonly string[], entry: MayActEntry): string[] {
  return entry.scopes ? intersectScopes(held, entry.scopes) : [...held];
}

/** The shortest of the given remaining lifetimes (seconds); null when none bounds it. */
export function shortestLifetime(...lifetimes: (number | null)[]): number | null {
  const bounded = lifetimes.filter((l): l is number => l !== null);
  return bounded.length === 0 ? null : Math.min(...bounded);
}

/** Why `requested` is not within `held`, or null when every entry is. */
function entryOutside(requested: MayActEntry, held: MayAct): string | null {
  const match = held.find((entry) => principalKey(entry) === principalKey(requested));
  if (!match) return `${principalKey(requested)} is not in the subject's may_act`;
  if (match.scopes && !requested.scopes)
    return `${principalKey(requested)} must list scopes within ${match.scopes.join(' ')}`;
  if (match.scopes && requested.scopes && scopesOutside(requested.scopes, match.scopes).length > 0) {
    return `${principalKey(requested)} asks for scopes beyond the subject's may_act`;
  }
  return null;
}

/**
 * The `may_act` a request asks to put in the new JWT, checked against what the subject holds
 * (DESIGN.md: "each entry within the subject's own may_act"). Returns a reason when it is not.
 */
export function mayActOutside(requested: MayAct, held: MayAct | null): string | null {
  if (!held) return 'the subject has no may_act';
  for (const entry of requested) {
    const outside = entryOutside(entry, held);
    if (outside) return outside;
  }
  return null;
}
