/** How webhook endpoints and their delivery log look on a terminal, and ids given as prefixes. */
import type { z } from 'zod';
import type { createdEndpointSchema, deliverySchema } from '../api/response-schemas.js';
import type { ApiClient } from './client.js';
import { shortId } from './format.js';
import { resolveId } from './resolve-id.js';
import { formatTable } from './table.js';

/** An endpoint as the API answers it (creation adds the signing secret, once). */
export type EndpointView = Omit<z.output<typeof createdEndpointSchema>, 'secret'> & { secret?: string };
type DeliveryView = z.output<typeof deliverySchema>;

export const WEBHOOKS_PATH = '/api/v1/admin/webhooks';

/** Lists fit 100 columns (short ids, long cells cut); one endpoint (`wide`) is shown whole. */
export const endpointTable = (endpoints: EndpointView[], wide = false) =>
  formatTable(
    ['ID', 'URL', 'EVENTS', 'ENABLED', 'FAILURES'],
    endpoints.map((e) => [
      wide ? e.id : shortId(e.id),
      e.url,
      e.events.join(','),
      e.enabled ? 'yes' : `no (${e.disabled_reason})`,
      String(e.consecutive_failures),
    ]),
    wide ? { maxWidth: Number.POSITIVE_INFINITY } : { shrinkable: ['URL', 'EVENTS', 'ENABLED'] },
  );

export const deliveryTable = (deliveries: DeliveryView[]) =>
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
    { shrinkable: ['EVENT', 'TYPE', 'ERROR'] },
  );

/** An endpoint by whole id or unique prefix; ambiguous prefixes list the endpoints' URLs. */
export function resolveEndpoint(api: ApiClient, input: string): Promise<string> {
  return resolveId(input, 'webhook endpoint', async () =>
    (await api.listAll<EndpointView>(WEBHOOKS_PATH)).map((e) => ({ id: e.id, label: e.url })),
  );
}

/** The comma-separated `--events` list. */
export const eventList = (value: string) =>
  value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
