/**
 * What the new-token form and the render-once banner share, for a person's own tokens and for
 * an admin making one for a service account: the form's schema, the scopes on offer, the
 * banner response and the errors shown beside the form.
 */
import type { Context } from 'koa';
import { z } from 'zod';
import { presentPat } from '../api/presenters.js';
import { ApiProblem } from '../errors.js';
import type { IssuedPat } from '../pat/service.js';
import { type ConsoleDeps, sendPage, viewerOf } from './context.js';
import { newTokenBanner } from './views/new-token.js';

export const newTokenForm = z.object({
  name: z.string().trim().max(100).default(''),
  scopes: z
    .union([z.string(), z.array(z.string())])
    .default([])
    .transform((s) => [...new Set([s].flat())]),
  expiration: z
    .string()
    .regex(/^(\d{1,5}|never)?$/, { error: 'choose an expiration from the list' })
    .optional(),
});

/** Scopes a session may put on a new token for `entitlements`: within both (the credential's ceiling). */
export function grantableScopes(deps: ConsoleDeps, entitlements: string[], sessionScopes: string[]) {
  return Object.entries(deps.config.scopes)
    .filter(([name]) => entitlements.includes(name) && sessionScopes.includes(name))
    .map(([name, description]) => ({ name, description }));
}

/** The banner page; `no-store` so no cache, proxy or back button keeps the secret. */
export function sendIssued(ctx: Context, deps: ConsoleDeps, issued: IssuedPat, back: string) {
  ctx.set('Cache-Control', 'no-store');
  const pat = presentPat(issued.pat, deps.clock());
  const { issuer, defaultAudience } = deps.config;
  sendPage(
    ctx,
    newTokenBanner({
      viewer: viewerOf(ctx),
      pat,
      token: issued.token,
      issuer,
      audience: defaultAudience,
      back,
    }),
    201,
  );
}

/** Errors the form can show next to it (400/403/409 from the service); anything else propagates. */
export function formErrors(error: unknown): string[] {
  if (!(error instanceof ApiProblem) || error.status >= 500 || error.status === 404) throw error;
  return error.errors?.map((e) => `${e.field}: ${e.message}`) ?? [error.detail ?? error.title];
}
