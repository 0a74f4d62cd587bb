/**
 * The signing keys of trusted external issuers: each issuer's discovery document names its
 * JWKS, fetched with jose's remote key set (cached; an unknown `kid` re-fetches at most once per
 * cooldown; every fetch has a timeout). Only issuers some trust policy names get here, so no
 * request can make Tessera fetch from a URL of its choosing. Cache age and cooldowns are read
 * from the injected clock (jose's own timers read the host's, so they are switched off).
 */
import { createRemoteJWKSet, customFetch, errors, type JWTVerifyGetKey } from 'jose';
import { type Clock, systemClock } from '../clock.js';
import type { FederationConfig } from '../config.js';
import { cappedFetch } from './capped-fetch.js';

/** The issuer cannot be reached or answers nonsense: the exchange is `temporarily_unavailable`. */
export class IssuerUnavailable extends Error {
  override name = 'IssuerUnavailable';
}

const DISCOVERY_PATH = '/.well-known/openid-configuration';

interface Discovery {
  issuer?: unknown;
  jwks_uri?: unknown;
}

export class IssuerKeys {
  readonly #keySets = new Map<string, JWTVerifyGetKey>();
  /** Discoveries in flight: requests arriving together share one. */
  readonly #pending = new Map<string, Promise<JWTVerifyGetKey>>();
  /** A failed discovery is not retried before this time (ms), so a down issuer is not hammered. */
  readonly #failedUntil = new Map<string, { until: number; reason: string }>();

  constructor(
    private readonly config: FederationConfig,
    private readonly clock: Clock = systemClock,
  ) {}

  /** The key lookup for `issuer`'s tokens, discovering its JWKS on first use. */
  async keysFor(issuer: string): Promise<JWTVerifyGetKey> {
    const known = this.#keySets.get(issuer);
    if (known) return known;
    const failed = this.#failedUntil.get(issuer);
    if (failed && this.#now() < failed.until)
      throw new IssuerUnavailable(`${failed.reason} (retried after the cooldown)`);
    let pending = this.#pending.get(issuer);
    if (!pending) {
      pending = this.#discover(issuer).finally(() => this.#pending.delete(issuer));
      this.#pending.set(issuer, pending);
    }
    return pending;
  }

  async #discover(issuer: string): Promise<JWTVerifyGetKey> {
    let jwksUri: URL;
    try {
      jwksUri = await this.#discoverJwksUri(issuer);
    } catch (error) {
      const until = this.#now() + this.config.jwksCooldownSeconds * 1000;
      this.#failedUntil.set(issuer, { until, reason: (error as Error).message });
      throw error;
    }
    this.#failedUntil.delete(issuer);
    const remote = this.#remoteKeys(jwksUri);
    const keys: JWTVerifyGetKey = async (header, token) => {
      try {
        return await remote(header, token);
      } catch (error) {
        throw unavailableUnlessVerification(error, issuer);
      }
    };
    this.#keySets.set(issuer, keys);
    return keys;
  }

  #now(): number {
    return this.clock().getTime();
  }

  /**
   * jose fetches and parses the JWKS; when to fetch is decided here on the injected clock: again
   * once the cache is `jwksCacheSeconds` old, and for an unknown `kid` at most once a cooldown.
   */
  #remoteKeys(jwksUri: URL): JWTVerifyGetKey {
    // Infinite durations: jose fetches on first use and then only when `reload` is called.
    const remote = createRemoteJWKSet(jwksUri, {
      cooldownDuration: Number.POSITIVE_INFINITY,
      cacheMaxAge: Number.POSITIVE_INFINITY,
      timeoutDuration: this.config.fetchTimeoutMs,
      [customFetch]: cappedFetch(),
    });
    const cooldownMs = this.config.jwksCooldownSeconds * 1000;
    const cacheMs = this.config.jwksCacheSeconds * 1000;
    let fetchedAt: number | undefined;
    const reload = async () => {
      const at = this.#now();
      await remote.reload();
      fetchedAt = at;
    };
    return async (header, token) => {
      if (fetchedAt === undefined || this.#now() >= fetchedAt + cacheMs) await reload();
      try {
        return await remote(header, token);
      } catch (error) {
        if (!(error instanceof errors.JWKSNoMatchingKey) || this.#now() < (fetchedAt ?? 0) + cooldownMs)
          throw error;
        await reload();
        return remote(header, token);
      }
    };
  }

  async #discoverJwksUri(issuer: string): Promise<URL> {
    const url = `${issuer.replace(/\/+$/, '')}${DISCOVERY_PATH}`;
    let document: Discovery;
    try {
      const response = await cappedFetch()(url, {
        redirect: 'error',
        signal: AbortSignal.timeout(this.config.fetchTimeoutMs),
        headers: { accept: 'application/json' },
      });
      if (response.status !== 200) throw new Error(`discovery answered ${response.status}`);
      document = (await response.json()) as Discovery;
    } catch (error) {
      throw new IssuerUnavailable(`discovery of ${issuer} failed: ${(error as Error).message}`);
    }
    // OpenID Connect Discovery §4.3: the document's issuer must be the one asked for.
    if (document.issuer !== issuer)
      throw new IssuerUnavailable(`discovery of ${issuer} names another issuer`);
    return sameOriginJwksUri(issuer, document.jwks_uri);
  }
}

/** The keys come from the issuer's own origin: a discovery document cannot send Tessera elsewhere. */
function sameOriginJwksUri(issuer: string, jwksUri: unknown): URL {
  let url: URL;
  try {
    url = new URL(String(jwksUri));
  } catch {
    throw new IssuerUnavailable(`discovery of ${issuer} has no valid jwks_uri`);
  }
  if (url.origin !== new URL(issuer).origin) {
    throw new IssuerUnavailable(`discovery of ${issuer} names a jwks_uri on another origin`);
  }
  return url;
}

/** A key that does not match is the token's fault; a JWKS that cannot be had is the issuer's. */
function unavailableUnlessVerification(error: unknown, issuer: string): unknown {
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys)
    return error;
  if (error instanceof errors.JOSENotSupported) return error;
  return new IssuerUnavailable(`JWKS of ${issuer} unavailable: ${(error as Error).message}`);
}
