/** RFC 8693 §2.1: the shape of a token exchange request, checked before anything is looked up. */

import type { MayAct } from '../delegation/may-act.js';
import { type ActorToken, parseActorToken, parseMayActParam } from '../delegation/request.js';
import { ACCESS_TOKEN_TYPE, ID_TOKEN_TYPE, JWT_TOKEN_TYPE } from './constants.js';
import { invalidRequest } from './denial.js';

export interface ExchangeRequest {
  subjectToken: string;
  /** A Tessera PAT, or an external OIDC token accepted through a trust policy. */
  subjectKind: 'pat' | 'federated';
  /** `trust_policy`: the policy to use when several match a federated token. */
  trustPolicy: string | undefined;
  /** What the response's `issued_token_type` says. */
  issuedTokenType: typeof ACCESS_TOKEN_TYPE | typeof JWT_TOKEN_TYPE;
  /** `audience` and `resource` values together, deduplicated. */
  targets: string[];
  /** Requested scopes, or undefined when `scope` was absent. */
  scopes: string[] | undefined;
  /** §2.1 `actor_token` (DESIGN.md, "Delegation"). */
  actor: ActorToken | undefined;
  /** The `may_act` to put in the issued JWT. */
  mayAct: MayAct | undefined;
}

type Params = Record<string, string | string[] | undefined>;

const list = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** §3: a PAT is an access token; an external OIDC token is an ID token or a JWT. */
function subjectKindOf(type: string): ExchangeRequest['subjectKind'] {
  if (type === ACCESS_TOKEN_TYPE) return 'pat';
  if (type === ID_TOKEN_TYPE || type === JWT_TOKEN_TYPE) return 'federated';
  throw invalidRequest(
    `unsupported subject_token_type: use ${ACCESS_TOKEN_TYPE}, ${ID_TOKEN_TYPE} or ${JWT_TOKEN_TYPE}`,
  );
}

export function parseExchangeRequest(params: Params): ExchangeRequest {
  const { subject_token, subject_token_type, actor_token, actor_token_type, requested_token_type } = params;
  if (typeof subject_token !== 'string' || subject_token === '') {
    throw invalidRequest('missing required parameter: subject_token');
  }
  if (typeof subject_token_type !== 'string' || subject_token_type === '') {
    throw invalidRequest('missing required parameter: subject_token_type');
  }
  const subjectKind = subjectKindOf(subject_token_type);
  // §2.1: actor_token_type is REQUIRED when actor_token is present and MUST NOT be otherwise.
  if ((actor_token === undefined) !== (actor_token_type === undefined)) {
    throw invalidRequest('actor_token and actor_token_type must be sent together');
  }
  if (
    requested_token_type !== undefined &&
    requested_token_type !== ACCESS_TOKEN_TYPE &&
    requested_token_type !== JWT_TOKEN_TYPE
  ) {
    throw invalidRequest('unsupported requested_token_type');
  }
  const { scope, trust_policy } = params;
  if (trust_policy !== undefined && subjectKind !== 'federated') {
    throw invalidRequest('trust_policy applies only to id_token and jwt subject tokens');
  }
  return {
    subjectToken: subject_token,
    subjectKind,
    trustPolicy: typeof trust_policy === 'string' ? trust_policy : undefined,
    issuedTokenType: requested_token_type === JWT_TOKEN_TYPE ? JWT_TOKEN_TYPE : ACCESS_TOKEN_TYPE,
    targets: [...new Set([...list(params.audience), ...list(params.resource)])],
    scopes: typeof scope === 'string' ? scope.split(' ').filter(Boolean) : undefined,
    actor: parseActorToken(actor_token, actor_token_type),
    mayAct: parseMayActParam(params.may_act),
  };
}
