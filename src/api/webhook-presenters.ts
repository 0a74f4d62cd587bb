/** The JSON shapes of webhook endpoints and their delivery log. The secret appears only at creation. */
import type { z } from 'zod';
import type { DeliveryRow, EndpointRow } from '../webhooks/repository.js';
import type { createdEndpointSchema, deliverySchema, endpointSchema } from './response-schemas.js';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function presentEndpoint(endpoint: EndpointRow): z.output<typeof endpointSchema> {
  return {
    id: endpoint.id,
    url: endpoint.url,
    events: endpoint.events,
    description: endpoint.description,
    enabled: endpoint.disabled_at === null,
    disabled_at: iso(endpoint.disabled_at),
    disabled_reason: endpoint.disabled_reason,
    consecutive_failures: endpoint.consecutive_failures,
    created_at: endpoint.created_at.toISOString(),
    created_by: endpoint.created_by,
  };
}

/** The one response that carries the signing secret. */
export function presentCreatedEndpoint(created: {
  endpoint: EndpointRow;
  secret: string;
}): z.output<typeof createdEndpointSchema> {
  return { ...presentEndpoint(created.endpoint), secret: created.secret };
}

export function presentDelivery(delivery: DeliveryRow): z.output<typeof deliverySchema> {
  return {
    id: delivery.id,
    event_id: delivery.event_id,
    event_type: delivery.event_type,
    attempt: delivery.attempt,
    attempted_at: delivery.attempted_at.toISOString(),
    outcome: delivery.outcome,
    status_code: delivery.status_code,
    error: delivery.error,
    duration_ms: delivery.duration_ms,
  };
}
