/** How PATs look on a terminal: a table of many, the fields of one, and the render-once secret. */
import type { z } from 'zod';
import type { patSchema } from '../api/response-schemas.js';
import { relativeTime, shortId } from './format.js';
import { mayActText } from './may-act.js';
import { formatFields, formatTable } from './table.js';

/** A PAT as the API answers it (create and rotate add `token`, once). */
export type PatView = z.output<typeof patSchema> & { token?: string };

/**
 * `owners` (id -> username) adds an OWNER column (admins see everyone's tokens): people know
 * each other by username; an owner not in the map (deleted) shows its short id.
 */
export function patTable(pats: PatView[], now: Date, owners?: Map<string, string>): string {
  const owner = owners !== undefined;
  const headers = [
    'ID',
    ...(owner ? ['OWNER'] : []),
    'NAME',
    'HINT',
    'STATUS',
    'SCOPES',
    'EXPIRES',
    'LAST USED',
  ];
  const rows = pats.map((p) => [
    shortId(p.id),
    ...(owners ? [owners.get(p.user_id) ?? shortId(p.user_id)] : []),
    p.name,
    p.hint,
    p.status,
    p.scopes.join(','),
    relativeTime(p.expires_at, now),
    relativeTime(p.last_used_at, now),
  ]);
  return formatTable(headers, rows, { shrinkable: ['NAME', 'SCOPES', 'OWNER'] });
}

const when = (iso: string | null, now: Date) => (iso ? `${iso} (${relativeTime(iso, now)})` : 'never');

export function patFields(pat: PatView, now: Date): string {
  const fields: [string, string][] = [
    ['id', pat.id],
    ['name', pat.name],
    ['owner', pat.user_id],
    ['hint', pat.hint],
    ['status', pat.status],
    ['scopes', pat.scopes.join(' ')],
    ['created', when(pat.created_at, now)],
    ['expires', when(pat.expires_at, now)],
    [
      'last used',
      pat.last_used_at ? `${when(pat.last_used_at, now)} from ${pat.last_used_ip ?? '?'}` : 'never',
    ],
  ];
  if (pat.revoked_at) fields.push(['revoked', `${when(pat.revoked_at, now)}: ${pat.revoked_reason ?? ''}`]);
  if (pat.rotated_from) fields.push(['rotated from', pat.rotated_from]);
  if (pat.may_act) fields.push(['may act', mayActText(pat.may_act)]);
  if (pat.require_dpop) fields.push(['dpop', 'required: exchanges need a DPoP proof']);
  return formatFields(fields);
}

/** The plaintext goes to stdout alone on its line, so `$(tessera token create ...)`-style use is easy. */
export function printIssued(pat: PatView, json: boolean, out: (text: string) => void) {
  if (json) return out(JSON.stringify(pat, null, 2));
  out(patFields(pat, new Date()));
  out('\nToken (shown once, store it now):');
  out(pat.token ?? '');
}
