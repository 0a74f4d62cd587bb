/**
 * The trust-policy form as the API's request body: the console only turns form text into the
 * body's shape (claims from "name = value" lines, the user by name), then the API's own zod
 * schemas (api/trust-policies.ts) and federation/service.ts decide, with the API's messages.
 */
import { z } from 'zod';
import { newTrustPolicyBody, trustPolicyChangeBody } from '../api/trust-policies.js';
import { invalidRequest } from '../errors.js';
import type { TrustPolicy } from '../federation/policy.js';
import type { PolicyFields } from '../federation/repository.js';
import { fieldErrors } from '../http/parse.js';
import type { Services } from '../services.js';
import { resolveUserId } from '../users/resolve.js';

/** Stands in for an unknown user while the rest of the form is checked. */
const NO_USER = '00000000-0000-4000-8000-000000000000';

const list = z
  .union([z.string(), z.array(z.string())])
  .default([])
  .transform((s) => [...new Set([s].flat())]);
const text = (max: number) => z.string().max(max).default('');

export const trustForm = z.object({
  name: text(200),
  issuer: text(1000),
  audience: text(1000),
  subject: text(1000),
  claims: text(20_000),
  user: text(200),
  scopes: list,
  audiences: list,
  max_ttl_seconds: text(20),
  single_use: z.literal('true').optional(),
  require_dpop: z.literal('true').optional(),
});
export type TrustForm = z.infer<typeof trustForm>;

/** "claim = value" per line; a claim named on several lines accepts any of its values. */
export function claimsOf(lines: string): Record<string, string[]> {
  const claims: Record<string, string[]> = {};
  for (const [i, line] of lines.split(/\r?\n/).entries()) {
    if (line.trim() === '') continue;
    const at = line.indexOf('=');
    if (at < 0)
      throw invalidRequest([{ field: 'claims', message: `line ${i + 1}: expected "claim = value"` }]);
    const name = line.slice(0, at).trim();
    claims[name] = [...(claims[name] ?? []), line.slice(at + 1).trim()];
  }
  return claims;
}

export function claimLines(claims: Record<string, string[]>): string {
  return Object.entries(claims)
    .flatMap(([name, values]) => values.map((value) => `${name} = ${value}`))
    .join('\n');
}

/** The form as a request body: empty optional fields are left out, as an API client would. */
async function bodyOf(deps: Services, form: TrustForm) {
  const userId = form.user.trim() ? await resolveUserId(deps.db, form.user.trim()) : null;
  const ttl = form.max_ttl_seconds.trim();
  const optional = (value: string) => (value.trim() === '' ? undefined : value.trim());
  return {
    name: form.name.trim(),
    issuer: form.issuer.trim(),
    audience: optional(form.audience),
    subject: optional(form.subject),
    claims: claimsOf(form.claims),
    user_id: userId,
    scopes: form.scopes,
    audiences: form.audiences.length > 0 ? form.audiences : undefined,
    max_ttl_seconds: /^\d+$/.test(ttl) ? Number(ttl) : ttl === '' ? undefined : ttl,
    single_use: form.single_use === 'true',
    require_dpop: form.require_dpop === 'true',
  };
}

/** Parses with the API's schema; an unknown user is reported along with the schema's errors. */
function parseBody<S extends z.ZodType>(schema: S, body: Record<string, unknown>): z.output<S> {
  const known = body.user_id !== null;
  const parsed = schema.safeParse(known ? body : { ...body, user_id: NO_USER });
  const errors = parsed.success ? [] : fieldErrors(parsed.error);
  if (!known) errors.push({ field: 'user_id', message: 'no such user' });
  if (errors.length > 0 || !parsed.success) throw invalidRequest(errors);
  return parsed.data;
}

/** A new policy's fields, with the API's defaults (audience: our issuer; audiences: the default one). */
export async function newPolicyFields(deps: Services, form: TrustForm): Promise<PolicyFields> {
  const body = parseBody(newTrustPolicyBody, await bodyOf(deps, form));
  return {
    ...body,
    audience: body.audience ?? deps.config.issuer,
    subject: body.subject ?? null,
    claims: body.claims ?? {},
    audiences: body.audiences ?? [deps.config.defaultAudience],
  };
}

/** The whole form as a change: an emptied subject is removed, as PATCH `subject: null` does. */
export async function policyChange(deps: Services, form: TrustForm): Promise<Partial<PolicyFields>> {
  const body = await bodyOf(deps, form);
  return parseBody(trustPolicyChangeBody, {
    ...body,
    audience: body.audience ?? deps.config.issuer,
    subject: body.subject ?? null,
    audiences: body.audiences ?? [deps.config.defaultAudience],
    max_ttl_seconds: body.max_ttl_seconds ?? 900,
  });
}

/** A stored policy as the form shows it for editing. */
export function formOfPolicy(policy: TrustPolicy, username: string): TrustForm {
  return {
    name: policy.name,
    issuer: policy.issuer,
    audience: policy.audience,
    subject: policy.subject ?? '',
    claims: claimLines(policy.claims),
    user: username,
    scopes: policy.scopes,
    audiences: policy.audiences,
    max_ttl_seconds: String(policy.max_ttl_seconds),
    single_use: policy.single_use ? 'true' : undefined,
    require_dpop: policy.require_dpop ? 'true' : undefined,
  };
}
