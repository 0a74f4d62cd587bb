/**
 * The subject of an exchange: who the JWT is for, what the presented credential holds, and what
 * the JWT says it stands on. Two kinds share it: a Tessera PAT (pat-subject.ts) and an external
 * OIDC token accepted through a trust policy (federated-subject.ts).
 */

import type { ActClaim } from '../delegation/act-chain.js';
import type { MayAct } from '../delegation/may-act.js';
import { ExchangeDenied } from './denial.js';
import type { ExchangeFacts } from './outcome.js';

export interface ExchangeSubject {
  userId: string;
  /** The credential it stands on: the PAT's id, or the trust policy's. */
  credentialId: string;
  /** The user's current entitlements. */
  entitlements: string[];
  /** The scopes the credential itself may carry (the PAT's, or the trust policy's). */
  heldScopes: string[];
  /** Resources the JWT may be for, when the credential narrows them (a trust policy's `audiences`). */
  allowedAudiences?: string[];
  /** Upper bound of the JWT's lifetime in seconds from now, besides the resource's TTL; null: none. */
  maxLifetime: number | null;
  /** RFC 9068 §2.2 extra claims naming what the JWT stands on (`pat_id`, or `trust_policy_id` and `src`). */
  claims: Record<string, unknown>;
  /** What the audit row says about the subject. */
  facts: Omit<ExchangeFacts, 'clientId'>;
  /** The credential's exchanges need a DPoP proof (`require_dpop`, RFC 9449). */
  requireDpop?: boolean;
  /** Runs once every check has passed, just before the JWT is issued; may still refuse. */
  beforeIssue?: (() => Promise<void>) | undefined;
  /** Runs after a granted exchange (e.g. records the PAT's last use). */
  afterGrant?: () => Promise<void>;
  /** Who may act with it (delegation/): a PAT's `may_act`, or a subject JWT's claim. */
  mayAct?: MayAct | null;
  /** The actors so far (a subject JWT's `act`). */
  act?: ActClaim | undefined;
  /** A subject JWT is exchanged only for the resource it was issued for. */
  requiredAudience?: string;
  /** A Tessera JWT: accepted as a subject only with an actor. */
  isJwt?: boolean;
}

/** A denial of the subject token, with what is known of it for the audit row. */
export class SubjectDenied extends ExchangeDenied {
  constructor(
    denied: ExchangeDenied,
    readonly facts: Omit<ExchangeFacts, 'clientId'>,
  ) {
    super(denied.oauthError, denied.reason, denied.denialCause);
  }
}
