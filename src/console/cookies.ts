/**
 * The console's cookies. The session cookie is `__Host-tessera_session` with `Secure` when the
 * issuer is https (the `__Host-` prefix pins it to this host and path `/`), `tessera_session`
 * otherwise; always HttpOnly and SameSite=Lax. The Set-Cookie header is written here rather
 * than through Koa's cookies, which refuse `Secure` on the plain-http hop behind a TLS proxy.
 */
import type { Context } from 'koa';

export interface CookieNames {
  session: string;
  signIn: string;
  secure: boolean;
}

export function cookieNames(issuer: string): CookieNames {
  const secure = new URL(issuer).protocol === 'https:';
  const prefix = secure ? '__Host-' : '';
  return { session: `${prefix}tessera_session`, signIn: `${prefix}tessera_sign_in`, secure };
}

export function setCookie(
  ctx: Context,
  names: CookieNames,
  name: string,
  value: string,
  maxAgeSeconds: number,
) {
  const attributes = [`${name}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${maxAgeSeconds}`];
  if (names.secure) attributes.push('Secure');
  ctx.append('Set-Cookie', attributes.join('; '));
}

export function clearCookie(ctx: Context, names: CookieNames, name: string) {
  setCookie(ctx, names, name, '', 0);
}

export function readCookie(ctx: Context, name: string): string | undefined {
  return ctx.cookies.get(name) ?? undefined;
}
