/** Times as people read them: "2 hours ago", with the exact UTC time on hover. */
import { type Html, h } from '../jsx.js';

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];
const relative = new Intl.RelativeTimeFormat('en', { numeric: 'always' });

/** "2 hours ago" / "in 3 days"; under a minute is "just now". */
export function relativeTime(date: Date, now: Date): string {
  const diff = date.getTime() - now.getTime();
  for (const [unit, ms] of UNITS) {
    if (Math.abs(diff) >= ms) return relative.format(Math.trunc(diff / ms), unit);
  }
  return 'just now';
}

export function exactTime(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function When(props: { at: string | Date | null; now: Date; never?: string }): Html {
  if (!props.at) return <span class="muted">{props.never ?? 'never'}</span>;
  const date = new Date(props.at);
  return (
    <time datetime={date.toISOString()} title={exactTime(date)}>
      {relativeTime(date, props.now)}
    </time>
  );
}
