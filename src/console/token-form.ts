/**
 * What the new-token form and the render-once banner share, for a person's own tokens and for
 * an admin making one for a service account: the form's schema, the scopes on offer, the
 * banner response and the errors shown beside the form.
 */
import type { Context } from 'koa';
import { z } from 'zod';
import { allowedCidrsSchema } from '../api/schemas.js';
import { ApiProblem, invalidRequest } from '../errors.js';
import { fieldErrors } from '../http/parse.js';
import { MAX_ALLOWED_CIDRS } from '../pat/address-allowlist.js';
import { type Presenter, scopesOnOffer } from '../pat/ceiling.js';
import { patLimitsSchema } from '../pat/limits.js';
import type { IssuedPat } from '../pat/service.js';
import { holdToken } from '../session/reveal.js';
import { type ConsoleDeps, seeOther, sessionOf } from './context.js';

/** The name and scopes are read as sent; `patLimitsOf` holds them to the API's caps (pat/limits.ts). */
export const newTokenForm = z.object({
  name: z.string().default(''),
  scopes: z
    .union([z.string(), z.array(z.string())])
    .default([])
    .transform((s) => [s].flat()),
  expiration: z
    .string()
    .regex(/^(\d{1,5}|never)?$/, { error: 'choose an expiration from the list' })
    .optional(),
  /** "Allowed networks": CIDRs separated by spaces, commas or new lines (allowedCidrsOf). */
  allowed_cidrs: z.string().max(2000).default(''),
});

/** The form's name and scopes within the limits the API's body has (400 beside the form otherwise). */
export function patLimitsOf(form: { name: string; scopes: string[] }) {
  const parsed = patLimitsSchema.safeParse({ name: form.name, scopes: form.scopes });
  if (!parsed.success) throw invalidRequest(fieldErrors(parsed.error));
  return parsed.data;
}

/** The label of the networks field; its errors carry it, so the page shows them beside the field. */
export const NETWORKS_LABEL = 'Allowed networks';

/**
 * The "Allowed networks" field as a PAT's `allowed_cidrs`, by the API's own rules
 * (api/schemas.ts); empty is null: usable from anywhere. Each error names the entry it is about.
 */
export function allowedCidrsOf(text: string): string[] | null {
  const entries = text.split(/[\s,]+/).filter(Boolean);
  if (entries.length === 0) return null;
  const parsed = allowedCidrsSchema.safeParse(entries);
  if (parsed.success) return parsed.data;
  const messages = parsed.error.issues.map((issue) => {
    const at = issue.path[0];
    if (typeof at === 'number') return `${entries[at]}: ${issue.message}`;
    return `at most ${MAX_ALLOWED_CIDRS} networks`;
  });
  throw invalidRequest([...new Set(messages)].map((message) => ({ field: NETWORKS_LABEL, message })));
}

/** The scopes on offer for a new token of `owner`, as the scope ceiling decides them (pat/ceiling.ts). */
export function grantableScopes(
  deps: ConsoleDeps,
  owner: { id: string; entitlements: readonly string[] },
  presenter: Presenter,
) {
  const offered = new Set(scopesOnOffer(Object.keys(deps.config.scopes), owner, presenter));
  return Object.entries(deps.config.scopes)
    .filter(([name]) => offered.has(name))
    .map(([name, description]) => ({ name, description }));
}

/**
 * After a POST that issued a token: hold its secret for one showing and 303 to the page that
 * shows it (token-reveal.ts), so a reload repeats a GET, never the POST (issue 18).
 */
export async function sendIssued(ctx: Context, deps: ConsoleDeps, issued: IssuedPat, back: string) {
  const slot = await holdToken(deps.db, deps.clock, sessionOf(ctx), {
    patId: issued.pat.id,
    token: issued.token,
    back,
  });
  seeOther(ctx, `/console/tokens/issued/${slot}`);
}

/** Errors the form can show next to it (400/403/409 from the service); anything else propagates. */
export function formErrors(error: unknown): string[] {
  if (!(error instanceof ApiProblem) || error.status >= 500 || error.status === 404) throw error;
  return error.errors?.map((e) => `${e.field}: ${e.message}`) ?? [error.detail ?? error.title];
}
