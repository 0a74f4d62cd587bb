/**
 * oidc-provider builds every URL it publishes (`jwks_uri`, `token_endpoint`, ...) from the
 * request's `ctx.href`, which Koa derives from the `Host` header (and, behind `app.proxy`, from
 * `X-Forwarded-*`). Discovery is rendered once and kept, so one forged `Host` would decide
 * where every later client fetches keys from. Each request is therefore shown to the provider
 * as if it had arrived at the issuer's origin, whatever its headers or request target say.
 *
 * The fixed values live on one prototype per issuer, put between the request and Koa's request
 * prototype: defining six own properties on every request made each request object a slow,
 * dictionary-mode one (about 9 µs an exchange in `npm run bench:profile`).
 */
import type { Context } from 'koa';

const ABSOLUTE_TARGET = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i;
const prototypes = new WeakMap<object, Map<string, object>>();

function issuerPrototype(base: object, issuer: URL): object {
  const byIssuer = prototypes.get(base) ?? new Map<string, object>();
  prototypes.set(base, byIssuer);
  let prototype = byIssuer.get(issuer.href);
  if (!prototype) {
    const protocol = issuer.protocol.slice(0, -1);
    prototype = Object.create(base, {
      protocol: { value: protocol },
      secure: { value: protocol === 'https' },
      host: { value: issuer.host },
      hostname: { value: issuer.hostname },
      origin: { value: issuer.origin },
      href: {
        get(this: { url: string }) {
          return `${issuer.origin}${this.url.replace(ABSOLUTE_TARGET, '')}`;
        },
      },
    }) as object;
    byIssuer.set(issuer.href, prototype);
  }
  return prototype;
}

/**
 * Hands the provider a request object made from the issuer's prototype, with the request's own
 * fields (req, res, the parsed body, Koa's memoised values) copied over. Changing the prototype
 * of the live object instead (`Object.setPrototypeOf`) cost about 8 µs an exchange in
 * `npm run bench:profile` on Node 24 (bench/README.md).
 */
export function presentAsIssuer(ctx: Context, issuer: URL): void {
  const current = ctx.request;
  const shown = Object.create(
    issuerPrototype(Object.getPrototypeOf(current) as object, issuer),
  ) as Context['request'];
  Object.assign(shown, current);
  ctx.request = shown;
  ctx.response.request = shown;
}
