import type { RequestMeta } from './event.js';

/**
 * Who asks for a change, with what, and from where: every service that changes something takes
 * one, and its audit row names it. Build one per request from the authenticated credential
 * (API: the bearer PAT or JWT; console: the session).
 */
export interface Actor {
  /** Null for the system itself (e.g. a leaked-token report, which is unauthenticated). */
  userId: string | null;
  /**
   * The scopes the presented credential holds, already within its user's entitlements: the
   * ceiling for any PAT it creates or rotates (pat/ceiling.ts). Null for the system itself.
   */
  credentialScopes: readonly string[] | null;
  /**
   * The `allowed_cidrs` of the presented credential's PAT: the networks ceiling for any PAT it
   * creates or rotates (pat/ceiling.ts). Null or absent: not bound to networks.
   */
  credentialCidrs?: readonly string[] | null | undefined;
  meta: RequestMeta;
}
