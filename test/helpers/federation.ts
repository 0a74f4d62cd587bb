/**
 * Federated exchanges against a test server: create trust policies as admin, exchange an
 * external token with its own User-Agent, and read the one audit row that request wrote.
 */
import { expect } from '@jest/globals';
import type { TestServer } from './server.js';

export const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';
export const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

export interface FederatedAuditRow {
  outcome: 'success' | 'failure';
  reason: string | null;
  federated: boolean;
  trust_policy_id: string | null;
  subject_user_id: string | null;
  external_iss: string | null;
  external_sub: string | null;
  external_jti: string | null;
  matched_claims: Record<string, unknown> | null;
  audience: string | null;
  scope: string | null;
  jti: string | null;
  pat_id: string | null;
}

let agents = 0;

export async function createPolicy(
  server: TestServer,
  body: Record<string, unknown>,
): Promise<{ id: string; name: string }> {
  const created = await server.request('POST', '/api/v1/admin/trust-policies', {
    token: server.adminToken,
    body,
  });
  if (created.status !== 201) throw new Error(`policy create failed: ${created.text}`);
  return created.body;
}

/** `POST /token` with an external subject token; returns the response and its audit row. */
export async function federatedExchange(
  server: TestServer,
  subjectToken: string,
  extra: Record<string, string> = {},
  type = ID_TOKEN_TYPE,
) {
  const agent = `tessera-federation-test/${process.pid}.${++agents}`;
  const response = await server.tokenRequest(
    { grant_type: GRANT, subject_token: subjectToken, subject_token_type: type, ...extra },
    { 'user-agent': agent },
  );
  const { rows } = await server.database.db.query<FederatedAuditRow>(
    `SELECT outcome, reason, federated, trust_policy_id, subject_user_id, external_iss, external_sub,
            external_jti, matched_claims, audience, scope, jti, pat_id
     FROM audit_events WHERE action = 'token.exchanged' AND user_agent = $1`,
    [agent],
  );
  expect(rows).toHaveLength(1);
  return { response, row: rows[0] as FederatedAuditRow };
}
