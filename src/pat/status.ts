/**
 * A PAT's status at a moment: revoked (whatever its expiry), else expired once `expires_at` has
 * passed, else active. One rule written twice, side by side: as a TypeScript predicate for rows
 * in hand, and as an SQL fragment for lists, counts, sweeps and the metrics gauge, so that a
 * list filtered by `active` and a count of active tokens cannot disagree.
 */
export const PAT_STATUSES = ['active', 'revoked', 'expired'] as const;
export type PatStatus = (typeof PAT_STATUSES)[number];

/** What a PAT's status depends on. */
export interface PatLifetime {
  revoked_at: Date | null;
  expires_at: Date | null;
}

export function patStatus(pat: PatLifetime, now: Date): PatStatus {
  if (pat.revoked_at) return 'revoked';
  if (pat.expires_at && pat.expires_at <= now) return 'expired';
  return 'active';
}

export function isActivePat(pat: PatLifetime, now: Date): boolean {
  return patStatus(pat, now) === 'active';
}

/**
 * The SQL predicate for `status`: `now` is an SQL expression of the moment (a parameter such as
 * `$1`; a function is called only when the predicate needs it, so a query builder adds the
 * parameter only then), `alias` the table alias of `pats` when the query has one (`p`).
 */
export function patStatusSql(status: PatStatus, moment: string | (() => string), alias?: string): string {
  const col = (name: string) => (alias ? `${alias}.${name}` : name);
  const now = () => (typeof moment === 'string' ? moment : moment());
  switch (status) {
    case 'active':
      return `(${col('revoked_at')} IS NULL AND (${col('expires_at')} IS NULL OR ${col('expires_at')} > ${now()}))`;
    case 'revoked':
      return `${col('revoked_at')} IS NOT NULL`;
    case 'expired':
      return `(${col('revoked_at')} IS NULL AND ${col('expires_at')} <= ${now()})`;
  }
}

/** `patStatusSql('active', ...)`: neither revoked nor expired at `now`. */
export function activePatSql(now: string, alias?: string): string {
  return patStatusSql('active', now, alias);
}
