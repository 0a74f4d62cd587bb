/**
 * The audit row for a credential refused on `/api/v1` because its PAT's `allowed_cidrs` exclude
 * the client address (a PAT presented as is, or a JWT exchanged from it).
 */
import type { AuditEvent } from '../audit/event.js';
import { IP_NOT_ALLOWED } from '../pat/address-allowlist.js';
import type { PatRecord } from '../pat/record.js';

export function addressRefusal(record: PatRecord, at: Date, ip: string | null): AuditEvent {
  return {
    at,
    action: 'api.authenticated',
    outcome: 'failure',
    actorUserId: record.user.id,
    subjectUserId: record.user.id,
    patId: record.pat.id,
    meta: { ip, userAgent: null },
    reason: IP_NOT_ALLOWED,
  };
}
