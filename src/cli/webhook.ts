/** `tessera webhook ...`: webhook endpoints and their delivery log (administrators). */
import type { Command } from 'commander';
import { type ApiClient, CliError } from './client.js';
import { EXIT } from './exit-codes.js';
import { printJson } from './format.js';
import {
  deliveryTable,
  type EndpointView,
  endpointTable,
  eventList,
  resolveEndpoint,
  WEBHOOKS_PATH,
} from './webhook-view.js';

type Out = (text: string) => void;

export function registerWebhookCommands(program: Command, client: () => ApiClient, out: Out) {
  const webhook = program.command('webhook').description('manage webhook endpoints (administrators)');

  webhook
    .command('create <url>')
    .description('register an endpoint (its signing secret is printed once)')
    .requiredOption('-e, --events <list>', 'comma-separated events, e.g. token.revoked,token.leaked')
    .option('-d, --description <text>', 'what the endpoint is for')
    .option('--json', 'print JSON')
    .action(async (url: string, opts: { events: string; description?: string; json?: boolean }) => {
      const body = { url, events: eventList(opts.events), description: opts.description || undefined };
      const created = await client().request<EndpointView>('POST', WEBHOOKS_PATH, body);
      if (opts.json) return out(printJson(created));
      out(endpointTable([created], true));
      out('\nSigning secret (shown once, store it now):');
      out(created.secret ?? '');
    });

  webhook
    .command('list')
    .description('list endpoints')
    .option('--wide', 'every column whole, however wide')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean; wide?: boolean }) => {
      const items = await client().listAll<EndpointView>(WEBHOOKS_PATH);
      out(opts.json ? printJson(items) : endpointTable(items, opts.wide));
    });

  webhook
    .command('show <id>')
    .description('show one endpoint (never its secret)')
    .option('--json', 'print JSON')
    .action(async (input: string, opts: { json?: boolean }) => {
      const api = client();
      const endpoint = await api.request<EndpointView>(
        'GET',
        `${WEBHOOKS_PATH}/${await resolveEndpoint(api, input)}`,
      );
      out(opts.json ? printJson(endpoint) : endpointTable([endpoint], true));
    });

  registerEndpointChanges(webhook, client, out);
}

interface UpdateOptions {
  url?: string;
  events?: string;
  /** false after `--no-description`. */
  description?: string | false;
  json?: boolean;
}

function updateBody(opts: UpdateOptions) {
  const body = {
    url: opts.url,
    events: opts.events === undefined ? undefined : eventList(opts.events),
    description: opts.description === false ? null : opts.description,
  };
  if (Object.values(body).every((value) => value === undefined)) {
    throw new CliError(
      'nothing to change: give --url, --events, --description or --no-description',
      EXIT.usage,
    );
  }
  return body;
}

/** The commands that change an endpoint or read its log: update, enable, disable, delete, deliveries. */
function registerEndpointChanges(webhook: Command, client: () => ApiClient, out: Out) {
  const patch = async (input: string, body: unknown, json?: boolean) => {
    const api = client();
    const path = `${WEBHOOKS_PATH}/${await resolveEndpoint(api, input)}`;
    const endpoint = await api.request<EndpointView>('PATCH', path, body);
    out(json ? printJson(endpoint) : endpointTable([endpoint], true));
  };

  webhook
    .command('update <id>')
    .description("change an endpoint's URL, events or description")
    .option('--url <url>', 'deliver to this URL from now on')
    .option('-e, --events <list>', 'comma-separated events (replace the old list)')
    .option('-d, --description <text>', 'what the endpoint is for')
    .option('--no-description', 'clear the description')
    .option('--json', 'print JSON')
    .action((input: string, opts: UpdateOptions) => patch(input, updateBody(opts), opts.json));

  for (const [name, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    webhook
      .command(`${name} <id>`)
      .description(enabled ? 're-enable an endpoint (after a run of failures, say)' : 'stop deliveries')
      .option('--json', 'print JSON')
      .action((input: string, opts: { json?: boolean }) => patch(input, { enabled }, opts.json));
  }

  webhook
    .command('delete <id>')
    .description('delete an endpoint, its pending deliveries and its log')
    .action(async (input: string) => {
      const api = client();
      const id = await resolveEndpoint(api, input);
      await api.request('DELETE', `${WEBHOOKS_PATH}/${id}`);
      out(`deleted ${id}`);
    });

  webhook
    .command('deliveries <id>')
    .description("an endpoint's delivery log, newest first")
    .option('--json', 'print JSON')
    .action(async (input: string, opts: { json?: boolean }) => {
      const api = client();
      const path = `${WEBHOOKS_PATH}/${await resolveEndpoint(api, input)}/deliveries?limit=100`;
      const page = await api.request<{ items: Parameters<typeof deliveryTable>[0] }>('GET', path);
      out(opts.json ? printJson(page.items) : deliveryTable(page.items));
    });
}
