/**
 * `verifyRequest({ method, url, headers })`: a whole request's credential, checked as a DPoP
 * resource server (RFC 9449 §7) would. A token bound to a key (`cnf.jkt`) is accepted only under
 * the `DPoP` scheme with a proof for this request: signature by the proof's own public key,
 * `typ`, an asymmetric `alg`, `htm`, `htu` (without query and fragment), `iat` within the window,
 * `ath` (this token's hash), the key's thumbprint = `cnf.jkt`, and a `jti` not seen within the
 * window. A bound token sent as `Bearer` is refused; an unbound token is checked as `verify` does.
 *
 * @example
 * ```ts
 * import { createRequestVerifier } from 'tessera-jwt-verify';
 * const verifyRequest = createRequestVerifier({ issuer: 'https://tessera.example.com', audience: 'https://api.example.com' });
 * const claims = await verifyRequest({ method: 'GET', url: 'https://api.example.com/repos', headers: req.headers });
 * ```
 */
import { base64url, calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, jwtVerify } from 'jose';
import {
  ALLOW_BOUND,
  createTesseraVerifier,
  type TesseraClaims,
  TesseraTokenError,
  type TesseraVerifierOptions,
} from './index.js';

/** Where proof `jti`s are remembered; share one (e.g. Redis) between the replicas of a service. */
export interface ReplayStore {
  /** True the first time `key` is seen; it need not be remembered after `expiresAt`. */
  consume(key: string, expiresAt: Date): Promise<boolean> | boolean;
}

/** The default: this process's memory, pruned as it goes. Per replica: see the README. */
export function memoryReplayStore(): ReplayStore {
  const seen = new Map<string, number>();
  return {
    consume(key, expiresAt) {
      const now = Date.now();
      for (const [k, until] of seen) if (until < now) seen.delete(k);
      if (seen.has(key)) return false;
      seen.set(key, expiresAt.getTime());
      return true;
    },
  };
}

export interface RequestVerifierOptions extends TesseraVerifierOptions {
  dpop?: {
    /** A proof's `iat` may be this far from now, either way. Default 60. */
    iatSkewSeconds?: number;
    /** Default: `memoryReplayStore()`. */
    replayStore?: ReplayStore;
    /** Accepted proof algorithms. Default: Tessera's `dpop_signing_alg_values_supported`. */
    algorithms?: string[];
  };
}

export interface IncomingRequest {
  method: string;
  /** The absolute URL this service was called at, as the client addressed it. */
  url: string;
  headers: Headers | Record<string, string | string[] | undefined>;
}

const DPOP_ALGS = ['ES256', 'ES384', 'EdDSA', 'Ed25519', 'RS256', 'PS256'];
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

const invalid = (message: string) => new TesseraTokenError('invalid_token', message);

function header(headers: IncomingRequest['headers'], name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name] ?? headers[name.toLowerCase()];
  if (Array.isArray(value)) throw invalid(`more than one ${name} header`);
  return value;
}

/**
 * A dot segment (`.` or `..`, also spelt `%2e`, after `/` or `\`) in the path the request was
 * sent with. URL parsing removes it (RFC 3986 §5.2.4), routers do not: `/admin/../repos` would
 * match a proof for `/repos` while the framework routes it under `/admin`. Clients send paths
 * without them (WHATWG fetch resolves them first), so no honest request is refused.
 */
const DOT_SEGMENT = /(^|[/\\])(\.|%2e){1,2}([/\\]|$)/i;
const pathAsSent = (url: string) =>
  url.replace(/^[a-z][a-z\d+.-]*:\/\/[^/\\?#]*/i, '').split(/[?#]/, 1)[0] ?? '';

function withoutQuery(url: string): string | null {
  const parsed = URL.parse(url);
  if (!parsed) return null;
  parsed.search = '';
  parsed.hash = '';
  return parsed.href;
}

async function proofKey(
  proof: string,
  token: string,
  request: IncomingRequest,
  skew: number,
  algorithms: string[],
) {
  const protectedHeader = decodeProtectedHeader(proof);
  const jwk = protectedHeader.jwk;
  if (!jwk || PRIVATE_MEMBERS.some((m) => m in jwk)) throw invalid('DPoP proof jwk missing or private');
  const { payload } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms });
  if (payload.htm !== request.method.toUpperCase()) throw invalid('DPoP proof htm mismatch');
  const htu = typeof payload.htu === 'string' ? withoutQuery(payload.htu) : null;
  if (!htu || htu !== withoutQuery(request.url)) throw invalid('DPoP proof htu mismatch');
  if (DOT_SEGMENT.test(pathAsSent(request.url))) throw invalid('request path has dot segments');
  if (typeof payload.iat !== 'number' || Math.abs(Date.now() / 1000 - payload.iat) > skew) {
    throw invalid('DPoP proof iat outside the window');
  }
  const ath = base64url.encode(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token))),
  );
  if (payload.ath !== ath) throw invalid('DPoP proof ath mismatch');
  if (typeof payload.jti !== 'string' || !payload.jti) throw invalid('DPoP proof has no jti');
  return { jkt: await calculateJwkThumbprint(jwk), jti: payload.jti, iat: payload.iat };
}

export function createRequestVerifier(options: RequestVerifierOptions) {
  const verifyToken = createTesseraVerifier(options);
  const skew = options.dpop?.iatSkewSeconds ?? 60;
  const replay = options.dpop?.replayStore ?? memoryReplayStore();
  const algorithms = options.dpop?.algorithms ?? DPOP_ALGS;

  return async function verifyRequest(
    request: IncomingRequest,
    required: { scopes?: string[] } = {},
  ): Promise<TesseraClaims> {
    const match = /^(Bearer|DPoP) +([^\s]+) *$/i.exec(header(request.headers, 'authorization') ?? '');
    if (!match) throw invalid('no Bearer or DPoP credentials');
    const scheme = (match[1] as string).toLowerCase();
    const token = match[2] as string;
    if (scheme === 'bearer') return verifyToken(token, required);
    const claims = await verifyToken(token, { ...required, [ALLOW_BOUND]: true });
    const jkt = (claims.cnf as { jkt?: unknown } | undefined)?.jkt;
    if (typeof jkt !== 'string') throw invalid('the token is not DPoP-bound');
    const proof = header(request.headers, 'dpop');
    if (!proof || proof.includes(',')) throw invalid('exactly one DPoP proof is required');
    let key: Awaited<ReturnType<typeof proofKey>>;
    try {
      key = await proofKey(proof, token, request, skew, algorithms);
    } catch (error) {
      throw error instanceof TesseraTokenError ? error : invalid(`DPoP proof: ${(error as Error).message}`);
    }
    if (key.jkt !== jkt) throw invalid('DPoP proof key does not match cnf.jkt');
    if (!(await replay.consume(`${key.jkt}:${key.jti}`, new Date((key.iat + skew) * 1000)))) {
      throw invalid('DPoP proof replayed');
    }
    return claims;
  };
}
