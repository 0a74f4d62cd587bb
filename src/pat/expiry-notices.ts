/**
 * Expiry notices: `token.expiring` once per threshold (30, 7 and 1 days before `expires_at` by
 * default) and `token.expired` once. Each notice is a row in `pat_expiry_notices` whose primary
 * key makes it happen once, written in the same transaction as its audit row and webhook
 * outbox rows: instances sweeping together block on the key, and the later one inserts nothing.
 * A token first seen inside several thresholds gets only the nearest one's notice.
 */
import { recordAudit } from '../audit/record.js';
import type { Clock } from '../clock.js';
import type { WebhookSettings } from '../config.js';
import type { Database, Queryable } from '../db/queryable.js';
import { startAfterFirstRun } from '../jobs/periodic.js';
import type { Logger } from '../logger.js';
import { activePatSql, patStatusSql } from './status.js';

/** At most this many notices per sweep and kind: a backlog drains over a few sweeps. */
const BATCH = 500;
/** Tokens that expired longer ago than this get no `token.expired` (no flood on first start). */
const EXPIRED_LOOKBACK_DAYS = 7;

const EXPIRING = `WITH due AS (
    SELECT p.id, p.user_id, p.name, p.hint,
      (SELECT min(d) FROM unnest($2::int[]) AS d WHERE p.expires_at <= $1::timestamptz + make_interval(days => d)) AS days
    FROM pats p
    WHERE ${activePatSql('$1', 'p')}
      AND p.expires_at <= $1::timestamptz + make_interval(days => $3)
    ORDER BY p.expires_at LIMIT $4),
  sent AS (
    INSERT INTO pat_expiry_notices (pat_id, notice, sent_at)
    SELECT due.id, 'expiring:' || due.days, $1 FROM due
    WHERE NOT EXISTS (SELECT 1 FROM pat_expiry_notices n WHERE n.pat_id = due.id
                        AND n.notice LIKE 'expiring:%' AND split_part(n.notice, ':', 2)::int <= due.days)
    ON CONFLICT DO NOTHING
    RETURNING pat_id, notice)
  SELECT sent.pat_id, sent.notice, due.days, due.user_id, due.name, due.hint
  FROM sent JOIN due ON due.id = sent.pat_id`;

const EXPIRED = `INSERT INTO pat_expiry_notices (pat_id, notice, sent_at)
  SELECT p.id, 'expired', $1 FROM pats p
  WHERE ${patStatusSql('expired', '$1', 'p')}
    AND p.expires_at > $1::timestamptz - make_interval(days => $2)
  ORDER BY p.expires_at LIMIT $3
  ON CONFLICT DO NOTHING
  RETURNING pat_id, notice, NULL::int AS days, (SELECT user_id FROM pats WHERE id = pat_id) AS user_id,
    (SELECT name FROM pats WHERE id = pat_id) AS name, (SELECT hint FROM pats WHERE id = pat_id) AS hint`;

interface Notice {
  pat_id: string;
  /** The `pat_expiry_notices` key: `expiring:<days>` or `expired`. */
  notice: string;
  /** Days before expiry this `expiring` notice is for; null for `expired`. */
  days: number | null;
  user_id: string;
  name: string;
  hint: string;
}

function announce(tx: Queryable, notice: Notice, now: Date) {
  return recordAudit(tx, {
    at: now,
    action: notice.days === null ? 'pat.expired' : 'pat.expiring',
    outcome: 'success',
    subjectUserId: notice.user_id,
    patId: notice.pat_id,
    meta: { ip: null, userAgent: 'tessera expiry notices' },
    reason: notice.notice,
    token: { name: notice.name, hint: notice.hint },
    daysBeforeExpiry: notice.days,
  });
}

/** Sends the notices due at `now`; returns them as `pat_id notice` pairs. */
export function sendExpiryNotices(db: Database, now: Date, thresholdDays: number[]): Promise<Notice[]> {
  return db.transaction(async (tx) => {
    const sent: Notice[] = [];
    if (thresholdDays.length > 0) {
      const max = Math.max(...thresholdDays);
      sent.push(...(await tx.query<Notice>(EXPIRING, [now, thresholdDays, max, BATCH])).rows);
    }
    sent.push(...(await tx.query<Notice>(EXPIRED, [now, EXPIRED_LOOKBACK_DAYS, BATCH])).rows);
    for (const notice of sent) await announce(tx, notice, now);
    return sent;
  });
}

/** Sweeps on start and every `expirySweepIntervalMs`; `run` runs one now. */
export async function startExpiryNotices(deps: {
  db: Database;
  clock: Clock;
  settings: WebhookSettings;
  logger: Logger;
}) {
  const sweep = async () => {
    const sent = await sendExpiryNotices(deps.db, deps.clock(), deps.settings.expiryNoticeDays);
    if (sent.length) deps.logger.info({ count: sent.length }, 'expiry notices sent');
    return sent;
  };
  const intervalMs = deps.settings.expirySweepIntervalMs;
  return startAfterFirstRun({ name: 'expiry notice sweep', intervalMs, run: sweep, logger: deps.logger });
}
