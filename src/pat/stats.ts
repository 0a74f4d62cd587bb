import type { Queryable } from '../db/queryable.js';

export interface PatStats {
  active_pats: number;
  users_with_active_pats: number;
  never_used_pats: number;
  expiring_within_7_days: number;
  revoked_pats: number;
  expired_pats: number;
}

/** Oversight numbers for administrators, in one scan of the PAT table. */
export async function patStats(q: Queryable, now: Date): Promise<PatStats> {
  const { rows } = await q.query<PatStats>(
    `WITH p AS (
       SELECT user_id, last_used_at, expires_at, revoked_at,
              revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $1) AS active
       FROM pats)
     SELECT count(*) FILTER (WHERE active)::int AS active_pats,
            count(DISTINCT user_id) FILTER (WHERE active)::int AS users_with_active_pats,
            count(*) FILTER (WHERE active AND last_used_at IS NULL)::int AS never_used_pats,
            count(*) FILTER (WHERE active AND expires_at <= $1::timestamptz + interval '7 days')::int
              AS expiring_within_7_days,
            count(*) FILTER (WHERE revoked_at IS NOT NULL)::int AS revoked_pats,
            count(*) FILTER (WHERE revoked_at IS NULL AND expires_at <= $1)::int AS expired_pats
     FROM p`,
    [now],
  );
  return rows[0] as PatStats;
}
