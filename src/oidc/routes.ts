/**
 * The OAuth endpoints Tessera serves through oidc-provider: discovery (under both RFC 8414 and
 * OpenID names), the JWKS and the token endpoint. Every other provider route (authorization,
 * end session, device, registration, interactions...) belongs to browser flows Tessera does
 * not offer, and answers 404 here without reaching the provider.
 */
import { createHash } from 'node:crypto';
import type { Context, Middleware, Next } from 'koa';
import { DPOP_SIGNING_ALGS } from '../dpop/algorithms.js';
import { exchangeDeps } from '../exchange/deps.js';
import type { Services } from '../services.js';
import type { CachedDocument, ProviderHost } from './host.js';
import { tokenEndpoint } from './token-endpoint.js';

export const OPENID_CONFIGURATION = '/.well-known/openid-configuration';
export const AS_METADATA = '/.well-known/oauth-authorization-server';
export const JWKS_PATH = '/jwks';
export const TOKEN_PATH = '/token';

const PROVIDER_PATHS = new Set([OPENID_CONFIGURATION, JWKS_PATH, TOKEN_PATH]);

/** Metadata members for endpoints and flows that answer 404 here (RFC 8414 §2 makes them optional). */
const UNSERVED_METADATA = [
  'authorization_endpoint',
  'authorization_response_iss_parameter_supported',
  'claims_parameter_supported',
  'claims_supported',
  'code_challenge_methods_supported',
  'grant_types_supported_by_browser',
  'id_token_signing_alg_values_supported',
  'request_parameter_supported',
  'request_uri_parameter_supported',
  'require_request_uri_registration',
  'response_modes_supported',
  'subject_types_supported',
  'claim_types_supported',
];

function trimDiscovery(ctx: Context) {
  if (ctx.status !== 200 || typeof ctx.body !== 'object' || ctx.body === null) return;
  const document = { ...(ctx.body as Record<string, unknown>) };
  for (const member of UNSERVED_METADATA) delete document[member];
  // oidc-provider always adds `openid`, but Tessera issues no ID tokens: offering it misleads.
  if (Array.isArray(document.scopes_supported)) {
    document.scopes_supported = document.scopes_supported.filter((scope) => scope !== 'openid');
  }
  // RFC 9449 §5.1. Tessera checks proofs itself (dpop/), with oidc-provider's DPoP feature off.
  document.dpop_signing_alg_values_supported = [...DPOP_SIGNING_ALGS];
  ctx.body = document;
}

/** Renders the document through the live provider once, and keeps it with its headers. */
async function renderDocument(ctx: Context, host: ProviderHost, path: string, jwksMaxAge: number) {
  const original = ctx.path;
  ctx.path = path;
  try {
    await host.handle(ctx);
  } finally {
    ctx.path = original;
  }
  if (ctx.status !== 200) return undefined;
  if (path === OPENID_CONFIGURATION) trimDiscovery(ctx);
  const body = Buffer.from(typeof ctx.body === 'string' ? ctx.body : JSON.stringify(ctx.body));
  const etag = `"${createHash('sha256').update(body).digest('base64url')}"`;
  const document: CachedDocument = {
    body,
    etag,
    headers: {
      'Content-Type': ctx.response.get('content-type') || 'application/json; charset=utf-8',
      ETag: etag,
      'Cache-Control': path === JWKS_PATH ? `public, max-age=${jwksMaxAge}` : 'public, max-age=300',
      'Access-Control-Allow-Origin': '*',
    },
  };
  host.documents.set(path, document);
  return document;
}

/**
 * JWKS and discovery change only when the provider is swapped, so each is rendered by the
 * provider once, then sent from the stored body and headers with a strong ETag (304 on a
 * match). This is the busiest GET a downstream fleet makes, so it sets headers straight on the
 * response rather than through Koa's per-header helpers.
 */
async function serveDocument(ctx: Context, host: ProviderHost, path: string, jwksMaxAge: number) {
  const document = host.documents.get(path) ?? (await renderDocument(ctx, host, path, jwksMaxAge));
  if (!document) return;
  ctx.status = 200;
  for (const name in document.headers) ctx.res.setHeader(name, document.headers[name] as string);
  if (ctx.get('if-none-match') === document.etag) {
    ctx.res.removeHeader('Content-Type');
    ctx.status = 304;
    return;
  }
  ctx.body = document.body;
}

export function oidcRoutes(host: ProviderHost, services: Services): Middleware {
  const jwksMaxAge = services.config.signing.jwksMaxAgeSeconds;
  // The live keys, read per request: a key swap replaces the provider and these together.
  const exchange = exchangeDeps(
    services,
    () => host.keys.signing,
    () => host.keys,
  );
  const token = { host, services, exchange };
  return async (ctx: Context, next: Next) => {
    // RFC 8414 §3: the same document under the OAuth name.
    const path = ctx.path === AS_METADATA ? OPENID_CONFIGURATION : ctx.path;
    if (!PROVIDER_PATHS.has(path)) return next();
    if (path === TOKEN_PATH && ctx.method === 'POST') return tokenEndpoint(ctx, token);
    if (path !== TOKEN_PATH && (ctx.method === 'GET' || ctx.method === 'HEAD')) {
      return serveDocument(ctx, host, path, jwksMaxAge);
    }
    // Anything else (e.g. GET /token) gets the provider's own answer.
    await host.handle(ctx);
  };
}
