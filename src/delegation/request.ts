/** RFC 8693 §2.1 `actor_token`/`actor_token_type`, and Tessera's `may_act` request parameter. */
import { INVALID_SUBJECT_TOKEN } from '../exchange/constants.js';
import { invalidRequest } from '../exchange/denial.js';
import { type MayAct, mayActSchema } from './may-act.js';

const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';
const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';

/** A PAT, or an external token accepted through a trust policy. */
export interface ActorToken {
  token: string;
  kind: 'pat' | 'federated';
}

/** Both present or both absent is checked by the caller (§2.1); here, what they name. */
export function parseActorToken(token: unknown, type: unknown): ActorToken | undefined {
  if (token === undefined) return undefined;
  if (typeof token !== 'string' || token === '' || typeof type !== 'string') {
    throw invalidRequest(INVALID_SUBJECT_TOKEN, 'actor_not_permitted: empty actor_token');
  }
  if (type === ACCESS_TOKEN_TYPE) return { token, kind: 'pat' };
  if (type === ID_TOKEN_TYPE || type === JWT_TOKEN_TYPE) return { token, kind: 'federated' };
  throw invalidRequest(
    `unsupported actor_token_type: use ${ACCESS_TOKEN_TYPE}, ${ID_TOKEN_TYPE} or ${JWT_TOKEN_TYPE}`,
  );
}

/** `may_act`: a JSON array of entries; anything else is `invalid_request`. */
export function parseMayActParam(value: unknown): MayAct | undefined {
  if (value === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(String(value));
  } catch {
    throw invalidRequest('may_act must be a JSON array of {"user_id"} or {"trust_policy_id"} entries');
  }
  const parsed = mayActSchema.safeParse(json);
  if (!parsed.success) {
    throw invalidRequest('may_act must be a JSON array of {"user_id"} or {"trust_policy_id"} entries');
  }
  return parsed.data;
}
