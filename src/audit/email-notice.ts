/**
 * Which audited changes become an email to the token's owner (docs/design.md, "Notifications to
 * people (email)"): a token created (a security notice: someone may have minted it), expiring
 * (30/7/1 days), expired, revoked by an administrator, revoked by a leak report. Pure: the audit
 * writer calls it inside the change's own transaction, so a notice exists exactly when its change
 * committed. The notice names the token and its owner, never a secret: the audit event it is
 * built from never holds one.
 */
import type { AuditEvent } from './event.js';

export const NOTICE_KINDS = [
  'token.created',
  'token.expiring',
  'token.expired',
  'token.revoked_by_admin',
  'token.leaked',
] as const;

export type NoticeKind = (typeof NOTICE_KINDS)[number];

/** Who owns the token, as the notice names them. */
export interface TokenOwner {
  id: string;
  username: string;
  email: string | null;
}

/** Everything an email says; stored as the outbox row's payload and rendered when sent. */
export interface EmailNotice {
  kind: NoticeKind;
  recipient: string;
  tokenId: string;
  tokenName: string;
  tokenHint: string;
  username: string;
  /** When the change happened (RFC 3339). */
  at: string;
  /** Where the change came from (the client address), when a request made it. */
  ip: string | null;
  userAgent: string | null;
  daysBeforeExpiry: number | null;
}

function kindOf(event: AuditEvent): NoticeKind | null {
  switch (event.action) {
    case 'pat.created':
      return 'token.created';
    case 'pat.expiring':
      return 'token.expiring';
    case 'pat.expired':
      return 'token.expired';
    case 'pat.revoked':
      if (event.revocationKind === 'leak') return 'token.leaked';
      return event.revocationKind === 'admin' ? 'token.revoked_by_admin' : null;
    default:
      return null;
  }
}

/** The email a successful change sends its token's owner, or null (no email, not a notice). */
export function emailNoticeFor(event: AuditEvent, owner: TokenOwner | null): EmailNotice | null {
  if (event.outcome !== 'success' || !event.patId || !event.token || !owner?.email) return null;
  const kind = kindOf(event);
  if (!kind) return null;
  return {
    kind,
    recipient: owner.email,
    tokenId: event.patId,
    tokenName: event.token.name,
    tokenHint: event.token.hint,
    username: owner.username,
    at: event.at.toISOString(),
    ip: event.meta.ip,
    userAgent: event.meta.userAgent,
    daysBeforeExpiry: event.daysBeforeExpiry ?? null,
  };
}
