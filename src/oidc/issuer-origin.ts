/**
 * oidc-provider builds every URL it publishes (`jwks_uri`, `token_endpoint`, ...) from the
 * request's `ctx.href`, which Koa derives from the `Host` header (and, behind `app.proxy`, from
 * `X-Forwarded-*`). Discovery is rendered once and kept, so one forged `Host` would decide
 * where every later client fetches keys from. Each request is therefore shown to the provider
 * as if it had arrived at the issuer's origin, whatever its headers or request target say.
 */
import type { Context } from 'koa';

export function presentAsIssuer(ctx: Context, issuer: URL): void {
  const protocol = issuer.protocol.slice(0, -1);
  const fixed = (value: unknown) => ({ value, configurable: true, enumerable: true });
  Object.defineProperties(ctx.request, {
    protocol: fixed(protocol),
    secure: fixed(protocol === 'https'),
    host: fixed(issuer.host),
    hostname: fixed(issuer.hostname),
    origin: fixed(issuer.origin),
    href: fixed(`${issuer.origin}${ctx.request.url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '')}`),
  });
}
