import type { Queryable } from '../db/queryable.js';
import { activePatSql, patStatusSql } from './status.js';

export interface PatStats {
  active_pats: number;
  users_with_active_pats: number;
  never_used_pats: number;
  expiring_within_7_days: number;
  revoked_pats: number;
  expired_pats: number;
  exchanges_24h_granted: number;
  exchanges_24h_denied: number;
  /** Of those, exchanges of external OIDC tokens through trust policies. */
  federated_exchanges_24h_granted: number;
  federated_exchanges_24h_denied: number;
}

type ExchangeCounts = Pick<
  PatStats,
  | 'exchanges_24h_granted'
  | 'exchanges_24h_denied'
  | 'federated_exchanges_24h_granted'
  | 'federated_exchanges_24h_denied'
>;

/** Oversight numbers for administrators: one scan of the PAT table, one index range of audit. */
export async function patStats(q: Queryable, now: Date): Promise<PatStats> {
  const exchanges = await q.query<ExchangeCounts>(
    `SELECT count(*) FILTER (WHERE outcome = 'success')::int AS exchanges_24h_granted,
            count(*) FILTER (WHERE outcome = 'failure')::int AS exchanges_24h_denied,
            count(*) FILTER (WHERE federated AND outcome = 'success')::int AS federated_exchanges_24h_granted,
            count(*) FILTER (WHERE federated AND outcome = 'failure')::int AS federated_exchanges_24h_denied
     FROM audit_events WHERE action = 'token.exchanged' AND occurred_at > $1::timestamptz - interval '24 hours'`,
    [now],
  );
  const { rows } = await q.query<Omit<PatStats, keyof ExchangeCounts>>(
    `WITH p AS (
       SELECT user_id, last_used_at, expires_at, revoked_at,
              ${activePatSql('$1')} AS active
       FROM pats)
     SELECT count(*) FILTER (WHERE active)::int AS active_pats,
            count(DISTINCT user_id) FILTER (WHERE active)::int AS users_with_active_pats,
            count(*) FILTER (WHERE active AND last_used_at IS NULL)::int AS never_used_pats,
            count(*) FILTER (WHERE active AND expires_at <= $1::timestamptz + interval '7 days')::int
              AS expiring_within_7_days,
            count(*) FILTER (WHERE ${patStatusSql('revoked', '$1')})::int AS revoked_pats,
            count(*) FILTER (WHERE ${patStatusSql('expired', '$1')})::int AS expired_pats
     FROM p`,
    [now],
  );
  return {
    ...(rows[0] as Omit<PatStats, keyof ExchangeCounts>),
    ...(exchanges.rows[0] as ExchangeCounts),
  };
}
