/**
 * `/api/v1` accepts Tessera-issued JWTs for the built-in resource `<issuer>/api`, verified
 * locally against the current key set: `typ` at+jwt (RFC 9068 §4), `iss`, `aud`, `exp` and the
 * signature. A JWT is only as good as the PAT it was exchanged from: that PAT and its user are
 * checked too, so revocation reaches JWTs already issued.
 */
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { AuditEvent } from '../audit/event.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/queryable.js';
import { readActClaim } from '../delegation/act-chain.js';
import { SIGNING_ALGS } from '../keys/algorithms.js';
import { publicJwks } from '../keys/jwks.js';
import type { KeyRing } from '../keys/keyring.js';
import { IP_NOT_ALLOWED } from '../pat/address-allowlist.js';
import { findPatRecordById } from '../pat/lookup.js';
import { refusalReason } from '../pat/record.js';
import { intersectScopes } from '../scopes.js';
import { addressRefusal } from './address-refusal.js';
import type { Caller } from './caller.js';

export interface JwtAuthDeps {
  db: Database;
  clock: Clock;
  issuer: string;
  keys: () => KeyRing;
  /** Where a JWT refused for its PAT's `allowed_cidrs` is audited. */
  audit?: ((event: AuditEvent) => Promise<void>) | undefined;
}

/** RFC 7800 `cnf`: the DPoP key thumbprint (RFC 9449 §6.1), undefined when unbound, false when unreadable. */
function boundKey(payload: Record<string, unknown>): string | undefined | false {
  if (payload.cnf === undefined) return undefined;
  const jkt = (payload.cnf as { jkt?: unknown } | null)?.jkt;
  return typeof jkt === 'string' && jkt.length > 0 ? jkt : false;
}

/** Deeper than any `exchange.maxActorDepth` Tessera would issue; only bounds the reading. */
const MAX_ACT_DEPTH = 16;

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export function jwtAuthenticator(deps: JwtAuthDeps) {
  let cached: { fingerprint: string; jwks: ReturnType<typeof createLocalJWKSet> } | undefined;
  const jwks = () => {
    const ring = deps.keys();
    if (cached?.fingerprint !== ring.fingerprint) {
      cached = { fingerprint: ring.fingerprint, jwks: createLocalJWKSet(publicJwks(ring.published)) };
    }
    return cached.jwks;
  };

  return async function authenticateJwt(token: string, ip: string | null): Promise<Caller | null> {
    if (!JWT_SHAPE.test(token)) return null;
    const now = deps.clock();
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, jwks(), {
        issuer: deps.issuer,
        audience: `${deps.issuer}/api`,
        typ: 'at+jwt',
        algorithms: [...SIGNING_ALGS],
        currentDate: now,
        requiredClaims: ['sub', 'exp', 'iat', 'jti'],
      }));
    } catch {
      return null;
    }
    if (typeof payload.pat_id !== 'string' || typeof payload.sub !== 'string') return null;
    const holder = await findPatRecordById(deps.db, payload.pat_id);
    if (!holder || holder.user.id !== payload.sub) return null;
    const refusal = refusalReason(holder, now, ip);
    if (refusal === IP_NOT_ALLOWED) await deps.audit?.(addressRefusal(holder, now, ip));
    if (refusal) return null;
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
    const binding = boundKey(payload);
    if (binding === false) return null;
    // Tessera issued this token, so an `act` is one of its own; an unreadable one is no token.
    const act = readActClaim(payload.act, MAX_ACT_DEPTH);
    if (act === 'malformed') return null;
    return {
      user: holder.user,
      credential: 'jwt',
      patId: holder.pat.id,
      scopes: intersectScopes(scopes, holder.user.entitlements),
      // A JWT is as fenced as its PAT: usable only from the PAT's networks (refusalReason above)
      // and minting nothing that works from elsewhere.
      allowedCidrs: holder.pat.allowed_cidrs ?? null,
      ...(binding ? { jkt: binding } : {}),
      ...(act ? { act } : {}),
      ...(holder.pat.require_dpop ? { requireDpop: true } : {}),
    };
  };
}
