/**
 * The webhook form as the API's request body: parsed by the API's own zod schemas
 * (api/webhooks.ts), the destination checked by webhooks/url.ts with this server's
 * `webhooks.allowPrivateNetworks`, and the description leak-scanned, exactly as the API does.
 */
import { z } from 'zod';
import { endpointPatchBody, newEndpointBody } from '../api/webhooks.js';
import type { Actor } from '../audit/actor.js';
import { invalidRequest } from '../errors.js';
import { parseWith } from '../http/parse.js';
import { scrubLeakedText } from '../pat/service.js';
import type { Services } from '../services.js';
import { patContext } from '../services.js';
import type { EndpointRequest } from '../webhooks/service.js';
import { endpointUrlProblem } from '../webhooks/url.js';

export const webhookForm = z.object({
  url: z.string().max(4000).default(''),
  events: z
    .union([z.string(), z.array(z.string())])
    .default([])
    .transform((s) => [...new Set([s].flat())]),
  description: z.string().max(2000).default(''),
  enabled: z.literal('true').optional(),
});
export type WebhookForm = z.infer<typeof webhookForm>;

function bodyOf(form: WebhookForm) {
  const description = form.description.trim();
  return { url: form.url.trim(), events: form.events, description: description === '' ? null : description };
}

/** Literal private addresses and plain http to the internet are refused when registered (url.ts). */
async function admitted<B extends { url?: string | undefined; description?: string | null | undefined }>(
  deps: Services,
  body: B,
  meta: Actor['meta'],
): Promise<B> {
  const problem = body.url && endpointUrlProblem(body.url, deps.config.webhooks.allowPrivateNetworks);
  if (problem) throw invalidRequest([{ field: 'url', message: problem }]);
  if (!body.description) return body;
  return { ...body, description: await scrubLeakedText(patContext(deps), body.description, meta) };
}

export async function newEndpointRequest(
  deps: Services,
  form: WebhookForm,
  meta: Actor['meta'],
): Promise<EndpointRequest> {
  return admitted(deps, parseWith(newEndpointBody, bodyOf(form)), meta);
}

/**
 * The whole edit form as a PATCH: URL, events, description (empty clears it), and `enabled` only
 * when it changes, so saving a new URL keeps the reason a failure run disabled the endpoint.
 */
export async function endpointChange(
  deps: Services,
  form: WebhookForm,
  enabledNow: boolean,
  meta: Actor['meta'],
) {
  const enabled = form.enabled === 'true';
  const body = parseWith(endpointPatchBody, {
    ...bodyOf(form),
    ...(enabled === enabledNow ? {} : { enabled }),
  });
  return admitted(deps, body, meta);
}
