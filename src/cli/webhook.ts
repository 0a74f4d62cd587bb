/** `tessera webhook create|list|show|enable|disable|delete|deliveries`: webhook endpoints (admins). */
import type { Command } from 'commander';
import type { ApiClient } from './client.js';
import { formatTable } from './table.js';

interface EndpointView {
  id: string;
  url: string;
  events: string[];
  enabled: boolean;
  consecutive_failures: number;
  disabled_reason: string | null;
  secret?: string;
}

interface DeliveryView {
  attempted_at: string;
  event_id: string;
  event_type: string;
  attempt: number;
  outcome: string;
  status_code: number | null;
  error: string | null;
}

type Out = (text: string) => void;

const endpointTable = (endpoints: EndpointView[]) =>
  formatTable(
    ['ID', 'URL', 'EVENTS', 'ENABLED', 'FAILURES'],
    endpoints.map((e) => [
      e.id,
      e.url,
      e.events.join(','),
      e.enabled ? 'yes' : `no (${e.disabled_reason})`,
      String(e.consecutive_failures),
    ]),
  );

const deliveryTable = (deliveries: DeliveryView[]) =>
  formatTable(
    ['TIME', 'EVENT', 'TYPE', 'ATTEMPT', 'OUTCOME', 'STATUS', 'ERROR'],
    deliveries.map((d) => [
      d.attempted_at,
      d.event_id,
      d.event_type,
      String(d.attempt),
      d.outcome,
      d.status_code === null ? '-' : String(d.status_code),
      d.error ?? '',
    ]),
  );

const path = (id: string, rest = '') => `/api/v1/admin/webhooks/${encodeURIComponent(id)}${rest}`;
const print = (json: boolean | undefined, value: unknown, table: () => string, out: Out) =>
  out(json ? JSON.stringify(value, null, 2) : table());

export function registerWebhookCommands(program: Command, client: () => ApiClient, out: Out) {
  const webhook = program.command('webhook').description('manage webhook endpoints (administrators)');

  webhook
    .command('create <url>')
    .description('register an endpoint (its signing secret is printed once)')
    .requiredOption('-e, --events <list>', 'comma-separated events, e.g. token.revoked,token.leaked')
    .option('-d, --description <text>', 'what the endpoint is for')
    .option('--json', 'print JSON')
    .action(async (url: string, opts: { events: string; description?: string; json?: boolean }) => {
      const events = opts.events
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean);
      const body = { url, events, ...(opts.description ? { description: opts.description } : {}) };
      const created = await client().request<EndpointView>('POST', '/api/v1/admin/webhooks', body);
      if (opts.json) return out(JSON.stringify(created, null, 2));
      out(endpointTable([created]));
      out('\nSigning secret (shown once, store it now):');
      out(created.secret ?? '');
    });

  webhook
    .command('list')
    .description('list endpoints')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const items: EndpointView[] = [];
      let cursor: string | null = null;
      do {
        const query = new URLSearchParams({ limit: '100', ...(cursor ? { cursor } : {}) });
        const page: { items: EndpointView[]; next_cursor: string | null } = await client().request(
          'GET',
          `/api/v1/admin/webhooks?${query}`,
        );
        items.push(...page.items);
        cursor = page.next_cursor;
      } while (cursor);
      print(opts.json, items, () => endpointTable(items), out);
    });

  webhook
    .command('show <id>')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const endpoint = await client().request<EndpointView>('GET', path(id));
      print(opts.json, endpoint, () => endpointTable([endpoint]), out);
    });

  for (const [name, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    webhook
      .command(`${name} <id>`)
      .description(enabled ? 're-enable an endpoint (after a run of failures, say)' : 'stop deliveries')
      .option('--json', 'print JSON')
      .action(async (id: string, opts: { json?: boolean }) => {
        const endpoint = await client().request<EndpointView>('PATCH', path(id), { enabled });
        print(opts.json, endpoint, () => endpointTable([endpoint]), out);
      });
  }

  webhook.command('delete <id>').action(async (id: string) => {
    await client().request('DELETE', path(id));
    out(`deleted ${id}`);
  });

  webhook
    .command('deliveries <id>')
    .description("an endpoint's delivery log, newest first")
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const page = await client().request<{ items: DeliveryView[] }>(
        'GET',
        path(id, '/deliveries?limit=100'),
      );
      print(opts.json, page.items, () => deliveryTable(page.items), out);
    });
}
