/**
 * "2 hours ago", "in 3 months", "just now": the one way the console and the CLI say when, so a
 * person reading both sees the same words. Rounded, not truncated, so a 90-day token made a
 * moment ago expires "in 3 months" (not "in 2"), and 100 minutes ago is "2 hours ago".
 */
const relative = new Intl.RelativeTimeFormat('en', { numeric: 'always' });

/** Largest unit first; a span is told in the first unit it reaches (milliseconds per unit). */
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

export function relativeTime(date: Date, now: Date): string {
  const diff = date.getTime() - now.getTime();
  for (const [unit, ms] of UNITS) {
    // Half away from zero, so the past and the future round alike (Math.round(-1.5) is -1).
    if (Math.abs(diff) >= ms) return relative.format(Math.sign(diff) * Math.round(Math.abs(diff) / ms), unit);
  }
  return 'just now';
}
