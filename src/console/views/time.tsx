/** Times as people read them: "2 hours ago", with the exact UTC time on hover. */
import { relativeTime } from '../../relative-time.js';
import { type Html, h } from '../jsx.js';

/** The CLI's words too: one function for both (src/relative-time.ts). */
export { relativeTime };

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
