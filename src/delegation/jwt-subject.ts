/**
 * A Tessera JWT as the subject of a chained exchange (DESIGN.md, "Delegation: chains"). It is
 * accepted only with an actor (checked by the caller), only while it is unexpired, for the same
 * resource it was issued for, and only while its root PAT is usable: a chain dies with its PAT.
 * What it holds is its own `scope` (never more), its `may_act` claim is the consent, its
 * `act` the actors so far, and its `cnf` (or its root PAT's `require_dpop`) demands a proof.
 */
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { Queryable } from '../db/queryable.js';
import { invalidSubjectToken } from '../exchange/denial.js';
import { peekJwt } from '../exchange/jwt-peek.js';
import { type ExchangeSubject, SubjectDenied } from '../exchange/subject.js';
import { SIGNING_ALGS } from '../keys/algorithms.js';
import { publicJwks } from '../keys/jwks.js';
import type { KeyRing } from '../keys/keyring.js';
import { findPatRecordById } from '../pat/lookup.js';
import { unusableReason } from '../pat/record.js';
import { intersectScopes } from '../scopes.js';
import { readActClaim } from './act-chain.js';
import { readMayAct } from './may-act.js';

/** Is this (unverified) token one Tessera issued? Then it is never a federated subject. */
export function claimsTesseraIssuer(token: string, issuer: string): boolean {
  try {
    return peekJwt(token).claims.iss === issuer;
  } catch {
    return false;
  }
}

const denied = (reason: string, patId: string | null = null, userId: string | null = null) =>
  new SubjectDenied(invalidSubjectToken(reason), { patId, userId });

export interface JwtSubjectDeps {
  db: Queryable;
  issuer: string;
  keys: () => KeyRing;
  maxActorDepth: number;
}

/** The published keys as jose's key set, made once per key ring (keys import lazily, then stay). */
const keySets = new WeakMap<KeyRing, ReturnType<typeof createLocalJWKSet>>();
function keySetOf(keys: KeyRing) {
  let set = keySets.get(keys);
  if (!set) {
    set = createLocalJWKSet(publicJwks(keys.published));
    keySets.set(keys, set);
  }
  return set;
}

async function verified(deps: JwtSubjectDeps, token: string, now: Date) {
  try {
    const jwks = keySetOf(deps.keys());
    const { payload } = await jwtVerify(token, jwks, {
      issuer: deps.issuer,
      typ: 'at+jwt',
      algorithms: [...SIGNING_ALGS],
      currentDate: now,
      clockTolerance: 0,
      requiredClaims: ['sub', 'exp', 'iat', 'jti', 'aud'],
    });
    return payload;
  } catch (error) {
    throw denied(`subject JWT: ${(error as { code?: string }).code ?? 'invalid'}`);
  }
}

export async function tesseraJwtSubject(
  deps: JwtSubjectDeps,
  token: string,
  now: Date,
): Promise<ExchangeSubject> {
  const payload = await verified(deps, token, now);
  const patId = typeof payload.pat_id === 'string' ? payload.pat_id : null;
  if (!patId || typeof payload.aud !== 'string') throw denied('subject JWT stands on no PAT');
  const root = await findPatRecordById(deps.db, patId);
  if (!root || root.user.id !== payload.sub) throw denied('subject JWT: root PAT unknown', patId);
  const unusable = unusableReason(root, now);
  if (unusable) throw denied(`subject JWT: root PAT ${unusable}`, patId, root.user.id);
  const act = readActClaim(payload.act, deps.maxActorDepth);
  if (act === 'malformed') throw denied('subject JWT: malformed act', patId, root.user.id);
  const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
  const left = Math.floor(((payload.exp as number) * 1000 - now.getTime()) / 1000);
  return {
    userId: root.user.id,
    credentialId: patId,
    entitlements: root.user.entitlements,
    heldScopes: intersectScopes(scopes, root.pat.scopes),
    maxLifetime: left,
    claims: { pat_id: patId },
    facts: { patId, userId: root.user.id },
    mayAct: readMayAct(payload.may_act),
    act,
    requiredAudience: payload.aud,
    isJwt: true,
    // The binding survives the hop (RFC 9449; issue 21): a bound subject JWT, or one whose root
    // PAT now asks for DPoP, yields only a JWT bound to the proof presented with this request.
    requireDpop: root.pat.require_dpop === true || payload.cnf !== undefined,
  };
}
