/**
 * What the new-token form and the render-once banner share, for a person's own tokens and for
 * an admin making one for a service account: the form's schema and its reading as the service's
 * request, the scopes and expiries on offer, the banner response and the errors shown beside
 * the form. Both pages have the same fields, read by the same functions.
 */
import type { Context } from 'koa';
import { z } from 'zod';
import { allowedCidrsSchema } from '../api/schemas.js';
import type { Queryable } from '../db/queryable.js';
import { ApiProblem, invalidRequest } from '../errors.js';
import { fieldErrors } from '../http/parse.js';
import { MAX_ALLOWED_CIDRS } from '../pat/address-allowlist.js';
import { type Presenter, scopesOnOffer } from '../pat/ceiling.js';
import { patLimitsSchema } from '../pat/limits.js';
import { expiryDateRange } from '../pat/policy.js';
import type { IssuedPat, PatRequest } from '../pat/service.js';
import { holdToken } from '../session/reveal.js';
import { type ConsoleDeps, seeOther, sessionOf } from './context.js';
import { expiresInDaysOf, expiryChoices } from './expiry-choices.js';
import { mayActFromText, mayActLabel } from './may-act-form.js';

/** The name and scopes are read as sent; `patLimitsOf` holds them to the API's caps (pat/limits.ts). */
export const newTokenForm = z.object({
  name: z.string().default(''),
  scopes: z
    .union([z.string(), z.array(z.string())])
    .default([])
    .transform((s) => [s].flat()),
  /** Days, `never`, or `date`: then `expires_on` is the day (UTC) it works until the end of. */
  expiration: z
    .string()
    .regex(/^(\d{1,5}|never|date)?$/, { error: 'choose an expiration from the list' })
    .optional(),
  expires_on: z.string().max(10).default(''),
  /** "Allowed networks": CIDRs separated by spaces, commas or new lines (allowedCidrsOf). */
  allowed_cidrs: z.string().max(2000).default(''),
  /** "May act for ...": one entry a line, by name (may-act-form.ts). */
  may_act: z.string().max(4000).default(''),
  require_dpop: z.literal('on').optional(),
});

/**
 * The form as the service's request (pat/service.ts `PatRequest`): what `POST /api/v1/tokens`
 * and `/users/{id}/tokens` give `createPat`, with names resolved to ids. An exact date goes as
 * `expiresOn`, which only pat/policy.ts `expiryOnDate` turns into an expiry (the API has no such
 * field). `owner` names whose token it is when it is not the signed-in person's (the `may_act`
 * field's label, which its errors carry).
 */
export async function patRequestOfForm(
  q: Queryable,
  form: z.output<typeof newTokenForm>,
  owner?: string,
): Promise<PatRequest> {
  const expiry =
    form.expiration === 'date'
      ? { expiresOn: form.expires_on }
      : { expiresInDays: expiresInDaysOf(form.expiration) };
  return {
    ...patLimitsOf(form),
    ...expiry,
    allowedCidrs: allowedCidrsOf(form.allowed_cidrs),
    mayAct: await mayActFromText(q, form.may_act, mayActLabel(owner)),
    requireDpop: form.require_dpop === 'on',
  };
}

/** The expirations the token policy offers: presets, and the range of exact days (pat/policy.ts). */
export function expiryOffer(deps: ConsoleDeps, expiration?: string) {
  return {
    expiries: expiryChoices(deps.config.tokens, expiration),
    dateRange: expiryDateRange(deps.config.tokens, deps.clock()),
  };
}

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
