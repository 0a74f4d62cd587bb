/** How the CLI writes times, ids and scope lists for people. */
import { InvalidArgumentError } from 'commander';
import { relativeTime as relativeTimeOf } from '../relative-time.js';

/** "2 hours ago", "in 3 days", "just now" (as the console says it); `never` for a missing time. */
export function relativeTime(iso: string | null, now: Date, never = 'never'): string {
  return iso ? relativeTimeOf(new Date(iso), now) : never;
}

/** Ids in tables are shortened as git shortens hashes; any unique prefix names the object. */
export const shortId = (id: string) => id.slice(0, 8);

/** Scopes as people type them: separated by commas, spaces or both. */
export function splitScopes(value: string): string[] {
  return [...new Set(value.split(/[\s,]+/).filter(Boolean))];
}

/** A commander argument parser for scope lists; an empty list is a usage error. */
export function parseScopeList(value: string): string[] {
  const scopes = splitScopes(value);
  if (scopes.length === 0) throw new InvalidArgumentError('expected at least one scope');
  return scopes;
}

/** A whole number of days (`-e 7`, `--expiring-within 30`): anything else is a usage error. */
export function parseDays(value: string): number {
  if (!/^(0|[1-9][0-9]*)$/.test(value)) throw new InvalidArgumentError('expected a whole number of days');
  return Number(value);
}

/** A token's lifetime: a positive whole number of days, never something that could mean "no expiry". */
export function parseLifetimeDays(value: string): number {
  const days = parseDays(value);
  if (days === 0) throw new InvalidArgumentError('expected a whole number of days');
  return days;
}

export const printJson = (value: unknown) => JSON.stringify(value, null, 2);
