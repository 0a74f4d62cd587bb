/** What console routes are built from, and the per-request helpers they share. */
import type { Context } from 'koa';
import type { Actor } from '../audit/actor.js';
import { requestMeta } from '../http/request-meta.js';
import { ADMIN_SCOPE } from '../scopes.js';
import type { Services } from '../services.js';
import { csrfTokenFor } from '../session/secret.js';
import type { ActiveSession, SessionContext } from '../session/service.js';
import { type CookieNames, cookieNames } from './cookies.js';
import { type Html, renderDocument } from './jsx.js';
import type { Viewer } from './views/layout.js';

export interface ConsoleDeps extends Services {
  sessions: SessionContext;
  cookies: CookieNames;
}

export function consoleDeps(deps: Services): ConsoleDeps {
  return {
    ...deps,
    sessions: { db: deps.db, clock: deps.clock, lifetimes: deps.config.console },
    cookies: cookieNames(deps.config.issuer),
  };
}

export function sessionOf(ctx: Context): ActiveSession {
  return ctx.state.session as ActiveSession;
}

export function viewerOf(ctx: Context): Viewer {
  const session = sessionOf(ctx);
  return {
    username: session.user.username,
    admin: session.scopes.includes(ADMIN_SCOPE),
    csrf: csrfTokenFor(session.secret),
  };
}

/**
 * The ONE place a console action's actor is built; the API builds its own in api/http.ts. The
 * session's scopes and networks are its credential's: pat/ceiling.ts bounds what it mints by them, and
 * pat/revocation.ts decides by them which revocations it may undo.
 */
export function sessionActor(session: ActiveSession, meta: Actor['meta']): Actor {
  return {
    userId: session.user.id,
    meta,
    credentialScopes: session.scopes,
    credentialCidrs: session.networks,
  };
}

export function actorOfSession(ctx: Context): Actor {
  return sessionActor(sessionOf(ctx), requestMeta(ctx));
}

export function sendPage(ctx: Context, page: Html, status = 200) {
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = renderDocument(page);
}

/** After a successful post: back to a page with GET (303), so a reload does not repeat the change. */
export function seeOther(ctx: Context, location: string) {
  ctx.status = 303;
  ctx.redirect(location);
  ctx.status = 303;
}
