/** How the CLI writes times, ids and scope lists for people. */
import { InvalidArgumentError } from 'commander';

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'always' });

/** Largest unit first; a value is shown in the first unit it reaches (seconds per unit). */
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400],
  ['month', 30 * 86_400],
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
];

/** "2 hours ago", "in 3 days", "just now"; `never` for a missing time. */
export function relativeTime(iso: string | null, now: Date, never = 'never'): string {
  if (!iso) return never;
  const seconds = (Date.parse(iso) - now.getTime()) / 1000;
  if (Math.abs(seconds) < 60) return 'just now';
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return 'just now';
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
