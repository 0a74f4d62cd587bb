import type { Context } from 'koa';
import type { RequestMeta } from '../audit/event.js';

/** Where a request came from, as audit rows record it (the address is `ctx.ip`, see net/client-address.ts). */
export function requestMeta(ctx: Context): RequestMeta {
  return { ip: ctx.ip || null, userAgent: ctx.get('user-agent') || null };
}
