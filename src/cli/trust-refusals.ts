/** `tessera trust refusals`: refused federated exchanges with their exact reason (admin). */
import type { Command } from 'commander';
import type { z } from 'zod';
import type { federationRefusalSchema } from '../api/response-schemas.js';
import { type ApiClient, type Page, queryString } from './client.js';
import { printJson, relativeTime } from './format.js';
import { formatTable } from './table.js';

export type RefusalView = z.output<typeof federationRefusalSchema>;

export const REFUSALS_PATH = '/api/v1/admin/federation/refusals';

/** `repository_id: expected 123456, got 999 (policy deploy-main)`, or '-'. */
export function differingText(refusal: RefusalView): string {
  const closest = refusal.closest_policy;
  if (!closest) return '-';
  const policy = closest.name ?? closest.id;
  return `${closest.claim}: expected ${closest.expected ?? '-'}, got ${closest.got ?? '(absent)'} (policy ${policy})`;
}

export function refusalTable(refusals: RefusalView[], now: Date): string {
  return formatTable(
    ['TIME', 'COUNT', 'REASON', 'ISSUER', 'SUBJECT', 'DIFFERS'],
    refusals.map((r) => [
      relativeTime(r.time, now),
      String(r.count),
      r.reason,
      r.iss,
      r.sub ?? '-',
      differingText(r),
    ]),
    { shrinkable: ['DIFFERS', 'SUBJECT', 'ISSUER'] },
  );
}

export function registerTrustRefusals(trust: Command, client: () => ApiClient, out: (text: string) => void) {
  trust
    .command('refusals')
    .description('refused federated exchanges and why (reason, closest policy)')
    .option('--issuer <url>', 'only this issuer')
    .option('--since <time>', 'only refusals at or after this RFC 3339 time')
    .option('--limit <n>', 'refusals per page (1-100)', '20')
    .option('--cursor <cursor>', "the page after a previous page's next_cursor")
    .option('--json', 'print the API response')
    .action(
      async (opts: { issuer?: string; since?: string; limit?: string; cursor?: string; json?: boolean }) => {
        const query = { issuer: opts.issuer, since: opts.since, limit: opts.limit, cursor: opts.cursor };
        const page = await client().request<Page<RefusalView>>(
          'GET',
          `${REFUSALS_PATH}${queryString(query)}`,
        );
        if (opts.json) return out(printJson(page));
        out(refusalTable(page.items, new Date()));
        if (page.next_cursor) out(`\nmore: --cursor ${page.next_cursor}`);
      },
    );
}
