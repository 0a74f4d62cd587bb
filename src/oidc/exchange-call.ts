/** One token-exchange call from a `/token` request, the same whoever authenticated the client. */
import type { Context } from 'koa';
import { DPOP_NONCE_HEADER } from '../dpop/token-endpoint.js';
import type { ExchangeCall } from '../exchange/grant.js';

export function exchangeCallOf(ctx: Context, clientId: string, params: ExchangeCall['params']): ExchangeCall {
  return {
    clientId,
    params,
    ip: ctx.ip || null,
    dpop: {
      header: ctx.req.headers.dpop,
      method: ctx.method,
      path: ctx.path,
      sendNonce: (nonce: string) => ctx.set(DPOP_NONCE_HEADER, nonce),
    },
  };
}
